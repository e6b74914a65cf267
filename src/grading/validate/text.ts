/**
 * The text helpers nbgrader's Validator prints with: Python's `textwrap.fill`, nbconvert's
 * `strip_ansi`, and the Validator's indent-and-truncate. Why hand-written: the report must match
 * nbgrader's byte for byte, and each helper is a few lines of well-defined behaviour.
 */

/** `textwrap.fill(text, width)`: whitespace collapsed to single spaces, greedy line filling. */
export function pythonFill(text: string, width: number): string {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    while ([...word].length > width) {
      // textwrap breaks words longer than the width.
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      lines.push([...word].slice(0, width).join(''));
      word = [...word].slice(width).join('');
    }
    if (line === '') line = word;
    else if ([...line].length + 1 + [...word].length <= width) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
const ANSI = /\x1b\[(.*?)([@-~])/g;

/** nbconvert's `strip_ansi`. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** The Validator's `_indent`: each line indented, ANSI removed, cut to `width - 3` plus "...". */
export function indentBlock(text: string, indent: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      const chars = [...(indent + stripAnsi(line))];
      return chars.length > width - 3 ? chars.slice(0, width - 3).join('') + '...' : chars.join('');
    })
    .join('\n');
}
