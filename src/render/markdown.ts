/**
 * Markdown as Jupyter shows it: CommonMark with GitHub tables and strikethrough (markdown-it),
 * bare URLs turned into links, raw HTML allowed (it goes through the sanitizer with everything
 * else), and math found by Jupyter's own rule (markdown-math.ts) and typeset on the server by
 * KaTeX as MathML. The result is NOT sanitized yet: callers pass it through `sanitizeHtml`.
 */
import markdownIt, { type MarkdownIt, type Token } from 'markdown-it';
import { escapeHtml } from './escape.js';
import { extractMath, PLACEHOLDER, unmask, type MathEntry } from './markdown-math.js';
import { typesetLatex } from './math.js';

/** markdown-it's env of one render: the formulas its placeholders stand for. */
interface MathEnv {
  [key: string | symbol]: unknown;
  math: MathEntry[];
}

const entryOf = (env: MathEnv, index: string) => env.math[Number(index)];

/** The formulas of this render (markdown-it hands the env through as it was given). */
const mathEnv = (env: unknown): MathEnv => (env as MathEnv | undefined) ?? { math: [] };

/** A placeholder in text: the typeset formula (or the literal text it stood for), as HTML. */
function typesetPlaceholders(text: string, env: MathEnv, escape: (text: string) => string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const entry = entryOf(env, match[1]!);
    html += escape(text.slice(last, match.index));
    if (!entry) html += escape(match[0]);
    else html += entry.kind === 'math' ? typesetLatex(entry.tex, entry.display) : escapeHtml(entry.source);
    last = match.index + match[0].length;
  }
  return html + escape(text.slice(last));
}

/** A placeholder where markup cannot go (an attribute, code): the formula's source. */
const sourceOf = (text: string, env: MathEnv) =>
  unmask(text.replace(PLACEHOLDER, (whole, n: string) => entryOf(env, n)?.source ?? whole));

/** Raw HTML: formulas in its text are typeset, those inside a tag (an attribute) stay source. */
const rawHtmlWithMath = (html: string, env: MathEnv) =>
  unmask(
    html.replace(/<[^>]*>|@@(\d+)@@/g, (whole, n: string | undefined) => {
      if (n === undefined) return sourceOf(whole, env);
      const entry = entryOf(env, n);
      if (!entry) return whole;
      return entry.kind === 'math' ? typesetLatex(entry.tex, entry.display) : escapeHtml(entry.source);
    }),
  );

function restoreAttributes(token: Token, env: MathEnv): void {
  for (const attribute of token.attrs ?? []) attribute[1] = sourceOf(String(attribute[1]), env);
  if (token.children) token.children.forEach((child) => restoreAttributes(child, env));
  if (token.type === 'code_inline' || token.type === 'code_block' || token.type === 'fence') {
    token.content = sourceOf(token.content, env);
    token.info = unmask(token.info);
  }
}

function createMarkdown(): MarkdownIt {
  const md = markdownIt({ html: true, linkify: true, typographer: false });
  // After parsing: placeholders in attributes and code go back to the formula's source.
  md.core.ruler.push('coursehub_math_sources', (state) => {
    state.tokens.forEach((token) => restoreAttributes(token, mathEnv(state.env)));
  });
  const rules = md.renderer.rules;
  rules.text = (tokens, idx, _options, env) =>
    typesetPlaceholders(tokens[idx]!.content, mathEnv(env), (t) => escapeHtml(unmask(t)));
  rules.html_inline = (tokens, idx, _options, env) => rawHtmlWithMath(tokens[idx]!.content, mathEnv(env));
  rules.html_block = (tokens, idx, _options, env) => rawHtmlWithMath(tokens[idx]!.content, mathEnv(env));
  // An image's alt text is its children's text: formulas there stay source.
  const renderInlineAsText = md.renderer.renderInlineAsText.bind(md.renderer);
  md.renderer.renderInlineAsText = (tokens, options, env) =>
    sourceOf(renderInlineAsText(tokens, options, env), mathEnv(env));
  return md;
}

const markdown = createMarkdown();

/** Markdown source -> HTML (unsanitized). */
export function markdownToHtml(source: string): string {
  const { text, entries } = extractMath(source);
  const env: MathEnv = { math: entries };
  return markdown.render(text, env);
}
