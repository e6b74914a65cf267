// Every autograde case of the nbgrader conformance suite, run through coursehub's autograde with
// real (sandboxed) kernels: scores, grades.csv values, the autograded files and their modes.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { AUTOGRADE_KERNEL_TIMINGS } from '../../src/grading/autograde/settings.js';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { findAllFiles } from '../../src/course/index.js';
import type { AssignmentScores } from '../../src/gradebook/scores.js';
import { normaliseAutograded } from '../gradebook/support/compare-autograded.js';
import {
  CONFORMANCE_ROOT,
  listCases,
  readCase,
  runAutogradeCase,
} from '../gradebook/support/autograde-case.js';

const sandbox = (process.env.COURSEHUB_TEST_SANDBOX ?? 'bwrap') as 'bwrap' | 'none';
const launcher = createKernelLauncher({
  sandbox,
  log: { warn: () => undefined },
  timings: AUTOGRADE_KERNEL_TIMINGS,
});
const courseDirs: string[] = [];
afterAll(() => courseDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface ExpectedGrade {
  auto_score: number | null;
  score: number;
  max_score: number;
  needs_manual_grade: boolean;
  failed_tests: boolean;
  cell_kind: string;
  cell_type: string;
}
interface ExpectedNotebook {
  score: number;
  max_score: number;
  code_score: number;
  max_code_score: number;
  written_score: number;
  max_written_score: number;
  task_score: number;
  max_task_score: number;
  needs_manual_grade: boolean;
  failed_tests: boolean;
  late_submission_penalty: number | null;
  grades: Record<string, ExpectedGrade>;
  comments: Record<string, { auto_comment: string | null }>;
}
interface ExpectedStudent {
  timestamp_utc: string | null;
  total_seconds_late: number;
  score: number;
  max_score: number;
  code_score: number;
  written_score: number;
  task_score: number;
  late_submission_penalty: number;
  score_after_penalty: number;
  needs_manual_grade: boolean;
  notebooks: Record<string, ExpectedNotebook>;
}

function actualScores(scores: AssignmentScores): Record<string, ExpectedStudent> {
  return Object.fromEntries(
    scores.submissions.map((s) => [
      s.studentId,
      {
        timestamp_utc: s.timestamp,
        total_seconds_late: s.secondsLate,
        score: s.score,
        max_score: s.maxScore,
        code_score: s.codeScore,
        written_score: s.writtenScore,
        task_score: s.taskScore,
        late_submission_penalty: s.latePenalty,
        score_after_penalty: s.scoreAfterPenalty,
        needs_manual_grade: s.needsManualGrade,
        notebooks: Object.fromEntries(
          Object.entries(s.notebooks).map(([name, n]) => [
            name,
            {
              score: n.score,
              max_score: n.maxScore,
              code_score: n.codeScore,
              max_code_score: n.maxCodeScore,
              written_score: n.writtenScore,
              max_written_score: n.maxWrittenScore,
              task_score: n.taskScore,
              max_task_score: n.maxTaskScore,
              needs_manual_grade: n.needsManualGrade,
              failed_tests: n.failedTests,
              late_submission_penalty: n.latePenalty,
              grades: Object.fromEntries(
                Object.entries(n.grades).map(([id, g]) => [
                  id,
                  {
                    auto_score: g.autoScore,
                    score: g.score,
                    max_score: g.maxScore,
                    needs_manual_grade: g.needsManualGrade,
                    failed_tests: g.failedTests,
                    cell_kind: g.cellKind,
                    cell_type: g.cellType,
                  },
                ]),
              ),
              comments: Object.fromEntries(
                Object.entries(n.comments).map(([id, c]) => [id, { auto_comment: c.autoComment }]),
              ),
            },
          ]),
        ),
      },
    ]),
  );
}

/** The expected student record reduced to the fields compared (manual scores are never set here). */
function expectedScores(raw: Record<string, ExpectedStudent | null>): Record<string, ExpectedStudent> {
  const picked: Record<string, ExpectedStudent> = {};
  for (const [id, s] of Object.entries(raw)) {
    if (s === null) continue;
    const { timestamp_utc, total_seconds_late, score, max_score, code_score, written_score, task_score } = s;
    picked[id] = {
      timestamp_utc,
      total_seconds_late,
      score,
      max_score,
      code_score,
      written_score,
      task_score,
      late_submission_penalty: s.late_submission_penalty,
      score_after_penalty: s.score_after_penalty,
      needs_manual_grade: s.needs_manual_grade,
      notebooks: Object.fromEntries(
        Object.entries(s.notebooks).map(([name, n]) => [
          name,
          {
            score: n.score,
            max_score: n.max_score,
            code_score: n.code_score,
            max_code_score: n.max_code_score,
            written_score: n.written_score,
            max_written_score: n.max_written_score,
            task_score: n.task_score,
            max_task_score: n.max_task_score,
            needs_manual_grade: n.needs_manual_grade,
            failed_tests: n.failed_tests,
            late_submission_penalty: n.late_submission_penalty,
            grades: Object.fromEntries(
              Object.entries(n.grades).map(([gid, g]) => [
                gid,
                {
                  auto_score: g.auto_score,
                  score: g.score,
                  max_score: g.max_score,
                  needs_manual_grade: g.needs_manual_grade,
                  failed_tests: g.failed_tests,
                  cell_kind: g.cell_kind,
                  cell_type: g.cell_type,
                },
              ]),
            ),
            comments: Object.fromEntries(
              Object.entries(n.comments).map(([cid, c]) => [cid, { auto_comment: c.auto_comment }]),
            ),
          },
        ]),
      ),
    };
  }
  return picked;
}

const NUMERIC = new Set(['raw_score', 'late_submission_penalty', 'score', 'max_score']);

function csvByKey(text: string): Map<string, Record<string, string | number>> {
  const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
  return new Map(
    rows.map((row) => [
      `${row.assignment}/${row.student_id}`,
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, NUMERIC.has(k) ? Number(v) : v])),
    ]),
  );
}

