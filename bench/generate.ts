/**
 * generate benchmark: a 10-notebook assignment, generated in-process and through the CLI, with the
 * real `nbgrader generate_assignment` timed side by side when it is installed. Otherwise the
 * reference figure measured on this machine (nbgrader 0.9.5: 2.6 s for a 2-notebook assignment)
 * is printed as such. The last line is the in-process ms per notebook.
 *
 *   npm run bench:generate
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateAssignment } from '../src/course/index.js';
import { writeNotebook, type Cell, type Notebook } from '../src/notebook/index.js';

const NOTEBOOKS = 10;
const ROUNDS = 20;
const REFERENCE_NBGRADER_MS_PER_NOTEBOOK = 2600 / 2;
const repoRoot = resolve(import.meta.dirname, '..');

/** A realistic source notebook: prose, answers with solution regions, tests with hidden tests. */
function sourceNotebook(index: number): Notebook {
  const cells: Cell[] = [];
  const meta = (extra: Record<string, unknown>) => ({
    nbgrader: { schema_version: 3, grade: false, solution: false, locked: false, ...extra },
  });
  cells.push({
    cell_type: 'markdown',
    metadata: {},
    source: `# Problem set notebook ${index}\n\nRead carefully.`,
  });
  for (let q = 0; q < 8; q++) {
    const id = `q${q}`;
    cells.push({
      cell_type: 'markdown',
      metadata: meta({ locked: true, grade_id: `${id}_text` }),
      source: `## Question ${q}\nExplain.`,
    });
    cells.push({
      cell_type: 'code',
      metadata: meta({ solution: true, grade_id: id }),
      source: `def f${q}(n):\n    """Return the squares."""\n    ### BEGIN SOLUTION\n    return [i * i for i in range(n)]\n    ### END SOLUTION`,
      outputs: [{ output_type: 'stream', name: 'stdout', text: 'x\n'.repeat(50) }],
      execution_count: q + 1,
    });
    cells.push({
      cell_type: 'code',
      metadata: meta({ grade: true, grade_id: `${id}_test`, points: 1 }),
      source: `assert f${q}(3) == [0, 1, 4]\n### BEGIN HIDDEN TESTS\nassert f${q}(4) == [0, 1, 4, 9]\n### END HIDDEN TESTS`,
      outputs: [],
      execution_count: null,
    });
  }
  cells.push({
    cell_type: 'markdown',
    metadata: meta({ solution: true, grade: true, grade_id: 'essay', points: 2 }),
    source: 'An essay.',
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells,
  };
}

function makeCourse(): string {
  const course = mkdtempSync(join(tmpdir(), 'coursehub-bench-generate-'));
  mkdirSync(join(course, 'source', 'ps1'), { recursive: true });
  writeFileSync(
    join(course, 'nbgrader_config.py'),
    "c = get_config()\nc.CourseDirectory.course_id = 'bench'\n",
  );
  for (let i = 0; i < NOTEBOOKS; i++)
    writeFileSync(join(course, 'source', 'ps1', `problem${i}.ipynb`), writeNotebook(sourceNotebook(i)));
  writeFileSync(join(course, 'source', 'ps1', 'data.csv'), 'a,b\n1,2\n');
  return course;
}

function nbgraderInstalled(): boolean {
  return spawnSync('nbgrader', ['--version'], { stdio: 'ignore' }).status === 0;
}

const course = makeCourse();
try {
  await generateAssignment({ courseDir: course, assignment: 'ps1', force: true }); // warm-up
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++)
    await generateAssignment({ courseDir: course, assignment: 'ps1', force: true });
  const inProcessMs = (performance.now() - started) / ROUNDS / NOTEBOOKS;

  const cliStarted = performance.now();
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'nbgrader',
      'generate_assignment',
      'ps1',
      '--course-dir',
      course,
      '--force',
    ],
    {
      cwd: repoRoot,
      stdio: 'ignore',
    },
  );
  const cliMs = (performance.now() - cliStarted) / NOTEBOOKS;

  let baselineMs = REFERENCE_NBGRADER_MS_PER_NOTEBOOK;
  let baselineLabel =
    'nbgrader 0.9.5 reference figure (2.6 s for 2 notebooks on this machine; nbgrader is not installed here)';
  if (nbgraderInstalled()) {
    const t = performance.now();
    execFileSync('nbgrader', ['generate_assignment', 'ps1', '--force'], { cwd: course, stdio: 'ignore' });
    baselineMs = (performance.now() - t) / NOTEBOOKS;
    baselineLabel = 'nbgrader generate_assignment, measured now on the same assignment';
  }

  console.log(
    `assignment: ${NOTEBOOKS} notebooks of ${sourceNotebook(0).cells.length} cells; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(`baseline: ${baselineMs.toFixed(1)} ms per notebook — ${baselineLabel}`);
  console.log(
    `coursehub CLI (one process incl. start-up and tsx transpiling): ${cliMs.toFixed(1)} ms per notebook, ${(baselineMs / cliMs).toFixed(1)}x faster than the baseline`,
  );
  console.log(
    `coursehub in-process (mean of ${ROUNDS} runs): ${inProcessMs.toFixed(2)} ms per notebook, ${(baselineMs / inProcessMs).toFixed(0)}x faster than the baseline`,
  );
  console.log(`ms per notebook: ${inProcessMs.toFixed(2)}`);
} finally {
  rmSync(course, { recursive: true, force: true });
}
