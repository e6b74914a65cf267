// Symbolic links among the files generate and autograde copy (issue 17, item 5): a link in an
// instructor's source folder or in a student's submission is never followed, copied or graded, so
// a link to /etc/shadow, to another student's work or to a folder outside the course reaches
// nobody.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findAllFiles, generateAssignment } from '../../src/course/index.js';
import { autogradeAssignment } from '../../src/gradebook/autograde/autograde-assignment.js';
import { openCourseGradebook } from '../../src/gradebook/course-gradebook.js';
import { DEFAULT_AUTOGRADE_SETTINGS } from '../../src/grading/autograde/settings.js';
import { createTinyCourse, SOURCE_NOTEBOOK, submit } from '../gradebook/support/tiny-course.js';

const scratch = mkdtempSync(join(tmpdir(), 'coursehub-symlinks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Files outside the course that links point to; none of their contents may show up anywhere. */
function outside(): { secret: string; folder: string; notebook: string } {
  const dir = mkdtempSync(join(scratch, 'outside-'));
  writeFileSync(join(dir, 'secret.txt'), 'SECRET-OUTSIDE-THE-COURSE\n');
  mkdirSync(join(dir, 'folder'));
  writeFileSync(join(dir, 'folder/inside.txt'), 'SECRET-OUTSIDE-THE-COURSE\n');
  const notebook = structuredClone(SOURCE_NOTEBOOK);
  notebook.cells[0]!.source = 'SECRET-OUTSIDE-THE-COURSE';
  writeFileSync(join(dir, 'other.ipynb'), JSON.stringify(notebook));
  return { secret: join(dir, 'secret.txt'), folder: join(dir, 'folder'), notebook: join(dir, 'other.ipynb') };
}

/** Every file under `dir` (links included, as what they are) and whether any holds the secret. */
function contents(dir: string): { files: string[]; leaked: boolean } {
  const files: string[] = [];
  let leaked = false;
  const walk = (current: string, prefix: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isSymbolicLink()) files.push(`${prefix}${entry.name} (link)`);
      else if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else {
        files.push(prefix + entry.name);
        if (readFileSync(path, 'utf8').includes('SECRET-OUTSIDE-THE-COURSE')) leaked = true;
      }
    }
  };
  walk(dir, '');
  return { files: files.sort(), leaked };
}

describe('symbolic links in course files', () => {
  it('generate leaves out links in the source folder: files, folders and notebooks', async () => {
    const courseDir = mkdtempSync(join(scratch, 'course-'));
    const links = outside();
    const source = join(courseDir, 'source/ps1');
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, 'p1.ipynb'), JSON.stringify(SOURCE_NOTEBOOK));
    writeFileSync(join(source, 'data.csv'), 'x,y\n');
    symlinkSync(links.secret, join(source, 'secret.txt'));
    symlinkSync(links.folder, join(source, 'folder'));
    symlinkSync(links.notebook, join(source, 'linked.ipynb'));

    const result = await generateAssignment({ courseDir, assignment: 'ps1', saveCells: true });
    expect(result.notebooks).toEqual(['p1.ipynb']);
    expect(result.files).toEqual(['data.csv']);
    expect(Object.keys(result.record!.notebooks)).toEqual(['p1']);
    expect(contents(join(courseDir, 'release/ps1'))).toEqual({
      files: ['data.csv', 'p1.ipynb'],
      leaked: false,
    });
  });

  it("autograde leaves out links in a student's submission, and a linked notebook is not graded", async () => {
    const courseDir = mkdtempSync(join(scratch, 'course-'));
    await createTinyCourse(courseDir);
    const links = outside();
    submit(courseDir, 'ada', 'a = 1');
    const ada = join(courseDir, 'submitted/ada/ps1');
    symlinkSync(links.secret, join(ada, 'stolen.txt'));
    symlinkSync(links.folder, join(ada, 'folder'));
    // Bob's "notebook" is a link to someone else's work.
    submit(courseDir, 'bob', 'a = 1');
    const bob = join(courseDir, 'submitted/bob/ps1');
    rmSync(join(bob, 'p1.ipynb'));
    symlinkSync(links.notebook, join(bob, 'p1.ipynb'));
    expect(await findAllFiles(ada, [])).toEqual(['p1.ipynb', 'timestamp.txt']);

    const gradebook = await openCourseGradebook(courseDir, 'tiny');
    try {
      const run = await autogradeAssignment({
        store: gradebook.store,
        courseId: gradebook.courseId,
        courseDir,
        assignment: 'ps1',
        force: true,
        settings: DEFAULT_AUTOGRADE_SETTINGS,
        launcher: null, // --no-execute: what is copied and graded is the point, not running it
        log: () => undefined,
      });
      expect(run.outcomes.map((o) => [o.student, o.status])).toEqual([
        ['ada', 'graded'],
        ['bob', 'failed'],
      ]);
      expect(run.outcomes[1]!.message).toMatch(/No notebooks found/);
    } finally {
      await gradebook.close();
    }
    expect(contents(join(courseDir, 'autograded'))).toEqual({
      files: ['ada/ps1/p1.ipynb', 'ada/ps1/timestamp.txt'],
      leaked: false,
    });
  });
});
