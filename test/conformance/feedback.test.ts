// Every feedback case of the nbgrader conformance suite: the named autograde case is run through
// coursehub's autograde (real sandboxed kernels), then coursehub's generate_feedback, and the
// result is compared with nbgrader 0.9.5's feedback folder by the facts the suite's README lists:
// the title per notebook, the table of contents, the per-cell score headings and comments, the
// late-penalty line, which files are there, their modes and the copied files' bytes. The
// comparison is also shown failing on a deliberately broken copy of our result.
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/database.js';
import { GradebookStore } from '../../src/db/stores/gradebook.js';
import { ensureCourse } from '../../src/gradebook/courses.js';
import {
  generateFeedback,
  type GenerateFeedbackResult,
} from '../../src/gradebook/feedback/generate-feedback.js';
import { AUTOGRADE_KERNEL_TIMINGS } from '../../src/grading/autograde/settings.js';
import { feedbackSettingsFrom } from '../../src/grading/feedback/index.js';
import { nbgraderSettings, readNbgraderConfig } from '../../src/grading/nbgrader-config.js';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { CONFORMANCE_ROOT as AUTOGRADE_ROOT, runAutogradeCase } from '../gradebook/support/autograde-case.js';
import { compareFeedbackFolders } from './support/feedback-facts.js';

const FEEDBACK_ROOT = join(import.meta.dirname, '../fixtures/nbgrader-conformance/feedback');

interface FeedbackCase {
  name: string;
  starting_state: string;
  steps: Array<{ argv: string[]; expected_exit_code: number }>;
  expected: { exit_code: number; feedback_file_modes: Record<string, string> };
}

const sandbox = (process.env.COURSEHUB_TEST_SANDBOX ?? 'bwrap') as 'bwrap' | 'none';
const launcher = createKernelLauncher({
  sandbox,
  log: { warn: () => undefined },
  timings: AUTOGRADE_KERNEL_TIMINGS,
});
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const CASES = readdirSync(FEEDBACK_ROOT).sort();
const ran: string[] = [];
/** Our feedback folder of the first case, for the broken-copy check. */
let sample: { expected: string; actual: string; modes: Record<string, string> } | undefined;

/** Runs the case's autograde case, then generate_feedback as its steps say; returns our feedback/ folder. */
async function runFeedbackCase(
  spec: FeedbackCase,
): Promise<{ feedbackDir: string; result: GenerateFeedbackResult; logs: string[] }> {
  const autogradeCase = /autograde\/([\w-]+)/.exec(spec.starting_state)?.[1];
  if (!autogradeCase) throw new Error(`case ${spec.name}: no autograde case named in starting_state`);
  const run = await runAutogradeCase(autogradeCase, launcher);
  dirs.push(run.courseDir);
  const config = readNbgraderConfig(
    readFileSync(join(AUTOGRADE_ROOT, autogradeCase, 'nbgrader_config.py'), 'utf8'),
  );
  const handle = openDatabase({ url: join(run.courseDir, 'coursehub-gradebook.sqlite') });
  try {
    await migrateToLatest(handle.db);
    const store = new GradebookStore(handle.db);
    const courseId = await ensureCourse(store, 'course101');
    const step = spec.steps.find((s) => s.argv[1] === 'generate_feedback')!;
    const logs: string[] = [];
    const result = await generateFeedback({
      store,
      courseId,
      courseDir: run.courseDir,
      assignment: step.argv[2]!,
      force: step.argv.includes('--force'),
      settings: feedbackSettingsFrom(nbgraderSettings(config)),
      log: (level, message) => logs.push(`[${level.toUpperCase()}] ${message}`),
    });
    return { feedbackDir: join(run.courseDir, 'feedback'), result, logs };
  } finally {
    await handle.close();
  }
}

describe('nbgrader conformance: generate_feedback', () => {
  for (const name of CASES) {
    it(name, { timeout: 300_000 }, async () => {
      const spec = JSON.parse(readFileSync(join(FEEDBACK_ROOT, name, 'case.json'), 'utf8')) as FeedbackCase;
      const { feedbackDir, result, logs } = await runFeedbackCase(spec);
      const exitCode = result.outcomes.some((o) => o.status === 'failed') ? 1 : 0;
      expect(exitCode, logs.join('\n')).toBe(spec.expected.exit_code);
      const expectedDir = join(FEEDBACK_ROOT, name, 'expected/feedback');
      expect(
        await compareFeedbackFolders(expectedDir, feedbackDir, spec.expected.feedback_file_modes),
      ).toEqual([]);
      // The late penalty is logged as nbgrader logs it (its only WARNING line here).
      const expectedWarnings = readFileSync(join(FEEDBACK_ROOT, name, 'expected/log.txt'), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('[WARNING]'));
      expect(logs.filter((line) => line.startsWith('[WARNING]'))).toEqual(expectedWarnings);
      sample ??= { expected: expectedDir, actual: feedbackDir, modes: spec.expected.feedback_file_modes };
      ran.push(name);
    });
  }

  it('ran every feedback case of the suite (2)', () => {
    expect(CASES).toEqual(['docs-ps1', 'late-penalty-zero']);
    expect(ran).toEqual(CASES);
  });

  it('the comparison fails on a deliberately broken copy (wrong score, missing file, wrong mode)', async () => {
    expect(sample, 'needs a case that ran').toBeDefined();
    const broken = mkdtempSync(join(tmpdir(), 'coursehub-feedback-broken-'));
    dirs.push(broken);
    cpSync(sample!.actual, broken, { recursive: true });
    const [student] = readdirSync(broken).sort();
    const folder = join(broken, student!, 'ps1');
    const page = readdirSync(folder).find((f) => f.endsWith('.html'))!;
    const html = readFileSync(join(folder, page), 'utf8');
    // One graded cell's heading score changed, everything else as generated.
    const wrong = html.replace(/(<span class="nb-grade-score">Score: )[\d.]+/, '$199.0');
    expect(wrong).not.toBe(html);
    writeFileSync(join(folder, page), wrong);
    chmodSync(join(folder, page), 0o644);
    rmSync(join(folder, 'timestamp.txt'));
    const other = readdirSync(broken).sort()[1];
    if (other) chmodSync(join(broken, other, 'ps1', readdirSync(join(broken, other, 'ps1'))[0]!), 0o600);

    const found = await compareFeedbackFolders(sample!.expected, broken, sample!.modes);
    expect(found.some((d) => d.startsWith(`${student}/ps1/${page} cell `))).toBe(true);
    expect(found.some((d) => d.startsWith('files:') && d.includes(`${student}/ps1/timestamp.txt`))).toBe(
      true,
    );
    if (other) expect(found.some((d) => d.startsWith(`mode of ${other}/ps1/`))).toBe(true);
  });
});
