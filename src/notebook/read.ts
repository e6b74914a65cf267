/**
 * Reading notebooks: `parseNotebook` does what `nbformat.read(fh, as_version=4)` does (multi-line
 * strings joined, transient fields stripped), and refuses files it cannot make sense of with a
 * NotebookFormatError naming the file, the field and what to do.
 */
import { NotebookFormatError } from './errors.js';
import { isJsonMime, joinLines } from './lines.js';
import { JsonSyntaxError, parsePythonJson } from './python-json.js';
import type { Cell, JsonObject, JsonValue, Notebook } from './types.js';
import { setOwn } from '../util/own-keys.js';

/** The nbformat major version coursehub reads and writes, and the newest minor version it knows. */
export const NBFORMAT_MAJOR = 4;
export const NBFORMAT_MINOR = 5;

export interface ParseOptions {
  /** How to name the notebook in error messages (usually its path). */
  name?: string;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMultiline = (v: unknown): v is string | string[] =>
  typeof v === 'string' || (Array.isArray(v) && v.every((line) => typeof line === 'string'));

/** Parses notebook JSON text. `cell.source` and other multi-line strings come back as single strings. */
export function parseNotebook(text: string | Uint8Array, options: ParseOptions = {}): Notebook {
  const name = options.name ?? 'the notebook';
  const fail = (message: string, hint?: string) =>
    new NotebookFormatError(`${name}: ${message}`, hint === undefined ? {} : { hint });
  const source = typeof text === 'string' ? text : new TextDecoder('utf-8').decode(text);
  let json: JsonValue;
  try {
    json = parsePythonJson(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw fail(`is not valid JSON (${error.message})`, 'Was it saved completely? Re-save it from Jupyter.');
  }
  if (!isObject(json)) throw fail('is not a notebook: the file must hold a JSON object');
  const { nbformat, nbformat_minor: minor } = json;
  if (typeof nbformat !== 'number' || !Number.isInteger(nbformat))
    throw fail('is not a notebook: it has no integer "nbformat" version field');
  if (nbformat < NBFORMAT_MAJOR)
    throw fail(
      `is in nbformat ${nbformat}, which is too old; coursehub reads nbformat 4`,
      'Convert it with `jupyter nbconvert --to notebook --nbformat 4 FILE` or open and save it in Jupyter.',
    );
  if (nbformat > NBFORMAT_MAJOR)
    throw fail(
      `is in nbformat ${nbformat}, which is newer than coursehub supports (4)`,
      'Save it as nbformat 4 from Jupyter.',
    );
  if (typeof minor !== 'number' || !Number.isInteger(minor) || minor < 0)
    throw fail('has no valid "nbformat_minor" field (a non-negative integer)');
  if (!('metadata' in json)) throw fail('has no "metadata" field');
  if (!isObject(json.metadata)) throw fail('has a "metadata" field that is not an object');
  if (!('cells' in json)) throw fail('has no "cells" field');
  if (!Array.isArray(json.cells)) throw fail('has a "cells" field that is not a list');
  json.cells.forEach((cell, index) => checkCell(cell, index, fail));
  const notebook = json as unknown as Notebook;
  rejoinLines(notebook);
  stripTransient(notebook);
  return notebook;
}

function checkCell(cell: JsonValue, index: number, fail: (m: string, h?: string) => Error): void {
  const at = `cell ${index + 1}`;
  if (!isObject(cell)) throw fail(`${at} is not an object`);
  const type = cell.cell_type;
  if (type !== 'code' && type !== 'markdown' && type !== 'raw')
    throw fail(`${at} has cell_type ${JSON.stringify(type ?? null)}; expected "code", "markdown" or "raw"`);
  if (!('source' in cell)) throw fail(`${at} has no "source" field`);
  if (!isMultiline(cell.source))
    throw fail(`${at} has a "source" that is neither a string nor a list of strings`);
  if (!('metadata' in cell)) throw fail(`${at} has no "metadata" field`);
  if (!isObject(cell.metadata)) throw fail(`${at} has a "metadata" field that is not an object`);
  if ('id' in cell && typeof cell.id !== 'string') throw fail(`${at} has an "id" that is not a string`);
  if ('attachments' in cell && !isObject(cell.attachments))
    throw fail(`${at} has "attachments" that are not an object`);
  if (type !== 'code') return;
  if ('outputs' in cell) {
    if (!Array.isArray(cell.outputs)) throw fail(`${at} has "outputs" that are not a list`);
    cell.outputs.forEach((output, n) => {
      if (!isObject(output) || typeof output.output_type !== 'string')
        throw fail(`${at}, output ${n + 1} is not an object with a string "output_type"`);
    });
  }
  const count = cell.execution_count;
  if (count !== undefined && count !== null && !(typeof count === 'number' && Number.isInteger(count)))
    throw fail(`${at} has an "execution_count" that is neither null nor an integer`);
}

function rejoinMimeBundle(bundle: unknown): void {
  if (!isObject(bundle)) return;
  for (const [mime, value] of Object.entries(bundle))
    if (!isJsonMime(mime) && Array.isArray(value) && isMultiline(value))
      setOwn(bundle, mime, joinLines(value));
}

/** nbformat's `rejoin_lines`: multi-line strings become single strings in memory. */
function rejoinLines(notebook: Notebook): void {
  for (const cell of notebook.cells) {
    cell.source = joinLines(cell.source);
    if (isObject(cell.attachments)) Object.values(cell.attachments).forEach(rejoinMimeBundle);
    if (cell.cell_type !== 'code' || !Array.isArray(cell.outputs)) continue;
    for (const output of cell.outputs) {
      if (output.output_type === 'execute_result' || output.output_type === 'display_data')
        rejoinMimeBundle(output.data);
      else if ('text' in output && isMultiline(output.text)) output.text = joinLines(output.text);
    }
  }
}

/** nbformat's `strip_transient`, done on read and on write: these fields never reach a file. */
export function stripTransient(notebook: Notebook): void {
  delete notebook.metadata.orig_nbformat;
  delete notebook.metadata.orig_nbformat_minor;
  delete notebook.metadata.signature;
  for (const cell of notebook.cells as Cell[]) delete cell.metadata.trusted;
}
