// The assignment editor in real Chromium through the real proxy and hub (issue 14, item 6).
// Must hold: a notebook marked in the browser generates the same release as the same notebook
// marked by nbgrader. test/fixtures/nbgrader-editor/ holds generate conformance cases' sources as
// nbgrader 0.9.5's Create Assignment toolbar marks them, and the release the real nbgrader's
// generate_assignment made from them (its README says how). Here each source is stripped of its
// nbgrader metadata, marked in the editor to what the toolbar wrote, saved — the saved file must be
// the toolbar-marked source byte for byte — and generated with the project's generate_assignment:
// the release must be nbgrader's byte for byte. Also: graders, students and other courses'
// instructors are refused (page and save), a hostile notebook runs nothing in the editor, a stale
// save is refused, a save that changes nothing leaves the file byte for byte as it was.
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { parseNotebook, writeNotebook, type Cell } from '../../src/notebook/index.js';
import { launchBrowser, newPage } from '../support/browser.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chae_prof';
const GRADER = 'chae_grader';
const AMY = 'chae_amy';
const OTHER_PROF = 'chae_oprof';
const A = 'aea';
const isRoot = process.getuid?.() === 0;

const CASES = join(import.meta.dirname, '../fixtures/nbgrader-conformance/generate');
const MARKED = join(import.meta.dirname, '../fixtures/nbgrader-editor');
/**
 * docs-ps1-noheader: every cell kind (manual code and markdown answers, autograded answers and
 * tests, read-only markdown, a task) over two notebooks with an image beside them; suite-features:
 * read-only code, zero, fractional and float points, cells with other metadata.
 */
const MARKED_CASES = ['docs-ps1-noheader', 'suite-features'];

type Meta = Record<string, unknown>;
const metaOf = (cell: Cell) => cell.metadata.nbgrader as Meta | undefined;

/** The toolbar type of a cell (nbgrader's `NbgraderMetadata.getType` on its metadata). */
function toolbarType(cell: Cell): string {
  const meta = metaOf(cell);
  if (!meta) return '';
  if (meta.task) return 'task';
  if (meta.solution && meta.grade) return 'manual';
  if (meta.solution && cell.cell_type === 'code') return 'solution';
  if (meta.grade && cell.cell_type === 'code') return 'tests';
  if (meta.locked) return 'readonly';
  return '';
}

