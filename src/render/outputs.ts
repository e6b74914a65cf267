/**
 * A code cell's outputs as Jupyter shows them, without running anything: streams and tracebacks
 * (ANSI colours), and for rich outputs the first MIME type of `MIME_PRIORITY` the output has.
 * Images become `data:` URIs (SVG too, shown through <img>, where its scripts never run and it
 * loads nothing); `application/javascript` and widget state are never shown. The result is NOT
 * sanitized yet: `renderCell` sanitizes it.
 */
import type { MimeBundle, Output } from '../notebook/index.js';
import { ansiToHtml } from './ansi.js';
import { escapeHtml } from './escape.js';
import { markdownToHtml } from './markdown.js';
import { typesetLatexOutput } from './math.js';

/** Richest first, as nbconvert's HTML exporter picks (without JavaScript and widgets). */
export const MIME_PRIORITY = [
  'text/html',
  'text/markdown',
  'image/svg+xml',
  'text/latex',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/json',
  'text/plain',
] as const;

const BITMAPS = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** A MIME value as text: nbformat stores text as a string or a list of lines. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((line) => typeof line === 'string')) return value.join('');
  return JSON.stringify(value, null, 2) ?? '';
}

function preformatted(text: string, className: string): string {
  return `<pre class="${className}">${ansiToHtml(text)}</pre>`;
}

/** width / height from the output's metadata for this MIME type, when they are plain numbers. */
function imageSize(metadata: unknown, mime: string): string {
  const entry = (metadata as Record<string, unknown> | undefined)?.[mime];
  if (!entry || typeof entry !== 'object') return '';
  const { width, height } = entry as { width?: unknown; height?: unknown };
  const attribute = (name: string, value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? ` ${name}="${Math.round(value)}"` : '';
  return attribute('width', width) + attribute('height', height);
}

function richOutput(data: MimeBundle, metadata: unknown): string {
  const mime = MIME_PRIORITY.find((type) => data[type] !== undefined);
  if (!mime) {
    const types = Object.keys(data).join(', ') || 'none';
    return `<pre class="nb-output-text nb-output-unsupported">${escapeHtml(`[output not shown: ${types}]`)}</pre>`;
  }
  const value = data[mime];
  switch (mime) {
    case 'text/html':
      return `<div class="nb-output-html">${textOf(value)}</div>`;
    case 'text/markdown':
      return `<div class="nb-output-markdown nb-markdown">${markdownToHtml(textOf(value))}</div>`;
    case 'text/latex':
      return `<div class="nb-output-latex">${typesetLatexOutput(textOf(value))}</div>`;
    case 'image/svg+xml': {
      const svg = Buffer.from(textOf(value), 'utf8').toString('base64');
      return `<img class="nb-output-image" src="data:image/svg+xml;base64,${svg}"${imageSize(metadata, mime)} alt="SVG output">`;
    }
    case 'application/json':
      return `<pre class="nb-output-text">${escapeHtml(JSON.stringify(value, null, 2) ?? '')}</pre>`;
    case 'text/plain':
      return preformatted(textOf(value), 'nb-output-text');
    default: {
      // A bitmap: base64 text (nbformat allows line breaks in it).
      const base64 = textOf(value).replace(/\s+/g, '');
      if (!BITMAPS.has(mime) || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64))
        return `<pre class="nb-output-text">${escapeHtml(`[${mime} output is not valid base64]`)}</pre>`;
      return `<img class="nb-output-image" src="data:${mime};base64,${base64}"${imageSize(metadata, mime)} alt="${mime} output">`;
    }
  }
}

function outputBody(output: Output): { kind: string; html: string; prompt?: string } {
  switch (output.output_type) {
    case 'stream': {
      const stderr = output.name === 'stderr';
      return {
        kind: stderr ? 'nb-stream nb-stderr' : 'nb-stream nb-stdout',
        html: preformatted(textOf(output.text), 'nb-output-text'),
      };
    }
    case 'error': {
      const lines = Array.isArray(output.traceback) ? output.traceback.map(textOf) : [];
      const text = lines.length > 0 ? lines.join('\n') : `${textOf(output.ename)}: ${textOf(output.evalue)}`;
      return { kind: 'nb-error', html: preformatted(text, 'nb-output-text') };
    }
    case 'execute_result':
      return {
        kind: 'nb-execute-result',
        html: richOutput(output.data ?? {}, output.metadata),
        prompt: `Out[${output.execution_count ?? ' '}]:`,
      };
    case 'display_data':
      return { kind: 'nb-display-data', html: richOutput(output.data ?? {}, output.metadata) };
    default: {
      const type = String((output as { output_type?: unknown }).output_type);
      return {
        kind: 'nb-unknown',
        html: `<pre class="nb-output-text">${escapeHtml(`[unknown output: ${type}]`)}</pre>`,
      };
    }
  }
}

/** The outputs of a code cell, each with its prompt column (unsanitized). */
export function outputsToHtml(outputs: readonly Output[]): string {
  return outputs
    .map((output) => {
      const { kind, html, prompt } = outputBody(output);
      const promptHtml = `<div class="nb-prompt nb-output-prompt">${prompt ? escapeHtml(prompt) : ''}</div>`;
      return `<div class="nb-output ${kind}">${promptHtml}<div class="nb-output-area">${html}</div></div>`;
    })
    .join('');
}
