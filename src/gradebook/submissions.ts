/**
 * Recording autograde results. One call = one submission, in one transaction, so a grader killed
 * mid-run leaves each submission either fully recorded or as it was before.
 */
import type { GradebookStore } from '../db/stores/gradebook.js';
import {
  latePenaltyMethod,
  notebookLatePenalty,
  type LatePenaltyMethod,
} from '../grading/late-penalty/index.js';
import { gradeScore, inGradeIdOrder, secondsLate } from '../grading/scores/index.js';
import { requireAssignment, updateOrCreateStudent } from './courses.js';
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
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
  studentId: string,
  timestamp: string | null,
) {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  const studentPk = await updateOrCreateStudent(store, courseId, { id: studentId });
  const submittedNotebookIds = await store.submissions.ensure(assignment.id, studentPk, timestamp);
  const extensionSeconds = await store.courses.extensionSeconds(assignment.id, studentPk);
  return { assignment, submittedNotebookIds, extensionSeconds };
}

const naiveUtcOrNull = (text: string | null) => (text === null ? null : parseNaiveUtc(text));

/** Stores one submission's autograde result in one transaction. */
export async function recordSubmissionResult(
  store: GradebookStore,
  courseId: number,
  result: SubmissionAutogradeResult,
): Promise<void> {
  const method =
    typeof result.latePenalty === 'string' ? latePenaltyMethod(result.latePenalty) : result.latePenalty;
  await store.withTransaction(async (tx) => {
    const { assignment, submittedNotebookIds, extensionSeconds } = await ensureSubmission(
      tx,
      courseId,
      result.assignment,
      result.studentId,
      result.timestamp,
    );
    for (const missing of result.missingNotebooks) {
      const id = submittedNotebookIds.get(missing);
      if (id === undefined) continue;
      await tx.submissions.updateAllGrades(id, { autoScore: 0, needsManualGrade: false });
    }
    const late = secondsLate(
      naiveUtcOrNull(result.timestamp),
      naiveUtcOrNull(assignment.duedate),
      extensionSeconds,
    );
    for (const notebook of result.gradedNotebooks) {
      const id = submittedNotebookIds.get(notebook.name);
      if (id === undefined) continue;
      const stored = new Map((await tx.submissions.listGrades(id)).map((g) => [g.name, g]));
      for (const grade of notebook.grades) {
        const row = stored.get(grade.name);
        if (!row) continue;
        // SaveAutoGrades: a manual grade given earlier, or no automatic score, means a human must look.
        const needsManual = row.manualScore !== null || grade.autoScore === null;
        await tx.submissions.updateGrade(row.id, {
          autoScore: grade.autoScore,
          needsManualGrade: needsManual,
        });
      }
      for (const comment of notebook.comments) {
        await tx.submissions.updateComment(id, comment.name, { autoComment: comment.autoComment });
      }
      // AssignLatePenalties: the notebook's score as it now stands decides the penalty.
      const grades = inGradeIdOrder(await tx.submissions.listGrades(id));
      const score = grades.reduce((sum, g) => sum + gradeScore(g), 0);
      const penalty = notebookLatePenalty(method, { studentId: result.studentId, score, secondsLate: late });
      await tx.submissions.setLatePenalty(id, penalty);
    }
  });
}

/** Records that a submission exists (nbgrader does this before converting), without grades. */
export async function recordSubmissionStarted(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
  studentId: string,
  timestamp: string | null,
): Promise<void> {
  await store.withTransaction(async (tx) => {
    await ensureSubmission(tx, courseId, assignmentName, studentId, timestamp);
  });
}
