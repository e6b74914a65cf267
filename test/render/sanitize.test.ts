// The one sanitizer and the renderer over a hostile notebook: every vector of
// support/hostile.ts comes out inert (no script, handler, dangerous URL, remote request or
// escaping style), and what notebooks legitimately hold survives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  renderCell,
  renderFeedbackPage,
  renderMarkdown,
  renderNotebook,
  sanitizeHtml,
} from '../../src/render/index.js';
import { EVIL, HOSTILE_MARKDOWN, hostileNotebook, inertProblems, tagsOf } from './support/hostile.js';

describe('sanitizeHtml', () => {
  for (const vector of HOSTILE_MARKDOWN) {
    it(`leaves nothing active of ${JSON.stringify(vector).slice(0, 90)}`, () => {
      const raw = sanitizeHtml(vector);
      expect(inertProblems(raw)).toEqual([]);
      expect(raw).not.toMatch(new RegExp(`src="[^"]*${EVIL}`));
      const markdown = renderMarkdown(vector);
      expect(inertProblems(markdown)).toEqual([]);
      for (const { name, attributes } of tagsOf(markdown)) {
        if (name === 'img') expect(attributes.src ?? '').not.toContain(EVIL);
      }
    });
  }

  it('turns remote, absolute and climbing images into a visible note, never a request', () => {
    for (const src of [
      `https://${EVIL}/t.png`,
      `//${EVIL}/t.png`,
      '/hub/logout',
      '../../hub/logout',
      '%2E%2E/hub/logout',
      'a\\..\\..\\hub',
      'javascript:alert(1)',
    ]) {
      const html = sanitizeHtml(`<img src="${src}" alt="">`);
      expect(html, src).not.toContain('<img');
      expect(html, src).toContain('nb-blocked-image');
    }
  });

  it('keeps data: images and relative files beside the notebook', () => {
    expect(sanitizeHtml('<img src="jupyter.png" alt="logo">')).toBe('<img src="jupyter.png" alt="logo" />');
    expect(sanitizeHtml('<img src="figures/plot 1.png">')).toBe('<img src="figures/plot 1.png" />');
    expect(sanitizeHtml('<img src="data:image/png;base64,iVBORw0KGgo=">')).toBe(
      '<img src="data:image/png;base64,iVBORw0KGgo=" />',
    );
    expect(sanitizeHtml('<img src="data:text/html;base64,PHNjcmlwdD4=">')).not.toContain('<img');
  });

  it('lets a page map relative files, and checks what the mapping returns', () => {
    const mapped = sanitizeHtml('<img src="plot.png"><a href="data.csv">data</a>', {
      relativeUrl: (path) => `files/${path}`,
    });
    expect(mapped).toContain('src="files/plot.png"');
    expect(mapped).toContain('href="files/data.csv"');
    const rewritten = sanitizeHtml('<img src="attachment:x">', {
      rewriteImage: () => `https://${EVIL}/x.png`,
    });
    expect(rewritten).not.toContain(EVIL);
  });

  it('opens links in a new tab without opener or referrer, and keeps in-page anchors', () => {
    expect(sanitizeHtml('<a href="https://example.org" target="_self" rel="opener">x</a>')).toBe(
      '<a href="https://example.org" rel="noopener noreferrer nofollow" target="_blank">x</a>',
    );
    expect(sanitizeHtml('<a href="#part-a">x</a>')).toBe('<a href="#part-a">x</a>');
  });

  it('keeps only colours, weight, slant, underline and alignment in style attributes', () => {
    expect(
      sanitizeHtml(
        '<span style="color: rgb(1,2,3); position: fixed; top: 0; font-weight: bold; z-index: 9">x</span>',
      ),
    ).toBe('<span style="color:rgb(1,2,3);font-weight:bold">x</span>');
    expect(sanitizeHtml('<td style="text-align:right">1</td>')).toContain('style="text-align:right"');
    expect(sanitizeHtml('<div style="position:fixed;inset:0">x</div>')).toBe('<div>x</div>');
  });

  it('keeps only the renderer’s own classes', () => {
    expect(sanitizeHtml('<span class="hljs-keyword ansi-red-fg nb-x evil modal-backdrop">x</span>')).toBe(
      '<span class="hljs-keyword ansi-red-fg nb-x">x</span>',
    );
  });

  it('is stable: sanitizing sanitized HTML changes nothing', () => {
    const page = renderFeedbackPage({
      notebookName: 'hostile',
      notebook: hostileNotebook(),
      cells: [],
      score: 0,
      maxScore: 0,
      latePenalty: 0,
    });
    const body = page.slice(page.indexOf('<main'), page.indexOf('</main>') + '</main>'.length);
    expect(sanitizeHtml(body)).toBe(body);
  });

  it('leaves any mix of hostile fragments inert (property)', () => {
    const fragments = [
      ...HOSTILE_MARKDOWN,
      '<div>',
      '</div>',
      '<p>',
      '"',
      "'",
      '>',
      '<',
      '<math>',
      '<table>',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 12 }), (parts) => {
        const html = sanitizeHtml(parts.join(''));
        expect(inertProblems(html)).toEqual([]);
        expect(inertProblems(renderMarkdown(parts.join('\n')))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('rendering the hostile notebook', () => {
  const notebook = hostileNotebook();

  it('every cell input and output is inert', () => {
    const { cells } = renderNotebook(notebook);
    expect(cells).toHaveLength(notebook.cells.length);
    for (const cell of cells) {
      expect(inertProblems(cell.input), `cell ${cell.index} input`).toEqual([]);
      expect(inertProblems(cell.outputs), `cell ${cell.index} outputs`).toEqual([]);
      expect(cell.input + cell.outputs).not.toMatch(new RegExp(`(src|href)="[^"]*${EVIL}`));
    }
  });

  it('shows SVG output only through <img> with a data: URI', () => {
    const code = notebook.cells.find((c) => c.cell_type === 'code')!;
    const { outputs } = renderCell(code, 0);
    const images = tagsOf(outputs).filter((t) => t.name === 'img');
    expect(images.map((i) => i.attributes.src!.slice(0, 26))).toContain('data:image/svg+xml;base64,');
    expect(tagsOf(outputs).some((t) => t.name === 'svg')).toBe(false);
  });

  it('never shows JavaScript output, and refuses a PNG that is not base64', () => {
    const code = notebook.cells.find((c) => c.cell_type === 'code')!;
    const { outputs } = renderCell(code, 0);
    expect(outputs).toContain('&lt;IPython.core.display.Javascript object&gt;');
    expect(outputs).toContain('[image/png output is not valid base64]');
    expect(outputs).not.toContain('onload');
  });

  it('escapes raw cells and code', () => {
    const { cells } = renderNotebook(notebook);
    const raw = cells.find((c) => c.cellType === 'raw')!;
    expect(raw.input).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const code = cells.find((c) => c.cellType === 'code')!;
    expect(code.input).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;');
  });

  it('the feedback page has no script, no handler and no address of another origin', () => {
    const page = renderFeedbackPage({
      notebookName: '<script>alert(1)</script>',
      notebook,
      cells: [],
      score: 1,
      maxScore: 2,
      latePenalty: 0,
    });
    const head = page.slice(0, page.indexOf('<body>'));
    const body = page.slice(page.indexOf('<body>'));
    expect(tagsOf(head).map((t) => t.name)).toEqual([
      'html',
      'head',
      'meta',
      'meta',
      'meta',
      'meta',
      'title',
      'style',
    ]);
    expect(head).not.toMatch(/@import|url\(/);
    expect(inertProblems(body)).toEqual([]);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(new RegExp(`(src|href)="[^"]*${EVIL}`));
    expect(page).toContain('Content-Security-Policy" content="default-src \'none\'');
  });
});
