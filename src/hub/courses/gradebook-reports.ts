/**
 * The course gradebook in the hub's pages (issue 14, items 4-5), for instructors and graders
 * (admins as instructors): students x assignments with totals; one student's assignment down to
 * its notebooks and cells; grades.csv (src/gradebook/export-grades-csv.ts, the numbers of
 * `coursehub nbgrader export`) and a per-cell CSV; and each assignment's analytics (score
 * histograms, the tests failed most, submissions against the due date).
 *
 * Anonymous grading (./formgrader.ts, ./pseudonyms.ts): a gradebook row spans every assignment, so
 * while any assignment of the course (or the course's default) is graded anonymously the whole
 * gradebook names students by their pseudonym only (the formgrader's, from the same course
 * secret), in the pages and in both CSVs; rows are then in pseudonym order, since an order by
 * name would tell names too.
 */
import type { CourseStores } from '../../db/stores/course-stores.js';
import type { CourseService, HubCourseRow } from '../../exchange/courses/course-service.js';
import { CourseNotFoundError } from '../../exchange/errors.js';
import type { Actor } from '../../exchange/exchange.js';
import {
  ensureCourse,
  findStudentPk,
  requireAssignment,
  type StudentRecord,
} from '../../gradebook/courses.js';
import { GRADES_CSV_COLUMNS, gradesCsv, gradesCsvRows } from '../../gradebook/export-grades-csv.js';
import { pythonFloat } from '../../gradebook/python-format.js';
import { loadAssignmentPoints, loadAssignmentSummary } from '../../gradebook/scores.js';
import { parseNaiveUtc } from '../../gradebook/timestamps.js';
import {
  inGradeIdOrder,
  notebookMaxima,
  scoreNotebook,
  secondsLate,
  type NotebookCells,
} from '../../grading/scores/index.js';
import { GRADERS, type CourseWork } from './course-work.js';
import {
  assignmentAnalytics,
  readCellGrades,
  readGradeCounts,
  type AnalyticsView,
} from './gradebook-analytics.js';
import { newPseudonymSecret, pseudonymOf } from './pseudonyms.js';

/** A student as the gradebook shows them: `key` in addresses, `label` in text. */
export interface GradebookStudent {
  key: string;
  label: string;
}

/** A student's result for one assignment (only when they have a submission in the gradebook). */
export interface GradebookResult {
  /** After the late penalty. */
  score: number;
  rawScore: number;
  latePenalty: number;
  maxScore: number;
  timestamp: string | null;
  secondsLate: number;
  /** Submitted after the due date but within an extension. */
  withinExtension: boolean;
  needsManualGrade: boolean;
}

export interface GradebookOverview {
  course: HubCourseRow;
  role: 'instructor' | 'grader';
  anonymous: boolean;
  assignments: { name: string; duedate: string | null; maxScore: number; submitted: number }[];
  /** The sum of every assignment's maximum. */
  maxScore: number;
  /** This page's students (GRADEBOOK_PAGE_SIZE a page). */
  rows: (GradebookStudent & { total: number; results: Record<string, GradebookResult | undefined> })[];
  /** 1-based; `pages` at least 1. */
  page: number;
  pages: number;
  studentCount: number;
}

/**
 * Students a gradebook page shows: a page reads only its students' submissions, so it costs the
 * same in a class of 2,000 as in one of 100 (the benchmark's goal: each page under 100 ms).
 */
export const GRADEBOOK_PAGE_SIZE = 100;

export interface CellResult {
  gradeId: string;
  kind: 'grade' | 'task' | 'answer';
  cellType: 'code' | 'markdown' | null;
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  score: number | null;
  maxScore: number | null;
  needsManualGrade: boolean;
  autoComment: string | null;
  manualComment: string | null;
}

export interface StudentAssignmentView {
  course: HubCourseRow;
  role: 'instructor' | 'grader';
  anonymous: boolean;
  student: GradebookStudent;
  assignment: string;
  duedate: string | null;
  timestamp: string | null;
  extensionSeconds: number;
  secondsLate: number;
  score: number;
  rawScore: number;
  latePenalty: number;
  maxScore: number;
  notebooks: {
    name: string;
    score: number;
    maxScore: number;
    latePenalty: number | null;
    flagged: boolean;
    cells: CellResult[];
  }[];
}

