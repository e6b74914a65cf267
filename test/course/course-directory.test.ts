// The course layout (nbgrader's CourseDirectory), its file rules, and "build beside, then rename
// into place", on real folders.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CourseDirectory,
  findAllFiles,
  findFilesToCopy,
  kernelsInScratchCopy,
  removeStaleStages,
  stageBeside,
} from '../../src/course/index.js';
import type { KernelLauncher, KernelStartOptions } from '../../src/grading/execution.js';
import {
  DEFAULT_COURSE_DIRECTORY,
  nbgraderSettings,
  readNbgraderConfig,
} from '../../src/grading/nbgrader-config.js';

const scratch = mkdtempSync(join(tmpdir(), 'coursehub-course-directory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'dir-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('CourseDirectory paths', () => {
  it("puts each step's folders where nbgrader does by default", () => {
    const course = new CourseDirectory('/course');
    expect(course.source('ps1')).toBe('/course/source/ps1');
    expect(course.release('ps1')).toBe('/course/release/ps1');
    expect(course.sourceWithTests('ps1')).toBe('/course/source_with_tests/ps1');
    expect(course.submitted('ada', 'ps1')).toBe('/course/submitted/ada/ps1');
    expect(course.autograded('ada', 'ps1')).toBe('/course/autograded/ada/ps1');
    expect(course.feedback('ada', 'ps1')).toBe('/course/feedback/ada/ps1');
    expect(course.configFile).toBe('/course/nbgrader_config.py');
    expect(course.label('/course/source/ps1/a.ipynb')).toBe('source/ps1/a.ipynb');
  });

  it('follows CourseDirectory.* from nbgrader_config.py', () => {
    const settings = nbgraderSettings(
      readNbgraderConfig(
        [
          "c.CourseDirectory.directory_structure = '{nbgrader_step}/{assignment_id}/{student_id}'",
          "c.CourseDirectory.submitted_directory = 'turned_in'",
          "c.CourseDirectory.release_directory = 'handouts'",
        ].join('\n'),
      ),
    ).courseDirectory;
    const course = new CourseDirectory('/course', settings);
    expect(course.submitted('ada', 'ps1')).toBe('/course/turned_in/ps1/ada');
    expect(course.release('ps1')).toBe('/course/handouts/ps1');
    expect(course.autograded('ada', 'ps1')).toBe('/course/autograded/ps1/ada');
  });

  it('lists the students with a submission folder, as nbgrader globs them', async () => {
    const root = folderWith({
      'submitted/bob/ps1/p1.ipynb': '{}',
      'submitted/ada/ps1/p1.ipynb': '{}',
      'submitted/.hidden/ps1/p1.ipynb': '{}',
      'submitted/carl/ps2/p1.ipynb': '{}',
      'submitted/dan/ps1': 'a file, not a folder',
    });
    symlinkSync(join(root, 'submitted/ada/ps1'), join(root, 'submitted/eve'));
    expect(await new CourseDirectory(root).submittedStudents('ps1')).toEqual(['ada', 'bob']);
    const onlyA = { ...DEFAULT_COURSE_DIRECTORY, studentId: 'a*' };
    expect(await new CourseDirectory(root, onlyA).submittedStudents('ps1')).toEqual(['ada']);
    const byAssignment = {
      ...DEFAULT_COURSE_DIRECTORY,
      directoryStructure: '{nbgrader_step}/{assignment_id}/{student_id}',
    };
    const other = folderWith({ 'submitted/ps1/zoe/p1.ipynb': '{}', 'submitted/ps1/yan/p1.ipynb': '{}' });
    expect(await new CourseDirectory(other, byAssignment).submittedStudents('ps1')).toEqual(['yan', 'zoe']);
    expect(await new CourseDirectory(join(root, 'nothing')).submittedStudents('ps1')).toEqual([]);
  });

  it("finds notebooks and data files with nbgrader's glob rules", async () => {
    const dir = folderWith({
      'a.ipynb': '{}',
      'b.ipynb': '{}',
      '.hidden.ipynb': '{}',
      'data.csv': 'x',
      'cache.pyc': 'x',
      '.cache.pyc': 'x',
      '__pycache__/m.pyc': 'x',
      '.ipynb_checkpoints/a-checkpoint.ipynb': '{}',
      'sub/more.txt': 'x',
      'feedback/old.html': 'x',
    });
    symlinkSync('/etc/hostname', join(dir, 'link.txt'));
    const course = new CourseDirectory(scratch);
    expect(await course.notebooks(dir)).toEqual(['a.ipynb', 'b.ipynb']);
    // nbgrader's glob leaves names starting with a dot to patterns starting with a dot.
    expect(await course.dataFiles(dir)).toEqual(['.cache.pyc', '.hidden.ipynb', 'data.csv', 'sub/more.txt']);
    expect(await findAllFiles(dir, [])).toContain('.ipynb_checkpoints/a-checkpoint.ipynb');
    expect(await findAllFiles(dir, [])).not.toContain('link.txt');
  });

  it('chooses the files the exchange copies: ignore, include, max_file_size', async () => {
    const dir = folderWith({
      'a.ipynb': '{}',
      'big.csv': 'x'.repeat(2001),
      'small.csv': 'x',
      'notes.md': 'x',
      '.cache.pyc': 'x',
      'sub/b.ipynb': '{}',
    });
    const skipped: string[] = [];
    const files = await findFilesToCopy(
      dir,
      { ignore: ['*.pyc'], include: ['*.ipynb', '*.csv'], maxFileSize: 2 },
      (path, why) => skipped.push(`${path}: ${why}`),
    );
    expect(files).toEqual(['a.ipynb', 'small.csv', 'sub/b.ipynb']);
    expect(skipped.sort()).toEqual(['.cache.pyc: ignored', 'big.csv: too-large', 'notes.md: not-included']);
  });
});

describe('stageBeside', () => {
  it('builds beside the target and replaces it only on commit', async () => {
    const root = folderWith({ 'release/ps1/old.txt': 'old' });
    const target = join(root, 'release/ps1');
    const stage = await stageBeside(target, 'generating');
    expect(stage.path.startsWith(join(root, 'release/.ps1.generating-'))).toBe(true);
    writeFileSync(join(stage.path, 'new.txt'), 'new');
    expect(readdirSync(target)).toEqual(['old.txt']);
    await stage.commit({ mode: 0o755 });
    expect(readdirSync(target)).toEqual(['new.txt']);
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect(readdirSync(join(root, 'release'))).toEqual(['ps1']);
  });

  it('leaves the target alone on discard, and removes what killed runs left', async () => {
    const root = folderWith({ 'autograded/ada/ps1/p1.ipynb': '{}' });
    const target = join(root, 'autograded/ada/ps1');
    const kept = await stageBeside(target, 'partial');
    await kept.discard();
    await stageBeside(target, 'partial');
    await stageBeside(target, 'partial');
    await removeStaleStages(target, 'partial');
    expect(readdirSync(join(root, 'autograded/ada'))).toEqual(['ps1']);
  });
});

describe('kernelsInScratchCopy', () => {
  it('copies the files when the first kernel starts, into a folder removed on close', async () => {
    const started: KernelStartOptions[] = [];
    const launcher: KernelLauncher = {
      start: async (options) => {
        started.push(options);
        return {
          isolation: 'none',
          execute: async () => ({ outputs: [], executionCount: 1, status: 'ok' }),
          shutdown: async () => undefined,
        };
      },
    };
    let fills = 0;
    const kernels = kernelsInScratchCopy(launcher, 'test', async (folder) => {
      fills++;
      writeFileSync(join(folder, 'data.txt'), 'x');
    });
    expect(fills).toBe(0);
    await kernels.start({ kernelName: 'python3', env: {}, startupTimeoutMs: 1000 });
    await kernels.start({ kernelName: 'python3', env: {}, startupTimeoutMs: 1000 });
    expect(fills).toBe(1);
    const folder = started[0]!.workingDirectory;
    expect(started[1]!.workingDirectory).toBe(folder);
    expect(readdirSync(folder)).toEqual(['data.txt']);
    await kernels.close();
    expect(() => statSync(folder)).toThrow(/ENOENT/);
  });
});
