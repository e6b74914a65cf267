/**
 * Math typeset on the server with KaTeX, as MathML: the browser draws it natively (no MathJax
 * script, no font files to fetch, no inline styles for the sanitizer to let through). KaTeX's
 * `trust: false` refuses \href, \url, \includegraphics and \html*, and the expansion and size
 * limits keep a hostile formula from eating the server. A formula KaTeX cannot read is shown as
 * its source in red, as Jupyter shows an unreadable formula.
 */
import katex, { type KatexOptions } from 'katex';

export const KATEX_OPTIONS: KatexOptions = {
  output: 'mathml',
  throwOnError: false,
  trust: false,
  strict: 'ignore',
  maxExpand: 1000,
  maxSize: 20,
  errorColor: '#cc0000',
};

/** Typesets one formula (without its delimiters) as MathML. Unsanitized: the caller sanitizes. */
export function typesetLatex(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode });
}

const DELIMITED = [
  { open: '$$', close: '$$', display: true },
  { open: '\\[', close: '\\]', display: true },
  { open: '\\(', close: '\\)', display: false },
  { open: '$', close: '$', display: false },
];

/**
 * A `text/latex` output (IPython's `Latex`, `Math`, sympy): usually one formula in `$...$`,
 * `$$...$$`, `\[...\]` or `\(...\)`, sometimes a bare environment. Typeset as one formula.
 */
export function typesetLatexOutput(text: string): string {
  const trimmed = text.trim();
  for (const { open, close, display } of DELIMITED) {
    if (
      trimmed.length > open.length + close.length - 1 &&
      trimmed.startsWith(open) &&
      trimmed.endsWith(close)
    )
      return typesetLatex(trimmed.slice(open.length, trimmed.length - close.length), display);
  }
  return typesetLatex(trimmed, true);
}
