/**
 * autograde benchmark: the nbgrader docs' ps1 (2 notebooks) submitted by 10 students = 20
 * notebooks, graded by coursehub (sandboxed kernels forked from the zygote, several at once, the
 * whole pipeline including the gradebook; the zygote's own start-up is inside the time) and, in
 * the same run, by the baseline nbgrader itself uses for its execution step:
 * `/usr/bin/python3 -m nbconvert --to notebook --execute` once per notebook, serially.
 * For reference, nbgrader 0.9.5 took 43 s for these 20 notebooks on this machine.
 *
 *   npm run bench:autograde        (set BENCH_STUDENTS=N for another class size)
 *
 * The last line is the ratio baseline / coursehub.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { autogradeAssignment } from '../src/gradebook/autograde/autograde-assignment.js';
import { openCourseGradebook } from '../src/gradebook/course-gradebook.js';
import { updateOrCreateAssignment } from '../src/gradebook/courses.js';
import { storeGeneratedAssignment } from '../src/gradebook/store-generated.js';
import { AUTOGRADE_KERNEL_TIMINGS, DEFAULT_AUTOGRADE_SETTINGS } from '../src/grading/autograde/settings.js';
import { generateAssignment } from '../src/course/index.js';
import { createKernelLauncher } from '../src/kernel/index.js';

const CASE = resolve(import.meta.dirname, '../test/fixtures/nbgrader-conformance/autograde/docs-ps1');
const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 10);

async function prepareCourse(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'coursehub-bench-autograde-'));
  cpSync(join(CASE, 'source'), join(dir, 'source'), { recursive: true });
  cpSync(join(CASE, 'nbgrader_config.py'), join(dir, 'nbgrader_config.py'));
  const originals = readdirSync(join(CASE, 'submitted')).sort();
  for (let i = 0; i < STUDENTS; i++) {
    const from = originals[i % originals.length]!;
    cpSync(join(CASE, 'submitted', from), join(dir, 'submitted', `student${String(i).padStart(2, '0')}`), {
      recursive: true,
    });
  }
  const generated = await generateAssignment({
    courseDir: dir,
    assignment: 'ps1',
    force: true,
    saveCells: true,
  });
  const gradebook = await openCourseGradebook(dir, 'course101');
  try {
    await updateOrCreateAssignment(gradebook.store, gradebook.courseId, 'ps1', {
      duedate: '2015-02-03 08:00:00',
    });
    await storeGeneratedAssignment(gradebook.store, gradebook.courseId, generated.record!);
  } finally {
    await gradebook.close();
  }
  return dir;
}

async function timeCoursehub(dir: string): Promise<{ ms: number; notebooks: number; failed: number }> {
  const gradebook = await openCourseGradebook(dir, 'course101');
  try {
    const started = performance.now();
    const result = await autogradeAssignment({
      store: gradebook.store,
      courseId: gradebook.courseId,
      courseDir: dir,
      assignment: 'ps1',
      force: true,
      settings: DEFAULT_AUTOGRADE_SETTINGS,
      launcher: createKernelLauncher({
        sandbox: 'bwrap',
        log: { warn: () => undefined },
        timings: AUTOGRADE_KERNEL_TIMINGS,
      }),
      log: () => undefined,
    });
    const ms = performance.now() - started;
    const notebooks = readdirSync(join(dir, 'autograded')).reduce(
      (n, s) => n + readdirSync(join(dir, 'autograded', s, 'ps1')).filter((f) => f.endsWith('.ipynb')).length,
      0,
    );
    return { ms, notebooks, failed: result.outcomes.filter((o) => o.status !== 'graded').length };
  } finally {
    await gradebook.close();
  }
}

function timeBaseline(dir: string): { ms: number; notebooks: number } {
  const out = join(dir, 'baseline-out');
  mkdirSync(out, { recursive: true });
  let notebooks = 0;
  const started = performance.now();
  for (const student of readdirSync(join(dir, 'submitted')).sort()) {
    const folder = join(dir, 'submitted', student, 'ps1');
    for (const file of readdirSync(folder)
      .filter((f) => f.endsWith('.ipynb'))
      .sort()) {
      const run = spawnSync(
        '/usr/bin/python3',
        [
          '-m',
          'nbconvert',
          '--to',
          'notebook',
          '--execute',
          '--allow-errors',
          '--ExecutePreprocessor.timeout=30',
          '--output-dir',
          join(out, student),
          join(folder, file),
        ],
        { cwd: folder, encoding: 'utf8' },
      );
      if (run.status !== 0) throw new Error(`nbconvert failed on ${folder}/${file}: ${run.stderr}`);
      notebooks++;
    }
  }
  return { ms: performance.now() - started, notebooks };
}

const dir = await prepareCourse();
try {
  console.log(`autograde benchmark: ${STUDENTS} students x 2 notebooks (nbgrader docs ps1)`);
  console.log(`cores: ${availableParallelism()}, load average before: ${loadavg()[0]!.toFixed(2)}`);
  const coursehub = await timeCoursehub(dir);
  console.log(
    `coursehub autograde (sandboxed, parallel, with gradebook): ${(coursehub.ms / 1000).toFixed(1)} s for ${coursehub.notebooks} notebooks` +
      (coursehub.failed ? ` (${coursehub.failed} submissions failed)` : ''),
  );
  const baseline = timeBaseline(dir);
  console.log(
    `baseline python3 -m nbconvert --execute, serial: ${(baseline.ms / 1000).toFixed(1)} s for ${baseline.notebooks} notebooks`,
  );
  console.log(`ratio baseline/coursehub: ${(baseline.ms / coursehub.ms).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
