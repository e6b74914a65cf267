/**
 * Which parts of a markdown cell are math, by Jupyter's rule (the notebook hides math from the
 * markdown parser before parsing, then hands it to MathJax): `$...$` and `\\(...\\)` inline,
 * `$$...$$`, `\\[...\\]` and `\begin{env}...\end{env}` displayed; braces inside must balance,
 * math never crosses a blank line, `\$` is a plain dollar, and code spans and fenced code are
 * never math. Unlike Pandoc-style rules, a `$` needs no space around it: `Kernel$\rightarrow$Restart`
 * (in nbgrader's own header) is math in Jupyter, and here.
 *
 * `extractMath` replaces each formula with a placeholder the markdown parser leaves alone; the
 * markdown renderer (markdown.ts) puts the typeset formula back where the placeholder lands in
 * text, and the formula's source where it lands in an attribute or in code.
 */

export interface MathEntry {
  /** What replaces the placeholder in text: a formula to typeset, or text that only looked like a placeholder. */
  kind: 'math' | 'literal';
  /** The formula without its delimiters (with them for \begin...\end), or the literal text. */
  tex: string;
  display: boolean;
  /** The formula as written, delimiters included: what an attribute or code shows. */
  source: string;
}

export const PLACEHOLDER = /@@(\d+)@@/g;

// Code is masked while math is looked for: its `$` and `\` become private-use characters.
const MASKED_DOLLAR = '\uE000';
const MASKED_BACKSLASH = '\uE001';
const MASKED = /[\uE000\uE001]/g;

const mask = (code: string) => code.replace(/\$/g, MASKED_DOLLAR).replace(/\\/g, MASKED_BACKSLASH);

/** Puts masked characters back. */
export function unmask(text: string): string {
  return text.replace(MASKED, (c) => (c === MASKED_DOLLAR ? '$' : '\\'));
}

/** Masks fenced code blocks (``` or ~~~, closed by a fence of the same kind at least as long). */
function maskFences(text: string): string {
  const lines = text.split('\n');
  let fence: { char: string; length: number } | null = null;
  return lines
    .map((line) => {
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (fence) {
        if (
          marker &&
          marker[1]![0] === fence.char &&
          marker[1]!.length >= fence.length &&
          /^[`~\s]*$/.test(line)
        )
          fence = null;
        return mask(line);
      }
      if (marker && !(marker[1]![0] === '`' && line.slice(marker[0].length).includes('`'))) {
        fence = { char: marker[1]![0]!, length: marker[1]!.length };
        return mask(line);
      }
      return line;
    })
    .join('\n');
}

/** Masks inline code spans: a run of backticks up to the next run of the same length, within a paragraph. */
function maskCodeSpans(text: string): string {
  return text.replace(/(?<![`\\])(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (span: string, _ticks, body: string) =>
    /\n[ \t]*\n/.test(body) ? span : mask(span),
  );
}

// Significant pieces, in order of precedence: \\( \\) \\[ \\] (delimiters, written with two
// backslashes since markdown would eat one), any other \\ (a TeX line break, so that `\\$` ends
// math), \$ (a plain dollar), \{ \} (braces that do not count), \begin{env} \end{env}, $$ and $,
// braces, a blank line, and text shaped like a placeholder.
const PIECE = /\\\\[()[\]]|\\\\|\\\$|\\[{}]|\\(?:begin|end)\{[A-Za-z]*\*?\}|\$\$?|[{}]|\n[ \t]*\n|@@\d+@@/g;

interface Open {
  start: number;
  closer: string;
  display: boolean;
  /** The delimiters are part of the formula (\begin...\end). */
  keepDelimiters: boolean;
  opener: string;
}

function opening(piece: string, start: number): Open | null {
  if (piece === '$') return { start, closer: '$', display: false, keepDelimiters: false, opener: piece };
  if (piece === '$$') return { start, closer: '$$', display: true, keepDelimiters: false, opener: piece };
  if (piece === '\\\\(')
    return { start, closer: '\\\\)', display: false, keepDelimiters: false, opener: piece };
  if (piece === '\\\\[')
    return { start, closer: '\\\\]', display: true, keepDelimiters: false, opener: piece };
  if (piece.startsWith('\\begin'))
    return {
      start,
      closer: `\\end${piece.slice('\\begin'.length)}`,
      display: true,
      keepDelimiters: true,
      opener: piece,
    };
  return null;
}

/** The markdown with every formula replaced by `@@N@@`, and what each placeholder stands for. */
export function extractMath(markdown: string): { text: string; entries: MathEntry[] } {
  const text = maskCodeSpans(maskFences(markdown.replace(/\r\n?/g, '\n').replace(MASKED, '\uFFFD')));
  const entries: MathEntry[] = [];
  let out = '';
  let copied = 0; // text before this index is in `out`
  let open: Open | null = null;
  let depth = 0;
  let lastClose: number | null = null;

  const close = (end: number) => {
    const source = unmask(text.slice(open!.start, end));
    const tex = open!.keepDelimiters
      ? source
      : source.slice(open!.opener.length, source.length - open!.closer.length);
    out += text.slice(copied, open!.start) + `@@${entries.length}@@`;
    entries.push({ kind: 'math', tex, display: open!.display, source });
    copied = end;
    open = null;
    lastClose = null;
    PIECE.lastIndex = end;
  };

  PIECE.lastIndex = 0;
  for (let match = PIECE.exec(text); match; match = PIECE.exec(text)) {
    const piece = match[0];
    const end = match.index + piece.length;
    if (!open) {
      if (piece.startsWith('@@')) {
        out += text.slice(copied, match.index) + `@@${entries.length}@@`;
        entries.push({ kind: 'literal', tex: piece, display: false, source: piece });
        copied = end;
        continue;
      }
      open = opening(piece, match.index);
      depth = 0;
      lastClose = null;
    } else if (piece === open.closer) {
      if (depth === 0) close(end);
      else lastClose = end;
    } else if (piece === '{') depth++;
    else if (piece === '}' && depth > 0) depth--;
    else if (piece.startsWith('\n')) {
      if (lastClose !== null) close(lastClose);
      else open = null;
    }
  }
  if (open && lastClose !== null) {
    // Unbalanced braces to the end: the formula ends at its last closing delimiter (and what
    // follows it is looked at again).
    close(lastClose);
    const rest = extractMath(unmask(text.slice(copied)));
    const shift = entries.length;
    out += rest.text.replace(PLACEHOLDER, (_, n: string) => `@@${Number(n) + shift}@@`);
    entries.push(...rest.entries);
    return { text: out, entries };
  }
  return { text: out + text.slice(copied), entries };
}