/** The suite's autograde cases (its README counts them): a lost case must fail, not pass unseen. */
const AUTOGRADE_CASES = 38;

describe('nbgrader conformance: autograde', () => {
  it(`finds the suite: ${AUTOGRADE_CASES} cases, each run below`, () => {
    expect(listCases()).toHaveLength(AUTOGRADE_CASES);
  });

  for (const name of listCases()) {
    it.concurrent(name, { timeout: 240_000 }, async () => {
      const spec = readCase(name);
      const expectedDir = join(CONFORMANCE_ROOT, name, 'expected');
      const run = await runAutogradeCase(name, launcher);
      courseDirs.push(run.courseDir);

      // Exit codes: nbgrader exits 1 when any submission failed to autograde.
      const exitCodes = run.runs.map((r) => (r.outcomes.some((o) => o.status === 'failed') ? 1 : 0));
      expect(exitCodes, run.logs.join('\n')).toEqual(
        spec.steps.filter((s) => s.argv[1] === 'autograde').map((s) => s.expected_exit_code),
      );

      const scores = JSON.parse(readFileSync(join(expectedDir, 'scores.json'), 'utf8')) as {
        max_score: number;
        students: Record<string, ExpectedStudent | null>;
      };
      expect(run.scores.maxScore).toBe(scores.max_score);
      expect(actualScores(run.scores)).toEqual(expectedScores(scores.students));

      const expectedCsv = csvByKey(readFileSync(join(expectedDir, 'grades.csv'), 'utf8'));
      expect(run.csv.split('\n')[0]).toBe(
        readFileSync(join(expectedDir, 'grades.csv'), 'utf8').split('\n')[0],
      );
      expect(csvByKey(run.csv)).toEqual(expectedCsv);

      const autogradedDir = join(run.courseDir, 'autograded');
      const files = existsSync(autogradedDir) ? await findAllFiles(autogradedDir, []) : [];
      expect(files).toEqual([...spec.expected.autograded_files].sort());
      for (const file of files) {
        const mode = statSync(join(autogradedDir, file)).mode & 0o777;
        expect(`${file} 0o${mode.toString(8)}`).toBe(`${file} ${spec.expected.autograded_file_modes[file]}`);
        const actualText = readFileSync(join(autogradedDir, file), 'utf8');
        const expectedText = readFileSync(join(expectedDir, 'autograded', file), 'utf8');
        if (file.endsWith('.ipynb')) {
          // Parsed JSON cannot tell 1 from 1.0: check the spelling of points in the text too.
          const spelled = (text: string) => [...text.matchAll(/"points": ([^,\n}]+)/g)].map((m) => m[1]);
          expect(spelled(actualText), file).toEqual(spelled(expectedText));
          expect(normaliseAutograded(JSON.parse(actualText)), file).toEqual(
            normaliseAutograded(JSON.parse(expectedText)),
          );
        } else {
          expect(actualText, file).toBe(expectedText);
        }
      }
    });
  }
});
