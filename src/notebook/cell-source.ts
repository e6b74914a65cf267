import { joinLines } from './lines.js';
import type { Cell } from './types.js';

/** A cell's source as one string, whether it is stored as a string or as a list of lines. */
export function cellSource(cell: Cell): string {
  return joinLines(cell.source);
}
