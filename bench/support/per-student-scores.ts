/**
 * The baseline of bench/gradebook.ts: how src/gradebook/scores.ts read an assignment's scores
 * before they were read set-based, one student at a time, 3 + 2 x notebooks + N x (1 + 2 x
 * notebooks) queries. Copied unchanged (with the gradeScore, secondsLate and requireAssignment it
 * called) so the benchmark compares against the real old code, over the same tables.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type {
  AssignmentScores,
  CommentRecord,
  GradeScore,
  NotebookScores,
  SubmissionScores,
} from '../../src/gradebook/scores.js';
import { parseNaiveUtc } from '../../src/gradebook/timestamps.js';

/** Grade.score: the manual score if set, else the automatic one, else 0; plus extra credit. */
function gradeScore(grade: {
  auto_score: number | null;
  manual_score: number | null;
  extra_credit: number | null;
}): number {
  const extra = grade.extra_credit === null ? 0 : Number(grade.extra_credit);
  if (grade.manual_score !== null) return Number(grade.manual_score) + extra;
  if (grade.auto_score !== null) return Number(grade.auto_score) + extra;
  return 0;
}

/** Seconds past the due date plus extension; 0 without a timestamp or a due date. */
function secondsLate(timestamp: string | null, duedate: string | null, extensionSeconds: number): number {
  if (timestamp === null || duedate === null) return 0;
  const late = (parseNaiveUtc(timestamp) - parseNaiveUtc(duedate)) / 1_000_000 - extensionSeconds;
  return Math.max(0, late);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Every submission of an assignment with nbgrader's totals, students in id order. */
export async function loadAssignmentScoresPerStudent(
  db: Kysely<Database>,
  courseId: number,
  assignmentName: string,
): Promise<AssignmentScores> {
  // requireAssignment (src/gradebook/courses.ts before the stores) was this one query.
  const assignment = await db
    .selectFrom('gradebook_assignment')
    .selectAll()
    .where('course_id', '=', courseId)
    .where('name', '=', assignmentName)
    .executeTakeFirstOrThrow();
  const notebooks = await db
    .selectFrom('gradebook_notebook')
    .select(['id', 'name'])
    .where('assignment_id', '=', assignment.id)
    .orderBy('name')
    .execute();
  const cellInfo = new Map<
    number,
    Map<string, { maxScore: number; cellType: 'code' | 'markdown'; task: boolean }>
  >();
  for (const nb of notebooks) {
    const info = new Map<string, { maxScore: number; cellType: 'code' | 'markdown'; task: boolean }>();
    for (const table of ['gradebook_grade_cell', 'gradebook_task_cell'] as const) {
      const rows = await db.selectFrom(table).selectAll().where('notebook_id', '=', nb.id).execute();
      for (const r of rows) {
        info.set(r.name, {
          maxScore: Number(r.max_score),
          cellType: r.cell_type === 'markdown' ? 'markdown' : 'code',
          task: table === 'gradebook_task_cell',
        });
      }
    }
    cellInfo.set(nb.id, info);
  }
  const maxOf = (nbId: number, pick: (c: { cellType: string; task: boolean }) => boolean) =>
    sum([...(cellInfo.get(nbId)?.values() ?? [])].filter(pick).map((c) => c.maxScore));

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
      const info = cellInfo.get(nb.id) ?? new Map();
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
      const grades: Record<string, GradeScore> = {};
      for (const g of gradeRows) {
        const cell = info.get(g.name) ?? {
          maxScore: 0,
          cellType: 'code' as const,
          task: g.cell_kind === 'task',
        };
        const autoScore = g.auto_score === null ? null : Number(g.auto_score);
        grades[g.name] = {
          cellKind: cell.task ? 'TaskCell' : 'GradeCell',
          cellType: cell.cellType,
          autoScore,
          manualScore: g.manual_score === null ? null : Number(g.manual_score),
          extraCredit: g.extra_credit === null ? null : Number(g.extra_credit),
          score: gradeScore(g),
          maxScore: cell.maxScore,
          needsManualGrade: Number(g.needs_manual_grade) === 1,
          // Grade.failed_tests: a code grade cell whose automatic score is below its points.
          failedTests:
            !cell.task && cell.cellType === 'code' && autoScore !== null && autoScore < cell.maxScore,
        };
      }
      const comments: Record<string, CommentRecord> = {};
      for (const c of commentRows) {
        comments[c.name] = {
          cellKind: c.cell_kind === 'task' ? 'TaskCell' : 'SolutionCell',
          autoComment: c.auto_comment,
          manualComment: c.manual_comment,
        };
      }
      const values = Object.values(grades);
      const scoreWhere = (pick: (g: GradeScore) => boolean) => sum(values.filter(pick).map((g) => g.score));
      notebookScores[nb.name] = {
        score: sum(values.map((g) => g.score)),
        maxScore: maxOf(nb.id, () => true),
        codeScore: scoreWhere((g) => g.cellKind === 'GradeCell' && g.cellType === 'code'),
        maxCodeScore: maxOf(nb.id, (c) => !c.task && c.cellType === 'code'),
        writtenScore: scoreWhere((g) => g.cellKind === 'GradeCell' && g.cellType === 'markdown'),
        maxWrittenScore: maxOf(nb.id, (c) => !c.task && c.cellType === 'markdown'),
        taskScore: scoreWhere((g) => g.cellKind === 'TaskCell'),
        maxTaskScore: maxOf(nb.id, (c) => c.task),
        needsManualGrade: values.some((g) => g.needsManualGrade),
        failedTests: values.some((g) => g.failedTests),
        flagged: Number(submitted.flagged) === 1,
        latePenalty:
          submitted.late_submission_penalty === null ? null : Number(submitted.late_submission_penalty),
        grades,
        comments,
      };
    }
    const nbs = Object.values(notebookScores);
    const score = sum(nbs.map((n) => n.score));
    const latePenalty = sum(nbs.map((n) => n.latePenalty ?? 0));
    result.push({
      studentId: sub.student_id,
      firstName: sub.first_name,
      lastName: sub.last_name,
      email: sub.email,
      timestamp: sub.timestamp,
      secondsLate: secondsLate(sub.timestamp, assignment.duedate, Number(sub.extensionSeconds ?? 0)),
      score,
      maxScore: sum(notebooks.map((nb) => maxOf(nb.id, () => true))),
      codeScore: sum(nbs.map((n) => n.codeScore)),
      writtenScore: sum(nbs.map((n) => n.writtenScore)),
      taskScore: sum(nbs.map((n) => n.taskScore)),
      latePenalty,
      scoreAfterPenalty: Math.max(0, score - latePenalty),
      needsManualGrade: nbs.some((n) => n.needsManualGrade),
      notebooks: notebookScores,
    });
  }
  return {
    assignment: assignment.name,
    duedate: assignment.duedate,
    maxScore: sum(notebooks.map((nb) => maxOf(nb.id, () => true))),
    notebooks: notebooks.map((n) => n.name),
    submissions: result,
  };
}
