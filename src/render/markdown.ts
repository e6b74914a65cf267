/**
 * Markdown as Jupyter shows it: CommonMark with GitHub tables and strikethrough (markdown-it),
 * bare URLs turned into links, raw HTML allowed (it goes through the sanitizer with everything
 * else), and math in `$...$`, `$$...$$` and bare `\begin{env}...\end{env}` typeset on the
 * server (@vscode/markdown-it-katex, the plugin VS Code's notebooks use, with KaTeX as MathML).
 * The result is NOT sanitized yet: callers pass it through `sanitizeHtml`.
 */
import markdownIt, { type MarkdownIt } from 'markdown-it';
import markdownItKatexModule from '@vscode/markdown-it-katex';
import { KATEX_OPTIONS } from './math.js';

type Plugin = (md: MarkdownIt, options: object) => void;

// The plugin is CommonJS with `exports.default`: Node's ESM import sees `{ default: plugin }`
// where its types (written against markdown-it's CommonJS types) promise the plugin itself.
const markdownItKatex = ((markdownItKatexModule as unknown as { default?: Plugin }).default ??
  markdownItKatexModule) as unknown as Plugin;

function createMarkdown(): MarkdownIt {
  const md = markdownIt({ html: true, linkify: true, typographer: false });
  // The plugin hands its options on to KaTeX, so KaTeX's options go in the same object.
  const options = { ...KATEX_OPTIONS, enableBareBlocks: true };
  md.use(markdownItKatex, options);
  return md;
}

const markdown = createMarkdown();

/** Markdown source -> HTML (unsanitized). */
export function markdownToHtml(source: string): string {
  return markdown.render(source);
}
