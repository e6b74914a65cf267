// The renderer on what notebooks legitimately hold: markdown with math, highlighted code, every
// output type, attachments, and nbgrader's way of printing scores.
import { describe, expect, it } from 'vitest';
import type { Cell, Notebook, Output } from '../../src/notebook/index.js';
import {
  cellMarkup,
  notebookLanguage,
  renderCell,
  renderMarkdown,
  renderNotebook,
  scoreText,
} from '../../src/render/index.js';
import { tagsOf } from './support/hostile.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const markdown = (source: string, extra: Partial<Cell> = {}): Cell =>
  ({ cell_type: 'markdown', source, metadata: {}, ...extra }) as Cell;
const code = (source: string, outputs: Output[] = [], count: number | null = 1): Cell => ({
  cell_type: 'code',
  source,
  metadata: {},
  execution_count: count,
  outputs,
});

describe('markdown', () => {
  it('renders CommonMark with tables, and keeps the table alignment', () => {
    const html = renderMarkdown('# Title\n\n| a | b |\n|--:|:-:|\n| 1 | 2 |\n\n*em* `code` ~~gone~~');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<td style="text-align:right">1</td>');
    expect(html).toContain('<em>em</em> <code>code</code> <s>gone</s>');
  });

  it('typesets $...$, $$...$$ and \\begin{equation} on the server as MathML, with no script', () => {
    const html = renderMarkdown(
      'Inline $x_i=i^2$ and $n<1$.\n\n$$\\sum_{i=1}^n i^2$$\n\n\\begin{equation}a=b\\end{equation}',
    );
    const names = tagsOf(html).map((t) => t.name);
    expect(names.filter((n) => n === 'math')).toHaveLength(4);
    expect(html).toContain('<msub><mi>x</mi><mi>i</mi></msub>');
    expect(html).toContain('<mi>n</mi><mo>&lt;</mo><mn>1</mn>');
    expect(html).toContain('<math display="block">');
    expect(html).toContain('<munderover><mo>∑</mo>');
    expect(html).not.toMatch(/mathjax|<script/i);
  });

  it('shows a formula KaTeX cannot read as its source, in red', () => {
    const html = renderMarkdown('$\\frac{1}{$');
    expect(html).toContain('katex-error');
    expect(html).toContain('style="color:#cc0000"');
  });

  it('finds math by Jupyter’s rule: no spaces needed around $, \\$ is a dollar, code is never math', () => {
    // nbgrader's own header writes Kernel$\rightarrow$Restart.
    expect(renderMarkdown('select Kernel$\\rightarrow$Restart')).toMatch(
      /Kernel<span class="katex"><math>.*<mo>→<\/mo>.*<\/math><\/span>Restart/,
    );
    expect(renderMarkdown('It costs \\$5 and \\$10 today.')).toBe('<p>It costs $5 and $10 today.</p>\n');
    expect(renderMarkdown('`$a` and `$b` are variables')).toBe(
      '<p><code>$a</code> and <code>$b</code> are variables</p>\n',
    );
    expect(renderMarkdown('```\nprice = "$5"  # $x$\n```')).toBe(
      '<pre><code>price = "$5"  # $x$\n</code></pre>\n',
    );
    // Math never crosses a blank line; an unmatched $ stays a dollar.
    expect(renderMarkdown('a $5\n\nb $x$')).toMatch(/^<p>a \$5<\/p>\n<p>b <span class="katex"><math>/);
  });

  it('protects math from markdown: a list marker, emphasis and \\\\( \\\\[ delimiters', () => {
    const html = renderMarkdown(
      '$$\\begin{aligned} a &= b \\\\\n - c_1 * d_2 * e \\end{aligned}$$\n\nin \\\\(x^2\\\\) and \\\\[y\\\\]',
    );
    expect(html).not.toContain('<li>');
    expect(html).not.toContain('<em>');
    expect(html.match(/<math/g)).toHaveLength(3);
    expect(html).toContain('<math display="block"><semantics><mrow><mi>y</mi>');
  });

  it('keeps a formula’s source where markup cannot go (a link address, alt text, an attribute)', () => {
    expect(renderMarkdown('[see $q$](https://x.org/$a$)')).toContain('href="https://x.org/$a$"');
    expect(renderMarkdown('![alt $m$](jupyter.png)')).toContain('alt="alt $m$"');
    expect(renderMarkdown('<div title="$t$">$h$</div>')).toMatch(
      /^<div title="\$t\$"><span class="katex"><math>/,
    );
    expect(renderMarkdown('literal @@0@@ and $z$')).toMatch(/^<p>literal @@0@@ and <span class="katex">/);
  });

  it('turns bare URLs into links that open in a new tab', () => {
    expect(renderMarkdown('see https://jupyter.org')).toContain(
      '<a href="https://jupyter.org" rel="noopener noreferrer nofollow" target="_blank">https://jupyter.org</a>',
    );
  });

  it('shows cell attachments as data: images and keeps images beside the notebook', () => {
    const cell = markdown('![a](attachment:dot.png) ![b](jupyter.png)', {
      attachments: { 'dot.png': { 'image/png': PNG } },
    });
    const { input } = renderCell(cell, 0);
    expect(input).toContain(`<img src="data:image/png;base64,${PNG}" alt="a" />`);
    expect(input).toContain('<img src="jupyter.png" alt="b" />');
  });
});

