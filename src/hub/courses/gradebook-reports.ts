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
  listAssignments,
  listStudents,
  requireAssignment,
  type StudentRecord,
} from '../../gradebook/courses.js';
import { GRADES_CSV_COLUMNS, gradesCsv, gradesCsvRows } from '../../gradebook/export-grades-csv.js';
import { pythonFloat } from '../../gradebook/python-format.js';
import { loadAssignmentScores, loadAssignmentSummary } from '../../gradebook/scores.js';
import { parseNaiveUtc } from '../../gradebook/timestamps.js';
import {
  inGradeIdOrder,
  notebookMaxima,
  scoreNotebook,
  secondsLate,
  submissionTotals,
  type NotebookCells,
  type NotebookScores,
} from '../../grading/scores/index.js';
import { GRADERS, type CourseWork } from './course-work.js';
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
  rows: (GradebookStudent & { total: number; results: Record<string, GradebookResult | undefined> })[];
}

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

export interface HistogramBin {
  /** [from, to) (the last bin includes `to`). */
  from: number;
  to: number;
  count: number;
}

export interface AnalyticsView {
  course: HubCourseRow;
  role: 'instructor' | 'grader';
  assignment: string;
  duedate: string | null;
  maxScore: number;
  submitted: number;
  /** Scores after the late penalty, in 10 bins over 0..maxScore. */
  scores: HistogramBin[];
  cells: { notebook: string; cell: string; maxScore: number; graded: number; bins: HistogramBin[] }[];
  /** Autograded test cells by how many submissions got less than full marks, most first. */
  failedTests: {
    notebook: string;
    cell: string;
    maxScore: number;
    zero: number;
    partial: number;
    full: number;
  }[];
  /** Every submission's time stamp, oldest first; late: after the due date and any extension. */
  timeline: { timestamp: string; late: boolean }[];
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

/**
 * `bins` equal bins over 0..max; a value above max (extra credit) goes into the last one, below 0
 * into the first. With max 0 every value is in one bin.
 */
export function histogram(values: number[], max: number, bins: number): HistogramBin[] {
  if (max <= 0) return [{ from: 0, to: 0, count: values.length }];
  const width = max / bins;
  const result = Array.from({ length: bins }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const value of values) {
    const at = Math.min(bins - 1, Math.max(0, Math.floor(value / width)));
    result[at]!.count += 1;
  }
  return result;
}

/** A cell's bins: one per point for a cell of at most 10 whole points (0, 1, ..., max), else 10. */
function cellBins(values: number[], max: number): HistogramBin[] {
  if (Number.isInteger(max) && max > 0 && max <= 10) {
    const result = Array.from({ length: max + 1 }, (_, i) => ({ from: i, to: i + 1, count: 0 }));
    for (const value of values) result[Math.min(max, Math.max(0, Math.floor(value)))]!.count += 1;
    return result;
  }
  return histogram(values, max, 10);
}

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

