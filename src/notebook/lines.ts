/**
 * nbformat stores multi-line strings as lists of lines on disk and as one string in memory.
 * These helpers do both directions exactly as nbformat's `rejoin_lines` / `split_lines` do.
 */
import type { MultilineString } from './types.js';

/** Python's `str.splitlines(keepends=True)`: splits on every line boundary Python knows. */
export function pythonSplitLines(text: string): string[] {
  const lines: string[] = [];
  // eslint-disable-next-line no-control-regex -- these are exactly the boundaries Python splits on
  const boundary = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
  let start = 0;
  for (const match of text.matchAll(boundary)) {
    const end = match.index + match[0].length;
    lines.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** The text of a multi-line string, whichever form it is stored in. */
export function joinLines(value: MultilineString): string {
  return typeof value === 'string' ? value : value.join('');
}

/** MIME types whose values are JSON data, never joined or split (nbformat's `_is_json_mime`). */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** MIME types whose string values nbformat writes as line lists. */
export function isSplitMime(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'application/javascript' || mime === 'image/svg+xml';
}
