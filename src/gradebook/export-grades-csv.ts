/**
 * grades.csv as nbgrader's CsvExportPlugin writes it: one row per assignment x student (students
 * without a submission get 0), the same columns, Python `str()` values, None as an empty field.
 * One difference on purpose: a field containing a comma, quote or newline is quoted (RFC 4180),
 * where nbgrader writes it raw and so breaks the row.
 */
import type { CourseSubmissionTotalsRow } from '../db/stores/gradebook-scores.js';
import type { GradebookStore } from '../db/stores/gradebook.js';
import { listStudents } from './courses.js';
import { pythonFloat } from './python-format.js';
import { loadAssignmentMaxScore } from './scores.js';

export const GRADES_CSV_COLUMNS = [
  'assignment',
  'duedate',
  'timestamp',
  'student_id',
  'last_name',
  'first_name',
  'email',
  'raw_score',
  'late_submission_penalty',
  'score',
  'max_score',
] as const;

type Row = Record<(typeof GRADES_CSV_COLUMNS)[number], string>;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** SQLite's ORDER BY: NULL first, then by code units; ties keep insertion order (stable sort). */
function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * The rows in one read of every submission's totals (not one per assignment: 2,000 students x 10
 * assignments is 100,000 submitted notebooks), the same numbers as loadAssignmentSummary's
 * score, latePenalty and scoreAfterPenalty.
 */
export async function gradesCsvRows(store: GradebookStore, courseId: number): Promise<Row[]> {
  const assignments = (await store.courses.listAssignments(courseId)).sort(
    (a, b) => compareNullable(a.duedate, b.duedate) || compareNullable(a.name, b.name),
  );
  const students = (await listStudents(store, courseId)).sort(
    (a, b) => compareNullable(a.lastName, b.lastName) || compareNullable(a.firstName, b.firstName),
  );
  const totals = new Map<number, Map<string, CourseSubmissionTotalsRow>>();
  for (const row of await store.scores.courseSubmissionTotals(courseId)) {
    let ofAssignment = totals.get(row.assignmentId);
    if (!ofAssignment) totals.set(row.assignmentId, (ofAssignment = new Map()));
    ofAssignment.set(row.studentId, row);
  }
  const rows: Row[] = [];
  for (const assignment of assignments) {
    const maxScore = pythonFloat(await loadAssignmentMaxScore(store, assignment.id));
    const byStudent = totals.get(assignment.id) ?? new Map<string, CourseSubmissionTotalsRow>();
    for (const student of students) {
      const submission = byStudent.get(student.id);
      const score = submission?.score ?? 0;
      const latePenalty = submission?.latePenalty ?? 0;
      rows.push({
        assignment: assignment.name,
        duedate: assignment.duedate ?? '',
        timestamp: submission?.timestamp ?? '',
        student_id: student.id,
        last_name: student.lastName ?? '',
        first_name: student.firstName ?? '',
        email: student.email ?? '',
        raw_score: pythonFloat(score),
        late_submission_penalty: pythonFloat(latePenalty),
        // submissionTotals' rule (src/grading/scores/submission-scores.ts).
        score: pythonFloat(Math.max(0, score - latePenalty)),
        max_score: maxScore,
      });
    }
  }
  return rows;
}

export async function gradesCsv(store: GradebookStore, courseId: number): Promise<string> {
  const rows = await gradesCsvRows(store, courseId);
  const lines = [GRADES_CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(GRADES_CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  return lines.join('\n') + '\n';
}
