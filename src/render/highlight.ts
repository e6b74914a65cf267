/**
 * Code highlighted on the server with highlight.js (the same token classes as its CSS themes),
 * for the languages notebooks are written in; other languages are shown as escaped plain text.
 * highlight.js escapes the code itself; the result still goes through the sanitizer.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import go from 'highlight.js/lib/languages/go';
import haskell from 'highlight.js/lib/languages/haskell';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import julia from 'highlight.js/lib/languages/julia';
import markdown from 'highlight.js/lib/languages/markdown';
import matlab from 'highlight.js/lib/languages/matlab';
import ocaml from 'highlight.js/lib/languages/ocaml';
import python from 'highlight.js/lib/languages/python';
import r from 'highlight.js/lib/languages/r';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import scala from 'highlight.js/lib/languages/scala';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { escapeHtml } from './escape.js';

// prettier-ignore
const LANGUAGES = {
  bash, c, cpp, csharp, go, haskell, java, javascript, json, julia, markdown, matlab, ocaml, python,
  r, ruby, rust, scala, sql, typescript, yaml,
};
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** Kernel language names (kernelspec.language, language_info.name) that highlight.js knows by another name. */
const ALIASES: Record<string, string> = {
  ipython: 'python',
  ipython3: 'python',
  python3: 'python',
  octave: 'matlab',
  'c++': 'cpp',
  'c#': 'csharp',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  js: 'javascript',
  node: 'javascript',
  ts: 'typescript',
};

/** The highlight.js language for a notebook language name, or null when there is none. */
export function highlightLanguage(name: string | undefined): string | null {
  if (!name) return null;
  const lower = name.toLowerCase();
  const resolved = ALIASES[lower] ?? lower;
  return hljs.getLanguage(resolved) ? resolved : null;
}

/** Code -> `<pre class="nb-source hljs"><code>...</code></pre>` (unsanitized; the caller sanitizes). */
export function highlightCode(code: string, languageName: string | undefined): string {
  const language = highlightLanguage(languageName);
  const body = language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : escapeHtml(code);
  const languageClass = language ? ` language-${language}` : '';
  return `<pre class="nb-source hljs"><code class="nb-code${languageClass}">${body}</code></pre>`;
}
