/**
 * Notebook cells -> sanitized HTML: the building blocks every page that shows a notebook uses
 * (the student's feedback page, the formgrader). Each cell gives its input (highlighted code,
 * rendered markdown, or a raw cell as plain text) and its outputs as two separately sanitized
 * fragments, so a page can put its own controls (score boxes, comments) between them without
 * ever letting the notebook's HTML near those controls. `cellMarkup` lays a rendered cell out the
 * standard way (prompt column, input, outputs) with an optional frame around the input.
 */
import { cellSource, type Cell, type Notebook } from '../notebook/index.js';
import { escapeHtml } from './escape.js';
import { highlightCode } from './highlight.js';
import { markdownToHtml } from './markdown.js';
import { outputsToHtml } from './outputs.js';
import { sanitizeHtml, type SanitizedHtml, type SanitizeOptions } from './sanitize.js';

export interface RenderOptions {
  /** The language of code cells (default: the notebook's kernel language, else Python). */
  language?: string;
  /**
   * Maps a relative path in the notebook (an image or link to a file beside it, like
   * `jupyter.png`) to the address the page serves it at, or null to drop it. Default: kept as it
   * is, right for a page written beside the notebook's files.
   */
  relativeUrl?: (path: string) => string | null;
}

export interface RenderedCell {
  index: number;
  cellType: Cell['cell_type'];
  /** The execution count of a code cell (null when it was never run). */
  executionCount: number | null;
  /** The source: highlighted code, rendered markdown, or a raw cell as text. Sanitized. */
  input: SanitizedHtml;
  /** The outputs of a code cell, each with its prompt column; empty for other cells. Sanitized. */
  outputs: SanitizedHtml;
}

export interface RenderedNotebook {
  /** The language code cells were highlighted as. */
  language: string;
  cells: RenderedCell[];
}

/** The notebook's language: kernelspec.language, else language_info.name, else python. */
export function notebookLanguage(notebook: Notebook): string {
  const fromKernel = notebook.metadata.kernelspec?.language;
  const fromInfo = notebook.metadata.language_info?.name;
  if (typeof fromKernel === 'string' && fromKernel !== '') return fromKernel;
  if (typeof fromInfo === 'string' && fromInfo !== '') return fromInfo;
  return 'python';
}

/** `attachment:NAME` in a markdown cell -> the attachment as a data: URI (checked by the sanitizer). */
function attachmentImages(cell: Cell): SanitizeOptions['rewriteImage'] {
  const attachments = cell.attachments;
  if (!attachments) return undefined;
  return (src) => {
    if (!src.startsWith('attachment:')) return undefined;
    const bundle = attachments[decodeURIComponent(src.slice('attachment:'.length))];
    if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) return undefined;
    for (const [mime, data] of Object.entries(bundle)) {
      const text = Array.isArray(data) ? data.join('') : data;
      if (mime.startsWith('image/') && typeof text === 'string') {
        const base64 = mime === 'image/svg+xml' ? Buffer.from(text, 'utf8').toString('base64') : text;
        return `data:${mime};base64,${base64.replace(/\s+/g, '')}`;
      }
    }
    return undefined;
  };
}

function inputHtml(cell: Cell, language: string): string {
  const source = cellSource(cell);
  switch (cell.cell_type) {
    case 'code':
      return highlightCode(source, language);
    case 'markdown':
      return `<div class="nb-markdown">${markdownToHtml(source)}</div>`;
    default:
      return `<pre class="nb-raw">${escapeHtml(source)}</pre>`;
  }
}

export function renderCell(cell: Cell, index: number, options: RenderOptions = {}): RenderedCell {
  const language = options.language ?? 'python';
  const sanitizeOptions: SanitizeOptions = {
    rewriteImage: attachmentImages(cell),
    relativeUrl: options.relativeUrl,
  };
  const outputs = cell.cell_type === 'code' && Array.isArray(cell.outputs) ? cell.outputs : [];
  return {
    index,
    cellType: cell.cell_type,
    executionCount: cell.cell_type === 'code' ? (cell.execution_count ?? null) : null,
    input: sanitizeHtml(inputHtml(cell, language), sanitizeOptions),
    outputs: sanitizeHtml(outputsToHtml(outputs), { relativeUrl: options.relativeUrl }),
  };
}

export function renderNotebook(notebook: Notebook, options: RenderOptions = {}): RenderedNotebook {
  const language = options.language ?? notebookLanguage(notebook);
  return {
    language,
    cells: notebook.cells.map((cell, index) => renderCell(cell, index, { ...options, language })),
  };
}

export interface CellFrame {
  /** An id for the cell's element (an anchor target). */
  id?: string;
  /** Extra classes (`nb-*`) on the cell's element. */
  className?: string;
  /** Replaces the input area, e.g. the input wrapped in a panel with a heading (HTML). */
  input?: string;
  /** HTML after the outputs, e.g. a note. */
  after?: string;
}

/**
 * A rendered cell laid out as Jupyter lays it out: prompt column, input, outputs. The frame's
 * HTML is the caller's; a page that takes it from anything but its own templates must sanitize
 * the result (the feedback page sanitizes its whole body).
 */
export function cellMarkup(cell: RenderedCell, frame: CellFrame = {}): string {
  const prompt = cell.cellType === 'code' ? `In [${cell.executionCount ?? ' '}]:` : '';
  const classes = ['nb-cell', `nb-${cell.cellType}-cell`, ...(frame.className ? [frame.className] : [])];
  const id = frame.id ? ` id="${escapeHtml(frame.id)}"` : '';
  return [
    `<div class="${classes.join(' ')}"${id}>`,
    `<div class="nb-input"><div class="nb-prompt nb-input-prompt">${escapeHtml(prompt)}</div>`,
    `<div class="nb-input-area">${frame.input ?? cell.input}</div></div>`,
    cell.outputs === '' ? '' : `<div class="nb-outputs">${cell.outputs}</div>`,
    frame.after ?? '',
    '</div>',
  ].join('');
}
