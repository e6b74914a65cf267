/**
 * The stylesheet of rendered notebooks, self-contained (no fonts, images or imports to fetch):
 * cells and prompts laid out as Jupyter's classic notebook, markdown as `rendered_html`,
 * highlight.js tokens in a light theme, ANSI colours as Jupyter's, and MathML as KaTeX writes it.
 * Pages inline it (the feedback page) or serve it (the hub's pages). Nothing in it positions a
 * box out of the flow, so no class a notebook may use can cover the page.
 */
export const NOTEBOOK_CSS = `
.nb-notebook { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; line-height: 1.45; color: #1f2328; }
.nb-cell { display: block; margin: 0 0 0.6em; overflow-x: auto; contain: paint; }
.nb-input, .nb-output { display: flex; align-items: flex-start; }
.nb-prompt { flex: 0 0 7.5em; padding: 0.4em 0.6em 0 0; text-align: right; color: #303f9f;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.nb-output-prompt { color: #d84315; }
.nb-input-area, .nb-output-area { flex: 1 1 auto; min-width: 0; }
.nb-code-cell .nb-source { background: #f7f7f7; border: 1px solid #cfcfcf; border-radius: 2px; }
.nb-source, .nb-output-text, .nb-raw { margin: 0; padding: 0.4em 0.6em; overflow-x: auto; white-space: pre;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; line-height: 1.35; }
.nb-output-text { white-space: pre-wrap; word-break: break-word; }
.nb-stderr .nb-output-area { background: #fdd; }
.nb-output-image { max-width: 100%; height: auto; }
.nb-output-html, .nb-output-markdown, .nb-output-latex { padding: 0.4em 0; overflow-x: auto; }
.nb-hidden-tests { margin: 0.2em 0; border: 2px dashed #b27d12; background: #fff8e5; }
.nb-hidden-tests-label { padding: 0.1em 0.6em; color: #7a4e00; font-size: 12px; font-weight: bold; }
.nb-blocked-image { color: #6a737d; font-style: italic; }
.nb-markdown { padding: 0.2em 0.4em; overflow-x: auto; }
.nb-markdown img { max-width: 100%; }
.nb-markdown table, .nb-output-html table { border-collapse: collapse; margin: 0.5em 0; }
.nb-markdown th, .nb-markdown td, .nb-output-html th, .nb-output-html td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; }
.nb-output-html thead, .nb-markdown thead { background: #f6f8fa; }
.nb-markdown blockquote { margin: 0.5em 0; padding: 0 1em; color: #57606a; border-left: 0.25em solid #d0d7de; }
.nb-markdown code { background: #f2f2f2; padding: 0.1em 0.25em; border-radius: 3px; font-size: 90%; }
.nb-markdown pre code { background: none; padding: 0; }
.nb-markdown pre { background: #f7f7f7; padding: 0.4em 0.6em; overflow-x: auto; }
math[display="block"] { display: block math; }
.katex-error { color: #cc0000; }
.hljs-keyword, .hljs-selector-tag, .hljs-literal, .hljs-type { color: #008000; font-weight: bold; }
.hljs-built_in, .hljs-builtin-name { color: #008000; }
.hljs-string, .hljs-regexp, .hljs-char.escape_ { color: #ba2121; }
.hljs-comment, .hljs-quote { color: #3d7b7b; font-style: italic; }
.hljs-number { color: #666666; }
.hljs-title, .hljs-title.function_, .hljs-title.class_ { color: #0000ff; }
.hljs-meta, .hljs-decorator { color: #aa22ff; }
.hljs-operator { color: #aa22ff; font-weight: bold; }
.hljs-params, .hljs-variable, .hljs-attr { color: #19177c; }
.hljs-subst { color: #a45a77; }
.ansi-bold { font-weight: bold; }
.ansi-black-fg { color: #3e424d; } .ansi-black-bg { background-color: #3e424d; }
.ansi-red-fg { color: #e75c58; } .ansi-red-bg { background-color: #e75c58; }
.ansi-green-fg { color: #00a250; } .ansi-green-bg { background-color: #00a250; }
.ansi-yellow-fg { color: #ddb62b; } .ansi-yellow-bg { background-color: #ddb62b; }
.ansi-blue-fg { color: #208ffb; } .ansi-blue-bg { background-color: #208ffb; }
.ansi-magenta-fg { color: #d160c4; } .ansi-magenta-bg { background-color: #d160c4; }
.ansi-cyan-fg { color: #60c6c8; } .ansi-cyan-bg { background-color: #60c6c8; }
.ansi-white-fg { color: #c5c1b4; } .ansi-white-bg { background-color: #c5c1b4; }
.ansi-bright-black-fg { color: #282c36; } .ansi-bright-black-bg { background-color: #282c36; }
.ansi-bright-red-fg { color: #b22b31; } .ansi-bright-red-bg { background-color: #b22b31; }
.ansi-bright-green-fg { color: #007427; } .ansi-bright-green-bg { background-color: #007427; }
.ansi-bright-yellow-fg { color: #b27d12; } .ansi-bright-yellow-bg { background-color: #b27d12; }
.ansi-bright-blue-fg { color: #0065ca; } .ansi-bright-blue-bg { background-color: #0065ca; }
.ansi-bright-magenta-fg { color: #a03196; } .ansi-bright-magenta-bg { background-color: #a03196; }
.ansi-bright-cyan-fg { color: #258f8f; } .ansi-bright-cyan-bg { background-color: #258f8f; }
.ansi-bright-white-fg { color: #a1a6b2; } .ansi-bright-white-bg { background-color: #a1a6b2; }
`;