  /** Names or pseudonyms: pseudonyms while any assignment of the course is graded anonymously. */
  private async naming(course: HubCourseRow) {
    const settings = await this.options.stores.grading.anonymitySettings(course.id);
    const anonymous = settings.some((s) => s.anonymous);
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

  /** Students x assignments, each with the score after the late penalty, and each student's total. */
  async overview(courseId: string, actor: Actor): Promise<GradebookOverview> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const naming = await this.naming(course);
    const students = await listStudents(store, gradebookId);
    const rows = students.map((s) => ({
      id: s.id,
      ...naming.student(s),
      total: 0,
      results: {} as Record<string, GradebookResult | undefined>,
    }));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const assignments: GradebookOverview['assignments'] = [];
    for (const assignment of await listAssignments(store, gradebookId)) {
      const summary = await loadAssignmentSummary(store, gradebookId, assignment.name);
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
        submitted: summary.submissions.length,
      });
    }
    const sorted = naming.anonymous ? [...rows].sort((a, b) => byText(a.key, b.key)) : rows;
    return {
      course,
      role,
      anonymous: naming.anonymous,
      assignments,
      maxScore: assignments.reduce((total, a) => total + a.maxScore, 0),
      rows: sorted.map(({ id: _id, ...row }) => row),
    };
  }

  /** The student whose key (id, or pseudonym while anonymous) this is. */
  private async studentFor(course: HubCourseRow, gradebookId: number, key: string) {
    const naming = await this.naming(course);
    const students = await listStudents(this.options.stores.gradebook, gradebookId);
    const student = students.find((s) => naming.student(s).key === key);
    if (!student)
      throw new CourseNotFoundError(`There is no student ${key} in the gradebook of ${course.name}.`, {
        hint: 'Open the student from the course’s gradebook.',
      });
    return { student, shown: naming.student(student), anonymous: naming.anonymous };
  }

  /**
   * One student's assignment: each notebook with its cells' scores and comments, the late penalty
   * and the extension. Reads this student's rows only (and one row per student of each notebook).
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
    const { student, shown, anonymous } = await this.studentFor(course, gradebookId, key);
    const assignmentRow = await requireAssignment(store, gradebookId, assignment);
    const studentPk = (await findStudentPk(store, gradebookId, student.id))!;
    const extensionSeconds = await store.courses.extensionSeconds(assignmentRow.id, studentPk);
    const graded = await grading.gradedCells(assignmentRow.id);
    const notebookNames = [...new Set(graded.map((c) => c.notebook))].sort(byText);
    let timestamp: string | null = null;
    const notebooks: StudentAssignmentView['notebooks'] = [];
    const scoredNotebooks: NotebookScores[] = [];
    for (const name of notebookNames) {
      const own = (await grading.notebookQueue(assignmentRow.id, name)).find(
        (q) => q.studentId === student.id,
      );
      if (!own) continue;
      timestamp = own.timestamp;
      const ofNotebook = graded.filter((c) => c.notebook === name).map((c) => ({ ...c, name: c.cell }));
      const cells: NotebookCells = new Map();
      for (const c of [
        ...inGradeIdOrder(ofNotebook.filter((c) => !c.task)),
        ...inGradeIdOrder(ofNotebook.filter((c) => c.task)),
      ])
        cells.set(c.name, { maxScore: c.maxScore, cellType: c.cellType, task: c.task });
      const scored = scoreNotebook(cells, notebookMaxima(cells), {
        grades: await store.submissions.listGrades(own.submittedNotebookId),
        comments: await grading.commentsOf(own.submittedNotebookId),
        flagged: own.flagged,
        latePenalty: own.latePenalty,
      });
      scoredNotebooks.push(scored);
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
        score: scored.score,
        maxScore: scored.maxScore,
        latePenalty: scored.latePenalty,
        flagged: scored.flagged,
        cells: results,
      });
    }
    if (notebooks.length === 0)
      throw new CourseNotFoundError(`${key} has no autograded submission of ${assignment}.`, {
        hint: 'Autograde the assignment, then open it from the gradebook.',
      });
    const totals = submissionTotals(scoredNotebooks);
    const maxScore = notebookNames.reduce((total, name) => {
      const cells = graded.filter((c) => c.notebook === name);
      return total + cells.reduce((t, c) => t + c.maxScore, 0);
    }, 0);
    return {
      course,
      role,
      anonymous,
      student: shown,
      assignment,
      duedate: assignmentRow.duedate,
      timestamp,
      extensionSeconds,
      secondsLate: secondsLate(
        timestamp === null ? null : parseNaiveUtc(timestamp),
        assignmentRow.duedate === null ? null : parseNaiveUtc(assignmentRow.duedate),
        extensionSeconds,
      ),
      score: totals.scoreAfterPenalty,
      rawScore: totals.score,
      latePenalty: totals.latePenalty,
      maxScore,
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
   * manual_score, extra_credit, score (nbgrader's Grade.score: manual if given, else auto, plus extra
   * credit),
   * max_score. Assignments as in grades.csv, then students, notebooks and cells in order.
   */
  async cellsCsv(courseId: string, actor: Actor): Promise<string> {
    const { course, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const naming = await this.naming(course);
    const lines = [CELLS_CSV_COLUMNS.join(',')];
    const assignments = (await listAssignments(store, gradebookId)).map((a) => a.name);
    for (const assignment of assignments) {
      const scores = await loadAssignmentScores(store, gradebookId, assignment);
      const submissions = scores.submissions.map((s) => ({
        student: naming.student({ id: s.studentId, firstName: null, lastName: null, email: null }).key,
        notebooks: s.notebooks,
      }));
      if (naming.anonymous) submissions.sort((a, b) => byText(a.student, b.student));
      for (const sub of submissions)
        for (const notebook of scores.notebooks) {
          const scored = sub.notebooks[notebook];
          if (!scored) continue;
          for (const [cell, grade] of Object.entries(scored.grades))
            lines.push(
              [
                assignment,
                notebook,
                cell,
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
    }
    return lines.join('\n') + '\n';
  }

  /** An assignment's analytics: no student is named in them (counts and time stamps only). */
  async analytics(courseId: string, assignment: string, actor: Actor): Promise<AnalyticsView> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const scores = await loadAssignmentScores(this.options.stores.gradebook, gradebookId, assignment);
    const perCell = new Map<
      string,
      { notebook: string; cell: string; maxScore: number; values: number[]; test: boolean; auto: number[] }
    >();
    for (const sub of scores.submissions)
      for (const notebook of scores.notebooks) {
        const scored = sub.notebooks[notebook];
        if (!scored) continue;
        for (const [cell, grade] of Object.entries(scored.grades)) {
          const key = `${notebook}\0${cell}`;
          let entry = perCell.get(key);
          if (!entry)
            perCell.set(
              key,
              (entry = {
                notebook,
                cell,
                maxScore: grade.maxScore,
                values: [],
                test: grade.cellKind === 'GradeCell' && grade.cellType === 'code',
                auto: [],
              }),
            );
          entry.values.push(grade.score);
          if (grade.autoScore !== null) entry.auto.push(grade.autoScore);
        }
      }
    const cells = [...perCell.values()];
    const failedTests = cells
      .filter((c) => c.test && c.auto.length > 0)
      .map((c) => ({
        notebook: c.notebook,
        cell: c.cell,
        maxScore: c.maxScore,
        zero: c.auto.filter((v) => v <= 0).length,
        partial: c.auto.filter((v) => v > 0 && v < c.maxScore).length,
        full: c.auto.filter((v) => v >= c.maxScore).length,
      }))
      .filter((c) => c.zero + c.partial > 0)
      .sort((a, b) => b.zero + b.partial - (a.zero + a.partial) || b.zero - a.zero)
      .slice(0, 10);
    return {
      course,
      role,
      assignment,
      duedate: scores.duedate,
      maxScore: scores.maxScore,
      submitted: scores.submissions.length,
      scores: histogram(
        scores.submissions.map((s) => s.scoreAfterPenalty),
        scores.maxScore,
        10,
      ),
      cells: cells.map((c) => ({
        notebook: c.notebook,
        cell: c.cell,
        maxScore: c.maxScore,
        graded: c.values.length,
        bins: cellBins(c.values, c.maxScore),
      })),
      failedTests,
      timeline: scores.submissions
        .filter((s): s is typeof s & { timestamp: string } => s.timestamp !== null)
        .map((s) => ({ timestamp: s.timestamp, late: s.secondsLate > 0 }))
        .sort((a, b) => byText(a.timestamp, b.timestamp)),
    };
  }
}
