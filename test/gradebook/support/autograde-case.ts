/**
 * Runs one conformance case of test/fixtures/nbgrader-conformance/autograde through coursehub's
 * autograde, in a copy of the case's course directory, and reads back what the tests compare.
 * The gradebook is filled the way nbgrader's steps fill it: `db assignment add` with the case's due
 * date, `db student add`, then what generate stored (the case's expected/gradebook_source.json,
 * which is nbgrader's own record, so these tests depend on autograde alone).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { GradebookStore } from '../../../src/db/stores/gradebook.js';
import {
  autogradeAssignment,
  type AutogradeRunResult,
} from '../../../src/gradebook/autograde/autograde-assignment.js';
import {
  ensureCourse,
  updateOrCreateAssignment,
  updateOrCreateStudent,
} from '../../../src/gradebook/courses.js';
import { gradesCsv } from '../../../src/gradebook/export-grades-csv.js';
import { loadAssignmentScores, type AssignmentScores } from '../../../src/gradebook/scores.js';
import { storeGeneratedAssignment } from '../../../src/gradebook/store-generated.js';
import { formatNaiveUtc, parseUtc } from '../../../src/gradebook/timestamps.js';
import { autogradeSettingsFrom } from '../../../src/grading/autograde/settings.js';
import type { KernelLauncher } from '../../../src/grading/execution.js';
import type { GeneratedAssignmentRecord } from '../../../src/grading/generate/types.js';
import { nbgraderSettings, readNbgraderConfig } from '../../../src/grading/nbgrader-config.js';

export const CONFORMANCE_ROOT = join(import.meta.dirname, '../../fixtures/nbgrader-conformance/autograde');

export interface CaseJson {
  name: string;
  due_date: string;
  db_students: Array<{ id: string; first_name?: string; last_name?: string; email?: string }>;
  steps: Array<{ argv: string[]; expected_exit_code: number }>;
  expected: { autograded_files: string[]; autograded_file_modes: Record<string, string> };
}

export function listCases(): string[] {
  return readdirSync(CONFORMANCE_ROOT).sort();
}

export function readCase(name: string): CaseJson {
  return JSON.parse(readFileSync(join(CONFORMANCE_ROOT, name, 'case.json'), 'utf8')) as CaseJson;
}

export interface CaseRun {
  courseDir: string;
  runs: AutogradeRunResult[];
  scores: AssignmentScores;
  csv: string;
  logs: string[];
}

function notebookOrder(sourceDir: string): Record<string, string[]> {
  const orders: Record<string, string[]> = {};
  for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.ipynb'))) {
    const nb = JSON.parse(readFileSync(join(sourceDir, file), 'utf8')) as {
      cells: Array<{ metadata?: { nbgrader?: { grade_id?: string } } }>;
    };
    orders[file.slice(0, -6)] = nb.cells.map((c) => c.metadata?.nbgrader?.grade_id ?? '').filter(Boolean);
  }
  return orders;
}

export async function runAutogradeCase(name: string, launcher: KernelLauncher): Promise<CaseRun> {
  const caseDir = join(CONFORMANCE_ROOT, name);
  const spec = readCase(name);
  const courseDir = mkdtempSync(join(tmpdir(), `coursehub-case-${name}-`));
  for (const part of ['source', 'release', 'submitted']) {
    if (existsSync(join(caseDir, part)))
      cpSync(join(caseDir, part), join(courseDir, part), { recursive: true });
  }
  const settings = autogradeSettingsFrom(
    nbgraderSettings(readNbgraderConfig(readFileSync(join(caseDir, 'nbgrader_config.py'), 'utf8'))),
  );
  const handle: DatabaseHandle = openDatabase({ url: join(courseDir, 'coursehub-gradebook.sqlite') });
  try {
    await migrateToLatest(handle.db);
    const store = new GradebookStore(handle.db);
    const courseId = await ensureCourse(store, 'course101');
    await updateOrCreateAssignment(store, courseId, 'ps1', {
      duedate: formatNaiveUtc(parseUtc(spec.due_date)),
    });
    for (const student of spec.db_students ?? []) {
      await updateOrCreateStudent(store, courseId, {
        id: student.id,
        firstName: student.first_name ?? null,
        lastName: student.last_name ?? null,
        email: student.email ?? null,
      });
    }
    const source = JSON.parse(
      readFileSync(join(caseDir, 'expected/gradebook_source.json'), 'utf8'),
    ) as GeneratedAssignmentRecord;
    for (const [nbName, nb] of Object.entries(source.notebooks)) nb.name = nbName;
    await storeGeneratedAssignment(store, courseId, source, notebookOrder(join(caseDir, 'source/ps1')));

    const logs: string[] = [];
    const runs: AutogradeRunResult[] = [];
    for (const step of spec.steps.filter((s) => s.argv[1] === 'autograde')) {
      const student = step.argv.find((a) => a.startsWith('--student='))?.slice('--student='.length);
      runs.push(
        await autogradeAssignment({
          store,
          courseId,
          courseDir,
          assignment: 'ps1',
          students: student ? [student] : undefined,
          force: step.argv.includes('--force'),
          settings,
          launcher: step.argv.includes('--no-execute') ? null : launcher,
          concurrency: 2,
          log: (level, message) => logs.push(`[${level.toUpperCase()}] ${message}`),
        }),
      );
    }
    return {
      courseDir,
      runs,
      scores: await loadAssignmentScores(store, courseId, 'ps1'),
      csv: await gradesCsv(store, courseId),
      logs,
    };
  } finally {
    await handle.close();
  }
}
