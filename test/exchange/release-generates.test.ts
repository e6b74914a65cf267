// release of an assignment that was never generated (issue 12, item 3): release runs
// generate_assignment first (cells stored in the hub's gradebook), says so in its result, and a
// generate error comes back per notebook and cell, with nothing released.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseGenerateError } from '../../src/exchange/errors.js';
import { ensureCourse } from '../../src/gradebook/courses.js';
import { loadSourceNotebooks } from '../../src/gradebook/source-notebooks.js';
import { exchangeFixture, type ExchangeFixture } from './support/exchange-fixture.js';

const COURSE = 'gen101';
const TEACHER = 'chrg_teacher';
const STUDENT = 'chrg_student';
const SAMPLE = new URL('../../examples/sample-course/', import.meta.url);

let fixture: ExchangeFixture;
const teacher = { name: TEACHER };

beforeAll(async () => {
  fixture = await exchangeFixture({ course: COURSE, instructors: [TEACHER], students: [STUDENT] });
  cpSync(new URL('source/hello', SAMPLE), join(fixture.courseDir, 'source', 'hello'), { recursive: true });
  cpSync(new URL('nbgrader_config.py', SAMPLE), join(fixture.courseDir, 'nbgrader_config.py'));
}, 60_000);

afterAll(async () => {
  await fixture?.dispose();
});

function notebook(cells: object[]): string {
  return JSON.stringify({
    cells,
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

describe('release generates first if needed', () => {
  it('generates release/hello, stores its cells, releases it, and says so; a second release does not generate', async () => {
    const releaseDir = join(fixture.courseDir, 'release', 'hello');
    expect(existsSync(releaseDir)).toBe(false);

    const result = await fixture.exchange.release(COURSE, 'hello', teacher);
    expect(result.generated).toEqual({ notebooks: ['hello.ipynb'], files: [] });
    expect(result).toMatchObject({ version: 1, unchanged: false, files: ['hello.ipynb'] });

    // The student version: the solution replaced, the hidden test's body gone.
    const released = readFileSync(join(releaseDir, 'hello.ipynb'), 'utf8');
    expect(released).toContain('YOUR CODE HERE');
    expect(released).not.toContain('BEGIN SOLUTION');
    expect(released).not.toContain('BEGIN HIDDEN TESTS');
    // The gradebook has its cells, as generate_assignment stores them (autograde needs them).
    const gradebookCourse = await ensureCourse(fixture.stores.gradebook, COURSE);
    const notebooks = await loadSourceNotebooks(fixture.stores.gradebook, gradebookCourse, 'hello');
    expect(notebooks.map((nb) => nb.name)).toEqual(['hello']);

    // A student can fetch what was released.
    const fetched = await fixture.exchange.fetch(COURSE, 'hello', { name: STUDENT });
    expect(fetched).toBeDefined();
    const home = (await fixture.account(STUDENT)).home;
    expect(readFileSync(join(home, COURSE, 'hello', 'hello.ipynb'), 'utf8')).toBe(released);

    const again = await fixture.exchange.release(COURSE, 'hello', teacher);
    expect(again).toMatchObject({ version: 1, unchanged: true });
    expect(again.generated).toBeUndefined();
  }, 60_000);

  it('reports a generate error by notebook and cell, and releases nothing', async () => {
    const source = join(fixture.courseDir, 'source', 'broken');
    mkdirSync(source, { recursive: true });
    writeFileSync(
      join(source, 'broken.ipynb'),
      notebook([
        { cell_type: 'markdown', metadata: {}, source: '# Broken' },
        {
          cell_type: 'code',
          execution_count: null,
          outputs: [],
          metadata: {
            nbgrader: { schema_version: 3, grade: false, grade_id: 'answer', locked: false, solution: true },
          },
          source: '### BEGIN SOLUTION\nanswer = 42\n',
        },
      ]),
    );
    const error = await fixture.exchange.release(COURSE, 'broken', teacher).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReleaseGenerateError);
    const refused = error as ReleaseGenerateError;
    expect(refused.message).toContain("broken.ipynb, cell 2 ('answer'): no end solution statement found");
    expect(refused.message).toContain('generates broken of gen101 first');
    expect(refused.location).toMatchObject({ cellIndex: 1, gradeId: 'answer' });
    expect(existsSync(join(fixture.courseDir, 'release', 'broken'))).toBe(false);
    const gradebookCourse = await ensureCourse(fixture.stores.gradebook, COURSE);
    expect(await fixture.stores.gradebook.courses.findAssignment(gradebookCourse, 'broken')).toBeUndefined();
    const course = (await fixture.courses.require(COURSE)).id;
    expect(await fixture.stores.exchange.releases(course, 'broken')).toEqual([]);
  }, 60_000);
});
