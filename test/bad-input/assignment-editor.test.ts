// Bad marks at the assignment editor (issue 14, item 6): each refused with nbgrader's own
// validation message (read from the conformance cases nbgrader 0.9.5 answered), the marks shown
// again as posted, and the source notebook left byte for byte as it was, with nothing staged left
// beside it. Names that are not a notebook of the folder, and assignment ids that could leave it,
// are refused by name.
import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chbe_prof';
const A = 'bea';
const isRoot = process.getuid?.() === 0;
const METADATA_CASES = join(import.meta.dirname, '../fixtures/nbgrader-conformance/metadata');

/** nbgrader's message for a metadata case (validate_nb's). */
function nbgraderMessage(caseName: string): string {
  const expected = JSON.parse(readFileSync(join(METADATA_CASES, caseName, 'expected.json'), 'utf8')) as {
    validate_nb: { message: string };
  };
  return expected.validate_nb.message;
}

const unescape = (text: string) =>
  text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&');

const NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    { cell_type: 'markdown', id: 'intro', metadata: {}, source: 'Intro' },
    { cell_type: 'code', id: 'answer', metadata: {}, execution_count: null, outputs: [], source: 'x = 1' },
    {
      cell_type: 'code',
      id: 'test',
      metadata: {},
      execution_count: null,
      outputs: [],
      source: 'assert x == 1',
    },
    { cell_type: 'markdown', id: 'explain', metadata: {}, source: 'Explain' },
  ],
};

type Mark = [type: string, id: string, points: string];
const NONE: Mark = ['', '', ''];

describe.runIf(isRoot)('bad marks at the assignment editor', () => {
  let ch: CourseHub;
  let folder: string;
  const path = (notebook = 'e.ipynb', assignment = 'ed') =>
    `/hub/courses/${A}/editor/${assignment}/${notebook}`;

  async function version(): Promise<string> {
    const page = await ch.as(PROF, 'GET', path());
    return /name="version" value="([0-9a-f]{64})"/.exec(await page.text())![1]!;
  }

  async function post(marks: Mark[]) {
    const form: Record<string, string> = { version: await version(), cells: String(marks.length) };
    marks.forEach(([type, id, points], index) => {
      form[`type-${index}`] = type;
      form[`id-${index}`] = id;
      form[`points-${index}`] = points;
    });
    const response = await ch.as(PROF, 'POST', path(), form);
    return { status: response.status, body: unescape(await response.text()) };
  }

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: 'chbe_gr',
        students: ['chbe_amy'],
        otherProf: 'chbe_op',
        otherStudent: 'chbe_os',
        admin: 'chbe_ad',
      },
      { a: A, b: 'beb' },
    );
    folder = join(ch.courseDirA, 'source', 'ed');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'e.ipynb'), JSON.stringify(NOTEBOOK, null, 1));
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
  });

  const BAD: [string, Mark[], string][] = [
    [
      'duplicate grade ids',
      [NONE, ['solution', 'id1', ''], ['tests', 'id1', '1'], NONE],
      nbgraderMessage('pp-duplicate-grade-ids'),
    ],
    ['an empty grade id', [NONE, ['solution', '', ''], NONE, NONE], nbgraderMessage('pp-blank-grade-id')],
    [
      'a grade id with other characters',
      [NONE, ['solution', 'bad id!', ''], NONE, NONE],
      nbgraderMessage('suite-bad-grade-id-chars'),
    ],
    ['negative points', [NONE, NONE, ['tests', 't', '-1'], NONE], nbgraderMessage('suite-negative-points')],
    [
      'no points on a graded cell',
      [NONE, NONE, ['tests', 'id1', ''], NONE],
      nbgraderMessage('pp-blank-points'),
    ],
    [
      'points that are not a number',
      [NONE, NONE, ['tests', 't', 'two'], NONE],
      nbgraderMessage('suite-points-string').replace("'2'", "'two'"),
    ],
    [
      'autograder tests on a markdown cell',
      [['tests', 'foo', '1'], NONE, NONE, NONE],
      nbgraderMessage('pp-bad-markdown-cell-1'),
    ],
    [
      'a task on a code cell',
      [NONE, ['task', 'tk', '1'], NONE, NONE],
      nbgraderMessage('suite-task-cell-code').replace('# a task must be markdown', 'x = 1'),
    ],
    [
      'points on a read-only cell',
      [['readonly', 'ro', '3'], NONE, NONE, NONE],
      'a "Read-only" cell has no points (3 given)',
    ],
    [
      'a cell type nbgrader does not have',
      [['bogus', 'b', ''], NONE, NONE, NONE],
      '"bogus" is not a cell type of nbgrader',
    ],
    [
      'marks for fewer cells than the notebook has',
      [NONE],
      '1 cells were marked, but source/ed/e.ipynb has 4',
    ],
  ];

  it.each(BAD)('%s: nbgrader’s message, the file unchanged', async (_what, marks, message) => {
    const before = readFileSync(join(folder, 'e.ipynb'));
    const { status, body } = await post(marks);
    expect(status).toBe(400);
    expect(body).toContain('Nothing was saved.');
    expect(body).toContain(message);
    expect(readFileSync(join(folder, 'e.ipynb')).equals(before)).toBe(true);
    expect(readdirSync(folder)).toEqual(['e.ipynb']);
  });

  it('the refused marks are shown again as they were posted', async () => {
    const { body } = await post([NONE, ['solution', 'id1', ''], ['tests', 'id1', '7'], NONE]);
    expect(body).toMatch(/name="points-2" value="7"/);
    expect(body).toMatch(/<option value="tests" selected>/);
  });

  it('names that are not a notebook of the folder, and bad assignment ids, are refused', async () => {
    writeFileSync(join(ch.courseDirA, 'outside.ipynb'), JSON.stringify(NOTEBOOK));
    symlinkSync(join(ch.courseDirA, 'outside.ipynb'), join(folder, 'link.ipynb'));
    for (const [notebook, assignment] of [
      ['..%2F..%2Foutside.ipynb', 'ed'],
      ['link.ipynb', 'ed'],
      ['.hidden.ipynb', 'ed'],
      ['e.txt', 'ed'],
      ['missing.ipynb', 'ed'],
      ['e.ipynb', '..'],
      ['e.ipynb', 'a%0Ab'],
    ] as const) {
      const page = await ch.as(PROF, 'GET', path(notebook, assignment));
      expect([notebook, assignment, page.status >= 400 && page.status < 500]).toEqual([
        notebook,
        assignment,
        true,
      ]);
      const saved = await ch.as(PROF, 'POST', path(notebook, assignment), { version: 'x', cells: '0' });
      expect([notebook, assignment, saved.status >= 400 && saved.status < 500]).toEqual([
        notebook,
        assignment,
        true,
      ]);
    }
    expect(readFileSync(join(ch.courseDirA, 'outside.ipynb'), 'utf8')).toBe(JSON.stringify(NOTEBOOK));
    expect(existsSync(join(folder, '.e.ipynb.editor'))).toBe(false);
  });
});
