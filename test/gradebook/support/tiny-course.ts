/**
 * A small nbgrader course written from scratch for tests: one notebook with an answer cell
 * (`a = ...`) and a test cell (`assert a == 1`, 1 point), generated with coursehub's own
 * generate_assignment, and submissions whose answer cell holds whatever code a test wants.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateOrCreateAssignment } from '../../../src/gradebook/courses.js';
import { openCourseGradebook } from '../../../src/gradebook/course-gradebook.js';
import { storeGeneratedAssignment } from '../../../src/gradebook/store-generated.js';
import { generateAssignment } from '../../../src/course/index.js';

const nbgrader = (meta: Record<string, unknown>) => ({ nbgrader: { schema_version: 3, ...meta } });

export const SOURCE_NOTEBOOK = {
  cells: [
    { cell_type: 'markdown', id: 'intro', metadata: {}, source: 'Set `a` to 1.' },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'answer',
      metadata: nbgrader({ grade: false, solution: true, locked: false, grade_id: 'answer' }),
      outputs: [],
      source: '### BEGIN SOLUTION\na = 1\n### END SOLUTION',
    },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'test-a',
      metadata: nbgrader({ grade: true, solution: false, locked: true, grade_id: 'test_a', points: 1 }),
      outputs: [],
      source: 'assert a == 1',
    },
  ],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5,
};

/**
 * Writes source/ps1/p1.ipynb and nbgrader_config.py, generates release/ps1 and stores the cells in
 * the course gradebook (as `coursehub nbgrader generate_assignment` does).
 */
export async function createTinyCourse(courseDir: string, config = ''): Promise<void> {
  mkdirSync(join(courseDir, 'source/ps1'), { recursive: true });
  writeFileSync(join(courseDir, 'source/ps1/p1.ipynb'), JSON.stringify(SOURCE_NOTEBOOK, null, 1));
  writeFileSync(
    join(courseDir, 'nbgrader_config.py'),
    `c = get_config()\nc.CourseDirectory.course_id = 'tiny'\n${config}`,
  );
  const result = await generateAssignment({
    courseDir,
    assignment: 'ps1',
    force: true,
    saveCells: true,
    checkMetadata: true,
  });
  const gradebook = await openCourseGradebook(courseDir, 'tiny');
  try {
    await updateOrCreateAssignment(gradebook.store, gradebook.courseId, 'ps1', {
      duedate: '2024-01-02 00:00:00',
    });
    await storeGeneratedAssignment(gradebook.store, gradebook.courseId, result.record!);
  } finally {
    await gradebook.close();
  }
}

/** A submission: the release notebook with the answer cell's source replaced by `answer`. */
export function submit(
  courseDir: string,
  student: string,
  answer: string,
  timestamp = '2024-01-01 10:00:00 UTC',
) {
  const release = JSON.parse(readFileSync(join(courseDir, 'release/ps1/p1.ipynb'), 'utf8')) as {
    cells: Array<{ id?: string; source: string | string[] }>;
  };
  const cell = release.cells.find((c) => c.id === 'answer');
  if (!cell) throw new Error('the release has no answer cell');
  cell.source = answer;
  const dir = join(courseDir, 'submitted', student, 'ps1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'p1.ipynb'), JSON.stringify(release, null, 1));
  writeFileSync(join(dir, 'timestamp.txt'), timestamp);
}