describe('code', () => {
  it('highlights Python on the server and escapes it', () => {
    const { input } = renderCell(code('def f(x):\n    return "<b>"  # note'), 0);
    expect(input).toContain('<span class="hljs-keyword">def</span>');
    expect(input).toContain('<span class="hljs-string">"&lt;b&gt;"</span>');
    expect(input).toContain('<span class="hljs-comment"># note</span>');
  });

  it('highlights in the notebook’s own language, and leaves unknown languages plain', () => {
    const nb = (language: string): Notebook => ({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'k', display_name: 'K', language } },
      cells: [code('x <- c(1, 2) # r')],
    });
    expect(notebookLanguage(nb('R'))).toBe('R');
    expect(renderNotebook(nb('R')).cells[0]!.input).toContain('language-r');
    expect(renderNotebook(nb('R')).cells[0]!.input).toContain('<span class="hljs-comment"># r</span>');
    const plain = renderNotebook(nb('brainfuck')).cells[0]!.input;
    expect(plain).toContain('x &lt;- c(1, 2) # r');
    expect(plain).not.toContain('hljs-');
  });
});

describe('outputs', () => {
  const render = (outputs: Output[]) => renderCell(code('x', outputs, 7), 0).outputs;

  it('shows streams, stderr marked as such', () => {
    const html = render([
      { output_type: 'stream', name: 'stdout', text: 'hello <world>\n' },
      { output_type: 'stream', name: 'stderr', text: ['warn', 'ing\n'] },
    ]);
    expect(html).toContain('<div class="nb-output nb-stream nb-stdout">');
    expect(html).toContain('hello &lt;world&gt;');
    expect(html).toContain('<div class="nb-output nb-stream nb-stderr">');
    expect(html).toContain('warning');
  });

  it('colours tracebacks from their ANSI escapes', () => {
    const html = render([
      {
        output_type: 'error',
        ename: 'NameError',
        evalue: "name 'x' is not defined",
        traceback: ['\u001b[0;31mNameError\u001b[0m: name \u001b[38;5;28mx\u001b[0m <is> not defined'],
      },
    ]);
    expect(html).toContain('<span class="ansi-red-fg">NameError</span>');
    expect(html).toContain('<span style="color:rgb(0,135,0)">x</span>');
    expect(html).toContain('&lt;is&gt;');
  });

  it('shows execute results with their prompt, and HTML tables as HTML', () => {
    const html = render([
      {
        output_type: 'execute_result',
        execution_count: 7,
        data: { 'text/html': '<table><tr><th>a</th></tr><tr><td>1</td></tr></table>', 'text/plain': 'a\n1' },
        metadata: {},
      },
    ]);
    expect(html).toContain('Out[7]:');
    expect(html).toContain('<table><tr><th>a</th></tr><tr><td>1</td></tr></table>');
  });

  it('renders markdown and LaTeX outputs, and images as data: URIs with their size', () => {
    const html = render([
      { output_type: 'display_data', data: { 'text/markdown': '**bold**' }, metadata: {} },
      { output_type: 'display_data', data: { 'text/latex': '$$\\alpha^2$$' }, metadata: {} },
      {
        output_type: 'display_data',
        data: { 'image/png': `${PNG.slice(0, 20)}\n${PNG.slice(20)}`, 'text/plain': '<Figure>' },
        metadata: { 'image/png': { width: 320, height: 240 } },
      },
      { output_type: 'display_data', data: { 'image/jpeg': '/9j/4AAQ' }, metadata: {} },
      { output_type: 'display_data', data: { 'image/svg+xml': '<svg><circle r="1"/></svg>' }, metadata: {} },
    ]);
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<math display="block"><semantics><mrow><msup><mi>α</mi>');
    expect(html).toContain(
      `src="data:image/png;base64,${PNG}" alt="image/png output" width="320" height="240"`,
    );
    expect(html).toContain('src="data:image/jpeg;base64,/9j/4AAQ"');
    expect(html).toContain(
      `src="data:image/svg+xml;base64,${Buffer.from('<svg><circle r="1"/></svg>').toString('base64')}"`,
    );
  });

  it('says which output it cannot show', () => {
    const html = render([
      { output_type: 'display_data', data: { 'application/vnd.widget+json': {} }, metadata: {} },
    ]);
    expect(html).toContain('[output not shown: application/vnd.widget+json]');
  });
});

describe('layout and scores', () => {
  it('lays a cell out with its prompt, input and outputs, and a page’s frame', () => {
    const cell = renderCell(code('1', [{ output_type: 'stream', name: 'stdout', text: '1' }], 3), 4);
    const html = cellMarkup(cell, { id: 'grade-a', className: 'nb-graded-cell', input: '<b>framed</b>' });
    expect(html).toMatch(/^<div class="nb-cell nb-code-cell nb-graded-cell" id="grade-a">/);
    expect(html).toContain('<div class="nb-prompt nb-input-prompt">In [3]:</div>');
    expect(html).toContain('<b>framed</b>');
    expect(html).toContain('<div class="nb-outputs">');
  });

  it('prints scores as nbgrader’s template does (Python str(round(float(x), 2)))', () => {
    expect([0, 1, 1.5, 10, 0.125, 0.375, 2 / 3, 1e16, -2, 1.005].map(scoreText)).toEqual([
      '0.0',
      '1.0',
      '1.5',
      '10.0',
      '0.12',
      '0.38',
      '0.67',
      '1e+16',
      '-2.0',
      '1.0',
    ]);
  });
});
