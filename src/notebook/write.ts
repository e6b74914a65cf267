/**
 * Writing notebooks exactly as `nbformat.writes` does (and so as nbgrader does): multi-line strings
 * split with Python's splitlines(keepends=True), transient fields stripped, JSON with indent 1,
 * sorted keys, non-ASCII kept, Python float spelling, and a trailing newline.
 */
import { isSplitMime, pythonSplitLines } from './lines.js';
import { cloneJson, writePythonJson } from './python-json.js';
import { stripTransient } from './read.js';
import type { JsonValue, Notebook } from './types.js';
import { setOwn } from '../util/own-keys.js';

function splitMimeBundle(bundle: unknown): void {
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) return;
  const record = bundle as Record<string, JsonValue>;
  for (const [mime, value] of Object.entries(record))
    if (typeof value === 'string' && isSplitMime(mime)) setOwn(record, mime, pythonSplitLines(value));
}

/** The file contents nbgrader would write for this notebook. Does not change `notebook`. */
export function writeNotebook(notebook: Notebook): string {
  const copy = cloneJson(notebook);
  for (const cell of copy.cells) {
    // As nbformat does: strings are split, lists are written as they are.
    if (typeof cell.source === 'string') cell.source = pythonSplitLines(cell.source);
    if (cell.attachments) Object.values(cell.attachments).forEach(splitMimeBundle);
    if (cell.cell_type !== 'code' || !Array.isArray(cell.outputs)) continue;
    for (const output of cell.outputs) {
      if (output.output_type === 'execute_result' || output.output_type === 'display_data')
        splitMimeBundle(output.data);
      else if (output.output_type === 'stream' && typeof output.text === 'string')
        output.text = pythonSplitLines(output.text);
    }
  }
  stripTransient(copy);
  return writePythonJson(copy) + '\n';
}