export const CELLS_CSV_COLUMNS = [
  'assignment',
  'notebook',
  'cell',
  'student',
  'auto_score',
  'manual_score',
  'extra_credit',
  'score',
  'max_score',
] as const;

type Role = 'instructor' | 'grader';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const numberOrEmpty = (value: number | null) => (value === null ? '' : pythonFloat(value));

export class GradebookReports {
  constructor(private readonly options: { stores: CourseStores; courses: CourseService; work: CourseWork }) {}

  private async course(courseId: string, actor: Actor) {
    const course = await this.options.work.courseFor(courseId, actor, GRADERS);
    const role: Role = actor.admin
      ? 'instructor'
      : ((await this.options.courses.roleOf(course.name, actor.name)) as Role);
    const gradebookId = await ensureCourse(this.options.stores.gradebook, course.name);
    return { course, role, gradebookId };
  }

  /** Whether names are hidden in the course's grades (any assignment graded anonymously). */
  async isAnonymous(courseId: string, actor: Actor): Promise<boolean> {
    const { course } = await this.course(courseId, actor);
    return this.namesHidden(course);
  }

  private async namesHidden(course: HubCourseRow): Promise<boolean> {
    return (await this.options.stores.grading.anonymitySettings(course.id)).some((s) => s.anonymous);
  }

  /** Names or pseudonyms: pseudonyms while any assignment of the course is graded anonymously. */
  private async naming(course: HubCourseRow) {
    const anonymous = await this.namesHidden(course);
    const secret = anonymous
      ? await this.options.stores.grading.pseudonymSecret(course.id, newPseudonymSecret)
      : '';
    return {
      anonymous,
      student(record: StudentRecord): GradebookStudent {
        if (anonymous) {
          const pseudonym = pseudonymOf(secret, record.id);
          return { key: pseudonym, label: pseudonym };
        }
        const name = [record.firstName, record.lastName].filter(Boolean).join(' ');
        return { key: record.id, label: name ? `${record.id} (${name})` : record.id };
      },
    };
  }