describe.runIf(isRoot)('the assignment editor in the browser', () => {
  let ch: CourseHub;
  let browser: Browser;
  let base: string;
  const editor = (assignment: string, notebook = '') =>
    `/hub/courses/${A}/editor/${assignment}${notebook ? `/${notebook}` : ''}`;
  const sourceFile = (assignment: string, notebook: string) =>
    join(ch.courseDirA, 'source', assignment, notebook);

  async function pageAs(name: string) {
    const opened = await newPage(browser, base);
    const session = await ch.hub.session(name);
    await opened.context.addCookies([
      { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${base}/` },
    ]);
    const dialogs: string[] = [];
    const foreign: string[] = [];
    opened.page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    opened.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== base) foreign.push(request.url());
    });
    return { ...opened, dialogs, foreign };
  }

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: GRADER,
        students: [AMY],
        otherProf: OTHER_PROF,
        otherStudent: 'chae_os',
        admin: 'chae_ad',
      },
      { a: A, b: 'aeb' },
    );
    writeFileSync(
      join(ch.courseDirA, 'nbgrader_config.py'),
      readFileSync(join(MARKED, MARKED_CASES[0]!, 'nbgrader_config.py')),
    );
    base = ch.hub.proxy.publicUrl.replace(/\/$/, '');
    browser = await launchBrowser();
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await ch?.dispose();
  });

  it.each(MARKED_CASES)(
    '%s: stripped, marked in the browser and generated, gives the source and release nbgrader made',
    async (caseName) => {
      const assignment = caseName.replace(/[^a-z]/g, '');
      const markedSource = join(MARKED, caseName, 'source', 'ps1');
      const folder = join(ch.courseDirA, 'source', assignment);
      mkdirSync(folder, { recursive: true });
      cpSync(markedSource, folder, { recursive: true });
      const notebooks = readdirSync(markedSource)
        .filter((n) => n.endsWith('.ipynb'))
        .sort();
      for (const name of notebooks) {
        const stripped = parseNotebook(readFileSync(join(markedSource, name)));
        for (const cell of stripped.cells) delete cell.metadata.nbgrader;
        writeFileSync(join(folder, name), writeNotebook(stripped));
      }

      const { page, context, dialogs, foreign, pageErrors } = await pageAs(PROF);
      await page.goto(editor(assignment));
      expect(await page.locator('#source-notebooks a').allTextContents()).toEqual(notebooks);
      for (const name of notebooks) {
        await page.goto(editor(assignment, name));
        const toolbarMarked = readFileSync(join(markedSource, name));
        for (const [index, cell] of parseNotebook(toolbarMarked).cells.entries()) {
          const type = toolbarType(cell);
          const meta = metaOf(cell);
          await page.selectOption(`select[name="type-${index}"]`, type);
          if (type === '') continue;
          await page.fill(`input[name="id-${index}"]`, String(meta!.grade_id));
          if (meta!.points !== undefined)
            await page.fill(`input[name="points-${index}"]`, String(meta!.points));
        }
        await page.click('#save-marks');
        await page.waitForURL(/saved=1/);
        expect(await page.locator('.flash.info').textContent()).toContain('Saved');
        // Saved as the toolbar saves it: the same metadata keys and values, the same JSON.
        expect([name, readFileSync(join(folder, name), 'utf8')]).toEqual([
          name,
          toolbarMarked.toString('utf8'),
        ]);
      }
      // (The hub has no favicon: its 404 is the one resource that may fail.)
      expect([dialogs, foreign, pageErrors.filter((e) => !/^Failed to load resource/.test(e))]).toEqual([
        [],
        [],
        [],
      ]);
      await context.close();

      await ch.hub.services.courseWork.generate(A, assignment, { name: PROF, admin: false });
      const nbgraderRelease = join(MARKED, caseName, 'release', 'ps1');
      const release = join(ch.courseDirA, 'release', assignment);
      expect(readdirSync(release).sort()).toEqual(readdirSync(nbgraderRelease).sort());
      for (const file of readdirSync(nbgraderRelease)) {
        const expected = readFileSync(join(nbgraderRelease, file));
        const actual = readFileSync(join(release, file));
        if (file.endsWith('.ipynb')) {
          // Byte for byte: metadata, checksums, stripped solutions and hidden tests, outputs, JSON.
          expect([file, actual.toString('utf8')]).toEqual([file, expected.toString('utf8')]);
        } else {
          expect([file, actual.equals(expected)]).toEqual([file, true]);
        }
      }
    },
    240_000,
  );

  it('a save that changes nothing leaves the file byte for byte as it was', async () => {
    const folder = join(ch.courseDirA, 'source', 'roundtrip');
    mkdirSync(folder, { recursive: true });
    const original = readFileSync(join(CASES, 'suite-features', 'source', 'ps1', 'features.ipynb'));
    writeFileSync(join(folder, 'features.ipynb'), original);
    const { page, context } = await pageAs(PROF);
    await page.goto(editor('roundtrip', 'features.ipynb'));
    await page.click('#save-marks');
    await page.waitForURL(/saved=1/);
    expect(readFileSync(join(folder, 'features.ipynb')).equals(original)).toBe(true);
    await context.close();
  });

  it('graders, students and another course’s instructor are refused the pages and the save', async () => {
    const before = readFileSync(sourceFile('ps1', 'p1.ipynb'));
    // The course page links the editor for instructors only.
    const editLink = `href="${editor('ps1')}"`;
    expect(await (await ch.as(PROF, 'GET', `/hub/courses/${A}`)).text()).toContain(editLink);
    expect(await (await ch.as(GRADER, 'GET', `/hub/courses/${A}`)).text()).not.toContain(editLink);
    const opened = await ch.as(PROF, 'GET', editor('ps1', 'p1.ipynb'));
    expect(opened.status).toBe(200);
    const version = /name="version" value="([0-9a-f]{64})"/.exec(await opened.text())![1]!;
    for (const who of [GRADER, AMY, OTHER_PROF]) {
      for (const path of [editor('ps1'), editor('ps1', 'p1.ipynb')]) {
        const page = await ch.as(who, 'GET', path);
        const body = await page.text();
        expect([who, path, page.status]).toEqual([who, path, 403]);
        expect(body).not.toContain('p1.ipynb');
        expect(body).not.toContain('name="version"');
      }
      const saved = await ch.as(who, 'POST', editor('ps1', 'p1.ipynb'), {
        version,
        cells: '1',
        'type-0': 'readonly',
        'id-0': 'taken',
        'points-0': '',
      });
      expect([who, saved.status]).toEqual([who, 403]);
    }
    // Not logged in: to the login page, nothing saved.
    const anonymous = await ch.as(null, 'POST', editor('ps1', 'p1.ipynb'), { version, cells: '0' });
    expect([302, 403]).toContain(anonymous.status);
    expect(readFileSync(sourceFile('ps1', 'p1.ipynb')).equals(before)).toBe(true);
  });

  it('a hostile notebook in the editor runs nothing, fetches nothing and covers nothing', async () => {
    const hostile =
      '<script>alert("s")</script><img src="data:," onerror="alert(1)"><a id="js" href="javascript:alert(2)">js</a>' +
      '<svg><script>alert(3)</script><a href="javascript:alert(4)"><circle r="5"/></a></svg>' +
      '<iframe src="javascript:alert(5)"></iframe><style>body{display:none}</style>' +
      '<div style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999;background:red">COVER</div>' +
      '<img src="http://evil.invalid/p.png"><form action="javascript:alert(6)"><input name="type-0" value="manual"></form>';
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      cells: [
        { cell_type: 'markdown', id: 'm', metadata: {}, source: `# Hostile\n${hostile}` },
        {
          cell_type: 'code',
          id: 'c',
          metadata: {},
          execution_count: 1,
          source: 'x = 1',
          outputs: [
            {
              output_type: 'display_data',
              metadata: {},
              data: {
                'text/html': hostile,
                'image/svg+xml':
                  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(7)"><script>alert(8)</script></svg>',
                'text/plain': 'x',
              },
            },
          ],
        },
      ],
    };
    mkdirSync(join(ch.courseDirA, 'source', 'hostile'), { recursive: true });
    writeFileSync(sourceFile('hostile', 'h.ipynb'), JSON.stringify(notebook));
    const { page, context, dialogs, foreign } = await pageAs(PROF);
    await page.goto(editor('hostile', 'h.ipynb'));
    await page
      .locator('#js')
      .click()
      .catch(() => undefined);
    expect(dialogs).toEqual([]);
    expect(foreign).toEqual([]);
    // Nothing covers the controls: the element at the save button's centre is the button.
    const covered = await page.evaluate(() => {
      const button = document.getElementById('save-marks')!;
      button.scrollIntoView();
      const box = button.getBoundingClientRect();
      return document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)?.id;
    });
    expect(covered).toBe('save-marks');
    // The notebook's own form fields never reach the editor's form.
    expect(await page.locator('#assignment-editor [name="type-0"]').count()).toBe(1);
    expect(await page.locator('script').count()).toBe(0);
    await context.close();
  });

  it('a save over a notebook changed on disk since it was opened is refused and changes nothing', async () => {
    const { page, context } = await pageAs(PROF);
    await page.goto(editor('ps1', 'p1.ipynb'));
    // Someone edits the notebook in Jupyter meanwhile.
    const changed = parseNotebook(readFileSync(sourceFile('ps1', 'p1.ipynb')));
    changed.cells[0]!.source = 'Changed in Jupyter';
    const changedText = writeNotebook(changed);
    writeFileSync(sourceFile('ps1', 'p1.ipynb'), changedText);
    await page.selectOption('select[name="type-0"]', 'readonly');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('#save-marks'),
    ]);
    expect(response.status()).toBe(409);
    expect(await page.locator('.flash.error').textContent()).toContain(
      'source/ps1/p1.ipynb changed on disk since you opened it; nothing was saved.',
    );
    expect(readFileSync(sourceFile('ps1', 'p1.ipynb'), 'utf8')).toBe(changedText);
    // The page now shows the notebook as it is on disk, ready to mark again.
    expect(await page.locator('.nb-markdown').first().textContent()).toContain('Changed in Jupyter');
    await context.close();
  });
});
