/**
 * Recording autograde results. One call = one submission, in one transaction, so a grader killed
 * mid-run leaves each submission either fully recorded or as it was before.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import {
  latePenaltyMethod,
  notebookLatePenalty,
  type LatePenaltyMethod,
} from '../grading/late-penalty/index.js';
import { gradeScore, inGradeIdOrder, secondsLate } from '../grading/scores/index.js';
import { requireAssignment, updateOrCreateStudent, type GradebookDb } from './courses.js';
import { parseNaiveUtc } from './timestamps.js';

export interface NotebookAutogradeResult {
  name: string;
  /** determine_grade's auto score per grade cell present in the autograded notebook. */
  grades: Array<{ name: string; autoScore: number | null }>;
  /** Per solution/task cell present: "No response." or null. */
  comments: Array<{ name: string; autoComment: string | null }>;
}

export interface SubmissionAutogradeResult {
  assignment: string;
  studentId: string;
  /** Naive UTC from timestamp.txt, or null. */
  timestamp: string | null;
  /** Notebooks that were autograded successfully. */
  gradedNotebooks: NotebookAutogradeResult[];
  /** Notebooks of the assignment that the student did not submit: they score 0. */
  missingNotebooks: string[];
  /** A LateSubmissionPlugin method name (`none`, `zero`, or a registered one) or the method. */
  latePenalty: string | LatePenaltyMethod;
}

