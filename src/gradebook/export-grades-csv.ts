/**
 * grades.csv as nbgrader's CsvExportPlugin writes it: one row per assignment x student (students
 * without a submission get 0), the same columns, Python `str()` values, None as an empty field.
 * One difference on purpose: a field containing a comma, quote or newline is quoted (RFC 4180),
 * where nbgrader writes it raw and so breaks the row.
 */
import type { GradebookStore } from '../db/stores/gradebook.js';
import { listAssignments, listStudents } from './courses.js';
import { pythonFloat } from './python-format.js';
import { loadAssignmentSummary } from './scores.js';

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

export async function gradesCsvRows(store: GradebookStore, courseId: number): Promise<Row[]> {
  const assignments = (await listAssignments(store, courseId)).sort(
    (a, b) => compareNullable(a.duedate, b.duedate) || compareNullable(a.name, b.name),
  );
  const students = (await listStudents(store, courseId)).sort(
    (a, b) => compareNullable(a.lastName, b.lastName) || compareNullable(a.firstName, b.firstName),
  );
  const rows: Row[] = [];
  for (const assignment of assignments) {
    const scores = await loadAssignmentSummary(store, courseId, assignment.name);
    const byStudent = new Map(scores.submissions.map((s) => [s.studentId, s]));
    for (const student of students) {
      const submission = byStudent.get(student.id);
      rows.push({
        assignment: assignment.name,
        duedate: assignment.duedate ?? '',
        timestamp: submission?.timestamp ?? '',
        student_id: student.id,
        last_name: student.lastName ?? '',
        first_name: student.firstName ?? '',
        email: student.email ?? '',
        raw_score: pythonFloat(submission?.score ?? 0),
        late_submission_penalty: pythonFloat(submission?.latePenalty ?? 0),
        score: pythonFloat(submission?.scoreAfterPenalty ?? 0),
        max_score: pythonFloat(scores.maxScore),
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