  /**
   * One page of students x assignments, each with the score after the late penalty, and each
   * student's total. Students in the order they were added (by pseudonym while anonymous).
   */
  async overview(courseId: string, actor: Actor, page = 1): Promise<GradebookOverview> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const naming = await this.naming(course);
    const everyone = (await store.courses.listStudents(gradebookId)).map((s) => ({
      pk: s.pk,
      id: s.id,
      ...naming.student(s),
      total: 0,
      results: {} as Record<string, GradebookResult | undefined>,
    }));
    if (naming.anonymous) everyone.sort((a, b) => byText(a.key, b.key));
    const pages = Math.max(1, Math.ceil(everyone.length / GRADEBOOK_PAGE_SIZE));
    const at = Math.min(pages, Math.max(1, Math.floor(page) || 1));
    const rows = everyone.slice((at - 1) * GRADEBOOK_PAGE_SIZE, at * GRADEBOOK_PAGE_SIZE);
    const studentPks = rows.map((r) => r.pk);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const assignments: GradebookOverview['assignments'] = [];
    for (const assignment of await store.courses.listAssignments(gradebookId)) {
      const summary = await loadAssignmentSummary(store, gradebookId, assignment.name, { studentPks });
      const due = summary.duedate === null ? null : parseNaiveUtc(summary.duedate);
      for (const sub of summary.submissions) {
        const row = byId.get(sub.studentId);
        if (!row) continue;
        const pastDue =
          due !== null && sub.timestamp !== null ? secondsLate(parseNaiveUtc(sub.timestamp), due, 0) : 0;
        row.results[assignment.name] = {
          score: sub.scoreAfterPenalty,
          rawScore: sub.score,
          latePenalty: sub.latePenalty,
          maxScore: summary.maxScore,
          timestamp: sub.timestamp,
          secondsLate: sub.secondsLate,
          withinExtension: pastDue > 0 && sub.secondsLate === 0,
          needsManualGrade: sub.needsManualGrade,
        };
        row.total += sub.scoreAfterPenalty;
      }
      assignments.push({
        name: assignment.name,
        duedate: assignment.duedate,
        maxScore: summary.maxScore,
        submitted: await store.submissions.count({ assignmentId: assignment.id }),
      });
    }
    return {
      course,
      role,
      anonymous: naming.anonymous,
      assignments,
      maxScore: assignments.reduce((total, a) => total + a.maxScore, 0),
      rows: rows.map(({ id: _id, pk: _pk, ...row }) => row),
      page: at,
      pages,
      studentCount: everyone.length,
    };
  }

  /** The gradebook row id of the student whose key (id, or pseudonym while anonymous) this is. */
  private async studentPkFor(course: HubCourseRow, gradebookId: number, key: string) {
    const naming = await this.naming(course);
    const store = this.options.stores.gradebook;
    const pk = naming.anonymous
      ? (await store.courses.listStudents(gradebookId)).find((s) => naming.student(s).key === key)?.pk
      : await findStudentPk(store, gradebookId, key);
    if (pk === undefined)
      throw new CourseNotFoundError(`There is no student ${key} in the gradebook of ${course.name}.`, {
        hint: 'Open the student from the course’s gradebook.',
      });
    return { pk, naming };
  }

  /**
   * One student's assignment: each notebook with its cells' scores and comments, the late penalty
   * and the extension. Reads this student's rows only: the totals from the assignment's summary
   * cut to this student (the numbers of grades.csv), the cells from their notebooks' grades.
   */
  async studentAssignment(
    courseId: string,
    key: string,
    assignment: string,
    actor: Actor,
  ): Promise<StudentAssignmentView> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const grading = this.options.stores.grading;
    const { pk, naming } = await this.studentPkFor(course, gradebookId, key);
    const assignmentRow = await requireAssignment(store, gradebookId, assignment);
    const summary = await loadAssignmentSummary(store, gradebookId, assignment, { studentPks: [pk] });
    const submission = summary.submissions[0];
    if (!submission)
      throw new CourseNotFoundError(`${key} has no autograded submission of ${assignment}.`, {
        hint: 'Autograde the assignment, then open it from the gradebook.',
      });
    const extensionSeconds = await store.courses.extensionSeconds(assignmentRow.id, pk);
    const graded = await grading.gradedCells(assignmentRow.id);
    const notebooks: StudentAssignmentView['notebooks'] = [];
    for (const [name, totals] of Object.entries(submission.notebooks).sort(([a], [b]) => byText(a, b))) {
      const submittedId = await store.submissions.findSubmittedNotebookId(assignmentRow.id, pk, name);
      if (submittedId === undefined) continue;
      const ofNotebook = graded.filter((c) => c.notebook === name).map((c) => ({ ...c, name: c.cell }));
      const cells: NotebookCells = new Map();
      for (const c of [
        ...inGradeIdOrder(ofNotebook.filter((c) => !c.task)),
        ...inGradeIdOrder(ofNotebook.filter((c) => c.task)),
      ])
        cells.set(c.name, { maxScore: c.maxScore, cellType: c.cellType, task: c.task });
      const scored = scoreNotebook(cells, notebookMaxima(cells), {
        grades: await store.submissions.listGrades(submittedId),
        comments: await grading.commentsOf(submittedId),
        flagged: totals.flagged,
        latePenalty: totals.latePenalty,
      });
      const results: CellResult[] = [...cells.keys()].map((id) => {
        const grade = scored.grades[id];
        const comment = scored.comments[id];
        return {
          gradeId: id,
          kind: cells.get(id)!.task ? 'task' : 'grade',
          cellType: cells.get(id)!.cellType,
          autoScore: grade?.autoScore ?? null,
          manualScore: grade?.manualScore ?? null,
          extraCredit: grade?.extraCredit ?? null,
          score: grade?.score ?? null,
          maxScore: grade?.maxScore ?? cells.get(id)!.maxScore,
          needsManualGrade: grade?.needsManualGrade ?? false,
          autoComment: comment?.autoComment ?? null,
          manualComment: comment?.manualComment ?? null,
        };
      });
      // Answer cells that are not graded themselves carry a comment only.
      for (const [id, comment] of Object.entries(scored.comments).sort(([a], [b]) => byText(a, b)))
        if (!cells.has(id))
          results.push({
            gradeId: id,
            kind: 'answer',
            cellType: null,
            autoScore: null,
            manualScore: null,
            extraCredit: null,
            score: null,
            maxScore: null,
            needsManualGrade: false,
            autoComment: comment.autoComment,
            manualComment: comment.manualComment,
          });
      notebooks.push({
        name,
        score: totals.score,
        maxScore: totals.maxScore,
        latePenalty: totals.latePenalty,
        flagged: totals.flagged,
        cells: results,
      });
    }
    return {
      course,
      role,
      anonymous: naming.anonymous,
      student: naming.student({
        id: submission.studentId,
        firstName: submission.firstName,
        lastName: submission.lastName,
        email: null,
      }),
      assignment,
      duedate: summary.duedate,
      timestamp: submission.timestamp,
      extensionSeconds,
      secondsLate: submission.secondsLate,
      score: submission.scoreAfterPenalty,
      rawScore: submission.score,
      latePenalty: submission.latePenalty,
      maxScore: summary.maxScore,
      notebooks,
    };
  }

  /**
   * grades.csv: byte for byte what `coursehub nbgrader export` writes, unless names are hidden;
   * then student_id is the pseudonym, names and e-mail are empty and rows are in pseudonym order
   * (within each assignment). The numbers are the same either way.
   */
  async gradesCsv(courseId: string, actor: Actor): Promise<string> {
    const { course, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const naming = await this.naming(course);
    if (!naming.anonymous) return gradesCsv(store, gradebookId);
    const rows = (await gradesCsvRows(store, gradebookId)).map((row) => ({
      ...row,
      student_id: naming.student({ id: row.student_id, firstName: null, lastName: null, email: null }).key,
      last_name: '',
      first_name: '',
      email: '',
    }));
    const order = new Map<string, number>();
    for (const row of rows) if (!order.has(row.assignment)) order.set(row.assignment, order.size);
    rows.sort(
      (a, b) => order.get(a.assignment)! - order.get(b.assignment)! || byText(a.student_id, b.student_id),
    );
    const lines = [GRADES_CSV_COLUMNS.join(',')];
    for (const row of rows) lines.push(GRADES_CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
    return lines.join('\n') + '\n';
  }

  /**
   * Every graded cell of every submission: assignment, notebook, cell, student, auto_score,
   * manual_score, extra_credit, score (nbgrader's Grade.score: manual if given, else auto, plus
   * extra credit), max_score. Assignments by name, then students (by id, or by pseudonym while
   * anonymous), notebooks by name, cells in nbgrader's order (grade cells, then task cells).
   */
  async cellsCsv(courseId: string, actor: Actor): Promise<string> {
    const { course, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const naming = await this.naming(course);
    const keyOf = (id: string) => naming.student({ id, firstName: null, lastName: null, email: null }).key;
    const lines = [CELLS_CSV_COLUMNS.join(',')];
    for (const assignment of await store.courses.listAssignments(gradebookId)) {
      const submissions = (await readCellGrades(store, assignment.id)).map((s) => ({
        ...s,
        student: keyOf(s.studentId),
      }));
      if (naming.anonymous) submissions.sort((a, b) => byText(a.student, b.student));
      for (const sub of submissions)
        for (const grade of sub.grades)
          lines.push(
            [
              assignment.name,
              grade.notebook,
              grade.cell,
              sub.student,
              numberOrEmpty(grade.autoScore),
              numberOrEmpty(grade.manualScore),
              numberOrEmpty(grade.extraCredit),
              pythonFloat(grade.score),
              pythonFloat(grade.maxScore),
            ]
              .map(csvField)
              .join(','),
          );
    }
    return lines.join('\n') + '\n';
  }

  /** An assignment's analytics (./gradebook-analytics.ts): no student is named in them. */
  async analytics(
    courseId: string,
    assignment: string,
    actor: Actor,
  ): Promise<AnalyticsView & { course: HubCourseRow; role: Role }> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const summary = await loadAssignmentPoints(store, gradebookId, assignment);
    const assignmentRow = await requireAssignment(store, gradebookId, assignment);
    return { course, role, ...assignmentAnalytics(summary, await readGradeCounts(store, assignmentRow.id)) };
  }
}
