/**
 * nbgrader's computed totals (api.py column properties), computed here from the stored rows so
 * that SQLite and PostgreSQL give the same numbers through one code path.
 */
import {
  inGradeIdOrder,
  maxScoreOf,
  scoreNotebook,
  secondsLate,
  submissionTotals,
  sum,
  type NotebookCells,
  type NotebookScores,
} from '../grading/scores/index.js';
import type { GradebookDb } from './courses.js';
import { requireAssignment } from './courses.js';
import { parseNaiveUtc } from './timestamps.js';

export type { CommentRecord, GradeScore, NotebookScores } from '../grading/scores/index.js';

export interface SubmissionScores {
  studentId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  timestamp: string | null;
  secondsLate: number;
  score: number;
  maxScore: number;
  codeScore: number;
  writtenScore: number;
  taskScore: number;
  latePenalty: number;
  scoreAfterPenalty: number;
  needsManualGrade: boolean;
  notebooks: Record<string, NotebookScores>;
}

export interface AssignmentScores {
  assignment: string;
  duedate: string | null;
  maxScore: number;
  notebooks: string[];
  submissions: SubmissionScores[];
}

const naiveUtcOrNull = (text: string | null) => (text === null ? null : parseNaiveUtc(text));
const nullableNumber = (value: number | null) => (value === null ? null : Number(value));

/** Every submission of an assignment with nbgrader's totals, students in id order. */
export async function loadAssignmentScores(
  db: GradebookDb,
  courseId: number,
  assignmentName: string,
): Promise<AssignmentScores> {
  const assignment = await requireAssignment(db, courseId, assignmentName);
  const notebooks = await db
    .selectFrom('gradebook_notebook')
    .select(['id', 'name'])
    .where('assignment_id', '=', assignment.id)
    .orderBy('name')
    .execute();
  const cellInfo = new Map<number, NotebookCells>();
  for (const nb of notebooks) {
    const info: NotebookCells = new Map();
    for (const table of ['gradebook_grade_cell', 'gradebook_task_cell'] as const) {
      const rows = await db.selectFrom(table).selectAll().where('notebook_id', '=', nb.id).execute();
      for (const r of inGradeIdOrder(rows)) {
        info.set(r.name, {
          maxScore: Number(r.max_score),
          cellType: r.cell_type === 'markdown' ? 'markdown' : 'code',
          task: table === 'gradebook_task_cell',
        });
      }
    }
    cellInfo.set(nb.id, info);
  }
  const cellsOf = (nbId: number): NotebookCells => cellInfo.get(nbId) ?? new Map();
  const maxScore = sum(notebooks.map((nb) => maxScoreOf(cellsOf(nb.id))));
  const dueAt = naiveUtcOrNull(assignment.duedate);

  const submissions = await db
    .selectFrom('gradebook_submission')
    .innerJoin('gradebook_student', 'gradebook_student.id', 'gradebook_submission.student_pk')
    .leftJoin('gradebook_extension', (join) =>
      join
        .onRef('gradebook_extension.assignment_id', '=', 'gradebook_submission.assignment_id')
        .onRef('gradebook_extension.student_pk', '=', 'gradebook_submission.student_pk'),
    )
    .select([
      'gradebook_submission.id as submissionId',
      'gradebook_submission.timestamp',
      'gradebook_student.student_id',
      'gradebook_student.first_name',
      'gradebook_student.last_name',
      'gradebook_student.email',
      'gradebook_extension.seconds as extensionSeconds',
    ])
    .where('gradebook_submission.assignment_id', '=', assignment.id)
    .orderBy('gradebook_student.student_id')
    .execute();

  const result: SubmissionScores[] = [];
  for (const sub of submissions) {
    const submittedNotebooks = await db
      .selectFrom('gradebook_submitted_notebook')
      .selectAll()
      .where('submission_id', '=', sub.submissionId)
      .execute();
    const notebookScores: Record<string, NotebookScores> = {};
    for (const nb of notebooks) {
      const submitted = submittedNotebooks.find((s) => s.notebook_id === nb.id);
      if (!submitted) continue;
      const gradeRows = await db
        .selectFrom('gradebook_grade')
        .selectAll()
        .where('submitted_notebook_id', '=', submitted.id)
        .execute();
      const commentRows = await db
        .selectFrom('gradebook_comment')
        .selectAll()
        .where('submitted_notebook_id', '=', submitted.id)
        .execute();
      notebookScores[nb.name] = scoreNotebook(cellsOf(nb.id), {
        grades: inGradeIdOrder(gradeRows).map((g) => ({
          name: g.name,
          cellKind: g.cell_kind,
          autoScore: nullableNumber(g.auto_score),
          manualScore: nullableNumber(g.manual_score),
          extraCredit: nullableNumber(g.extra_credit),
          needsManualGrade: Number(g.needs_manual_grade) === 1,
        })),
        comments: inGradeIdOrder(commentRows).map((c) => ({
          name: c.name,
          cellKind: c.cell_kind,
          autoComment: c.auto_comment,
          manualComment: c.manual_comment,
        })),
        flagged: Number(submitted.flagged) === 1,
        latePenalty: nullableNumber(submitted.late_submission_penalty),
      });
    }
    const totals = submissionTotals(Object.values(notebookScores));
    result.push({
      studentId: sub.student_id,
      firstName: sub.first_name,
      lastName: sub.last_name,
      email: sub.email,
      timestamp: sub.timestamp,
      secondsLate: secondsLate(naiveUtcOrNull(sub.timestamp), dueAt, Number(sub.extensionSeconds ?? 0)),
      score: totals.score,
      maxScore,
      codeScore: totals.codeScore,
      writtenScore: totals.writtenScore,
      taskScore: totals.taskScore,
      latePenalty: totals.latePenalty,
      scoreAfterPenalty: totals.scoreAfterPenalty,
      needsManualGrade: totals.needsManualGrade,
      notebooks: notebookScores,
    });
  }
  return {
    assignment: assignment.name,
    duedate: assignment.duedate,
    maxScore,
    notebooks: notebooks.map((n) => n.name),
    submissions: result,
  };
}