/** Creates the submission rows nbgrader creates (every grade null and needing a grade) if absent. */
async function ensureSubmission(
  db: GradebookDb,
  courseId: number,
  assignmentName: string,
  studentId: string,
  timestamp: string | null,
) {
  const assignment = await requireAssignment(db, courseId, assignmentName);
  const studentPk = await updateOrCreateStudent(db, courseId, { id: studentId });
  let submission = await db
    .selectFrom('gradebook_submission')
    .selectAll()
    .where('assignment_id', '=', assignment.id)
    .where('student_pk', '=', studentPk)
    .executeTakeFirst();
  if (submission) {
    if (timestamp !== null) {
      await db
        .updateTable('gradebook_submission')
        .set({ timestamp })
        .where('id', '=', submission.id)
        .execute();
      submission = { ...submission, timestamp };
    }
  } else {
    submission = await db
      .insertInto('gradebook_submission')
      .values({ assignment_id: assignment.id, student_pk: studentPk, timestamp })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const notebooks = await db
    .selectFrom('gradebook_notebook')
    .selectAll()
    .where('assignment_id', '=', assignment.id)
    .execute();
  const submittedNotebookIds = new Map<string, number>();
  for (const notebook of notebooks) {
    let submitted = await db
      .selectFrom('gradebook_submitted_notebook')
      .select('id')
      .where('submission_id', '=', submission.id)
      .where('notebook_id', '=', notebook.id)
      .executeTakeFirst();
    if (!submitted) {
      submitted = await db
        .insertInto('gradebook_submitted_notebook')
        .values({
          submission_id: submission.id,
          notebook_id: notebook.id,
          flagged: 0,
          late_submission_penalty: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    }
    submittedNotebookIds.set(notebook.name, submitted.id);
    const [gradeCells, taskCells, solutionCells] = await Promise.all([
      db.selectFrom('gradebook_grade_cell').select('name').where('notebook_id', '=', notebook.id).execute(),
      db.selectFrom('gradebook_task_cell').select('name').where('notebook_id', '=', notebook.id).execute(),
      db
        .selectFrom('gradebook_solution_cell')
        .select('name')
        .where('notebook_id', '=', notebook.id)
        .execute(),
    ]);
    const grades = [
      ...gradeCells.map((c) => ({ name: c.name, kind: 'grade' })),
      ...taskCells.map((c) => ({ name: c.name, kind: 'task' })),
    ];
    const comments = [
      ...solutionCells.map((c) => ({ name: c.name, kind: 'solution' })),
      ...taskCells.map((c) => ({ name: c.name, kind: 'task' })),
    ];
    for (const grade of grades) {
      await db
        .insertInto('gradebook_grade')
        .values({
          submitted_notebook_id: submitted.id,
          name: grade.name,
          cell_kind: grade.kind,
          needs_manual_grade: 1,
        })
        .onConflict((oc) => oc.columns(['submitted_notebook_id', 'name']).doNothing())
        .execute();
    }
    for (const comment of comments) {
      await db
        .insertInto('gradebook_comment')
        .values({ submitted_notebook_id: submitted.id, name: comment.name, cell_kind: comment.kind })
        .onConflict((oc) => oc.columns(['submitted_notebook_id', 'name']).doNothing())
        .execute();
    }
  }
  const extension = await db
    .selectFrom('gradebook_extension')
    .select('seconds')
    .where('assignment_id', '=', assignment.id)
    .where('student_pk', '=', studentPk)
    .executeTakeFirst();
  return { assignment, submission, submittedNotebookIds, extensionSeconds: Number(extension?.seconds ?? 0) };
}

const naiveUtcOrNull = (text: string | null) => (text === null ? null : parseNaiveUtc(text));

export async function recordSubmissionResult(
  database: Kysely<Database>,
  courseId: number,
  result: SubmissionAutogradeResult,
): Promise<void> {
  const method =
    typeof result.latePenalty === 'string' ? latePenaltyMethod(result.latePenalty) : result.latePenalty;
  await database.transaction().execute(async (db) => {
    const { assignment, submittedNotebookIds, extensionSeconds } = await ensureSubmission(
      db,
      courseId,
      result.assignment,
      result.studentId,
      result.timestamp,
    );
    for (const missing of result.missingNotebooks) {
      const id = submittedNotebookIds.get(missing);
      if (id === undefined) continue;
      await db
        .updateTable('gradebook_grade')
        .set({ auto_score: 0, needs_manual_grade: 0 })
        .where('submitted_notebook_id', '=', id)
        .execute();
    }
    const late = secondsLate(
      naiveUtcOrNull(result.timestamp),
      naiveUtcOrNull(assignment.duedate),
      extensionSeconds,
    );
    for (const notebook of result.gradedNotebooks) {
      const id = submittedNotebookIds.get(notebook.name);
      if (id === undefined) continue;
      for (const grade of notebook.grades) {
        const row = await db
          .selectFrom('gradebook_grade')
          .select(['id', 'manual_score'])
          .where('submitted_notebook_id', '=', id)
          .where('name', '=', grade.name)
          .executeTakeFirst();
        if (!row) continue;
        // SaveAutoGrades: a manual grade given earlier, or no automatic score, means a human must look.
        const needsManual = row.manual_score !== null || grade.autoScore === null;
        await db
          .updateTable('gradebook_grade')
          .set({ auto_score: grade.autoScore, needs_manual_grade: needsManual ? 1 : 0 })
          .where('id', '=', row.id)
          .execute();
      }
      for (const comment of notebook.comments) {
        await db
          .updateTable('gradebook_comment')
          .set({ auto_comment: comment.autoComment })
          .where('submitted_notebook_id', '=', id)
          .where('name', '=', comment.name)
          .execute();
      }
      // AssignLatePenalties: the notebook's score as it now stands decides the penalty.
      const rows = await db
        .selectFrom('gradebook_grade')
        .select(['name', 'auto_score', 'manual_score', 'extra_credit'])
        .where('submitted_notebook_id', '=', id)
        .execute();
      const grades = inGradeIdOrder(rows).map((g) => ({
        autoScore: g.auto_score === null ? null : Number(g.auto_score),
        manualScore: g.manual_score === null ? null : Number(g.manual_score),
        extraCredit: g.extra_credit === null ? null : Number(g.extra_credit),
      }));
      const score = grades.reduce((sum, g) => sum + gradeScore(g), 0);
      const penalty = notebookLatePenalty(method, { studentId: result.studentId, score, secondsLate: late });
      await db
        .updateTable('gradebook_submitted_notebook')
        .set({ late_submission_penalty: penalty })
        .where('id', '=', id)
        .execute();
    }
  });
}

/** Records that a submission exists (nbgrader does this before converting), without grades. */
export async function recordSubmissionStarted(
  database: Kysely<Database>,
  courseId: number,
  assignmentName: string,
  studentId: string,
  timestamp: string | null,
): Promise<void> {
  await database.transaction().execute(async (db) => {
    await ensureSubmission(db, courseId, assignmentName, studentId, timestamp);
  });
}
