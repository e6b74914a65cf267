/**
 * Grading by hand in the hub's pages (nbgrader's formgrader): per assignment the list of every
 * student with the state of their submission; per submitted notebook the autograded notebook in
 * the renderer's grading mode with each graded cell's scores, comment and versions; saving one
 * field at a time (./grading-saves.ts); anonymous grading. Instructors and graders only (admins
 * as instructors); only instructors turn anonymous grading on or off (off reveals the names).
 *
 * Anonymous grading: students appear as a pseudonym (./pseudonyms.ts) in every view this service
 * returns, keyed by it in every address, until an instructor turns it off; a real student id is
 * then no key at all, so names cannot be probed for either.
 */
import { join } from 'node:path';
import { CourseDirectory, readNbgraderConfigFile, readNotebookFile } from '../../course/index.js';
import type { CourseStores } from '../../db/stores/course-stores.js';
import type { CourseService, HubCourseRow } from '../../exchange/courses/course-service.js';
import { CourseNotFoundError } from '../../exchange/errors.js';
import type { Actor } from '../../exchange/exchange.js';
import {
  ensureCourse,
  findStudentPk,
  listStudents,
  requireAssignment,
  type StudentRecord,
} from '../../gradebook/courses.js';
import { loadAssignmentPoints, type NotebookScores } from '../../gradebook/scores.js';
import { feedbackSettingsFrom } from '../../grading/feedback/index.js';
import {
  inGradeIdOrder,
  notebookMaxima,
  scoreNotebook,
  secondsLate,
  type NotebookCells,
} from '../../grading/scores/index.js';
import { parseNaiveUtc } from '../../gradebook/timestamps.js';
import { nbgraderSettings } from '../../grading/nbgrader-config.js';
import { nbgraderMetadata } from '../../notebook/index.js';
import { renderForGrading, type GradingCell } from '../../render/index.js';
import { GRADERS, INSTRUCTOR, type CourseWork } from './course-work.js';
import { saveField, type GradingChange, type GradingField, type SaveResult } from './grading-saves.js';
import { newPseudonymSecret, pseudonymOf } from './pseudonyms.js';
import {
  LIST_PAGE_SIZE,
  SUBMISSION_STATES,
  QUESTION_PAGE_SIZE,
  type CellGrading,
  type GradedStudent,
  type GradingState,
  type GradingView,
  type ListQuery,
  type QuestionEntry,
  type QuestionView,
  type SubmissionListRow,
  type SubmissionsList,
  type SubmissionState,
} from './formgrader-views.js';
import { filterRows, sortRows } from './submission-list-order.js';

type Graders = 'instructor' | 'grader';

export class Formgrader {
  constructor(private readonly options: { stores: CourseStores; courses: CourseService; work: CourseWork }) {}

  private async course(courseId: string, actor: Actor) {
    const course = await this.options.work.courseFor(courseId, actor, GRADERS);
    const role: Graders = actor.admin
      ? 'instructor'
      : ((await this.options.courses.roleOf(course.name, actor.name)) as Graders);
    const gradebookId = await ensureCourse(this.options.stores.gradebook, course.name);
    return { course, role, gradebookId };
  }

  /** Refuses (CourseRoleError) anyone who is not an instructor or grader of the course (or an admin). */
  async requireGrader(courseId: string, actor: Actor): Promise<void> {
    await this.options.work.courseFor(courseId, actor, GRADERS);
  }

  /** Whether the assignment is graded anonymously (its own setting, else the course's). */
  async isAnonymous(course: HubCourseRow, assignment: string): Promise<boolean> {
    const settings = await this.options.stores.grading.anonymitySettings(course.id);
    const own = settings.find((s) => s.assignment === assignment)?.anonymous;
    return own ?? settings.find((s) => s.assignment === '')?.anonymous ?? false;
  }

  /** Turns anonymous grading of an assignment (or, with '', the course's default) on or off. */
  async setAnonymous(courseId: string, assignment: string, anonymous: boolean, actor: Actor): Promise<void> {
    const course = await this.options.work.courseFor(courseId, actor, INSTRUCTOR);
    await this.options.stores.grading.setAnonymous(course.id, assignment, anonymous, actor.name);
  }

  /** How students are named in this assignment's grading: by id and name, or by pseudonym. */
  private async naming(course: HubCourseRow, assignment: string) {
    const anonymous = await this.isAnonymous(course, assignment);
    const secret = anonymous
      ? await this.options.stores.grading.pseudonymSecret(course.id, newPseudonymSecret)
      : '';
    return {
      anonymous,
      student(id: string, firstName?: string | null, lastName?: string | null): GradedStudent {
        if (anonymous) {
          const pseudonym = pseudonymOf(secret, id);
          return { key: pseudonym, label: pseudonym };
        }
        const name = [firstName, lastName].filter(Boolean).join(' ');
        return { key: id, label: name ? `${id} (${name})` : id };
      },
    };
  }

  /** Every student of the course (enrolled, or with a submission in the gradebook), submitted or not. */
  async submissions(
    courseId: string,
    assignment: string,
    actor: Actor,
    query: ListQuery = {},
  ): Promise<SubmissionsList> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const assignmentRow = await requireAssignment(store, gradebookId, assignment);
    const naming = await this.naming(course, assignment);
    const summary = await loadAssignmentPoints(store, gradebookId, assignment);
    const edited = await this.options.stores.grading.editedStudentIds(assignmentRow.id);
    const questions = (await this.options.stores.grading.gradedCells(assignmentRow.id)).sort((a, b) =>
      a.notebook === b.notebook ? (a.cell < b.cell ? -1 : 1) : a.notebook < b.notebook ? -1 : 1,
    );
    const graded = new Map(summary.submissions.map((s) => [s.studentId, s]));
    const inExchange = new Map<string, string>();
    for (const s of await this.options.stores.exchange.submissions(course.id, { assignment }))
      inExchange.set(s.student, s.timestamp);
    const people = new Map<string, { firstName: string | null; lastName: string | null }>();
    for (const member of await this.options.courses.members(course.name))
      if (member.role === 'student') people.set(member.userName, member);
    for (const student of await listStudents(store, gradebookId))
      if (!people.has(student.id) && (graded.has(student.id) || inExchange.has(student.id)))
        people.set(student.id, student);
    for (const name of inExchange.keys())
      if (!people.has(name)) people.set(name, { firstName: null, lastName: null });

    const rows: SubmissionListRow[] = [...people].map(([id, person]) => {
      const shown = naming.student(id, person.firstName, person.lastName);
      const sub = graded.get(id);
      if (!sub) {
        const timestamp = inExchange.get(id) ?? null;
        return {
          ...shown,
          state: timestamp ? 'submitted' : 'not submitted',
          timestamp,
          late: false,
          score: null,
          maxScore: summary.maxScore,
          notebooks: [],
        };
      }
      const notebooks = Object.values(sub.notebooks);
      const state: SubmissionState = notebooks.some((n) => n.flagged)
        ? 'flagged'
        : sub.needsManualGrade
          ? 'needs manual grading'
          : edited.has(id)
            ? 'graded'
            : 'autograded';
      return {
        ...shown,
        state,
        timestamp: sub.timestamp,
        late: sub.secondsLate > 0,
        score: sub.scoreAfterPenalty,
        maxScore: sub.maxScore,
        notebooks: Object.keys(sub.notebooks).sort(),
      };
    });
    const counts = Object.fromEntries(SUBMISSION_STATES.map((s) => [s, 0])) as Record<
      SubmissionState,
      number
    >;
    for (const row of rows) counts[row.state] += 1;
    const listed = sortRows(filterRows(rows, query), query);
    const pageSize = query.pageSize ?? LIST_PAGE_SIZE;
    const pageCount = Math.max(1, Math.ceil(listed.length / pageSize));
    const page = Math.min(Math.max(Math.trunc(query.page ?? 1) || 1, 1), pageCount);
    return {
      course,
      role,
      assignment,
      duedate: summary.duedate,
      anonymous: naming.anonymous,
      notebooks: summary.notebooks,
      maxScore: summary.maxScore,
      rows: pageSize === Infinity ? listed : listed.slice((page - 1) * pageSize, page * pageSize),
      page,
      pageCount,
      rowCount: listed.length,
      questions,
      counts,
    };
  }

  /** The student whose key (id, or pseudonym when anonymous) this is. */
  private async studentFor(course: HubCourseRow, gradebookId: number, assignment: string, key: string) {
    const naming = await this.naming(course, assignment);
    // By name: the one row. Anonymous: the student whose pseudonym this is (a real id is no key then).
    const students = naming.anonymous
      ? await listStudents(this.options.stores.gradebook, gradebookId)
      : await this.options.stores.grading.studentsNamed(gradebookId, key);
    const student = students.find((s) => naming.student(s.id).key === key);
    if (!student)
      throw new CourseNotFoundError(`There is no submission of ${assignment} by ${key}.`, {
        hint: 'Open it from the assignment’s list of submissions.',
      });
    return { student, naming };
  }

  /**
   * One student's notebook to grade: rendered in grading mode, with its grades and versions. Reads
   * one row per student's copy of this notebook (previous / next, "needs grading"; no sums) and
   * this notebook's grades and comments only, not every student's.
   */
  async submission(
    courseId: string,
    assignment: string,
    key: string,
    notebook: string,
    actor: Actor,
  ): Promise<GradingView> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const { student, naming } = await this.studentFor(course, gradebookId, assignment, key);
    const assignmentRow = await requireAssignment(store, gradebookId, assignment);
    const queue = await this.options.stores.grading.notebookQueue(assignmentRow.id, notebook);
    const order = queue
      .map((q) => ({ key: naming.student(q.studentId).key, id: q.studentId, needs: q.needsManualGrade }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const at = order.findIndex((s) => s.id === student.id);
    const own = queue.find((q) => q.studentId === student.id);
    if (!own || at < 0)
      throw new CourseNotFoundError(`There is no autograded ${notebook} of ${assignment} by ${key}.`, {
        hint: 'Autograde the assignment, then open the notebook from the list of submissions.',
      });

    // nbgrader's totals of this one notebook, by the same rules as every other read.
    const cells = await this.notebookCells(assignmentRow.id, notebook);
    const scored = scoreNotebook(cells, notebookMaxima(cells), {
      grades: await store.submissions.listGrades(own.submittedNotebookId),
      comments: await this.options.stores.grading.commentsOf(own.submittedNotebookId),
      flagged: own.flagged,
      latePenalty: own.latePenalty,
    });
    const seconds = secondsLate(
      own.timestamp === null ? null : parseNaiveUtc(own.timestamp),
      assignmentRow.duedate === null ? null : parseNaiveUtc(assignmentRow.duedate),
      own.extensionSeconds,
    );
    const submittedId = own.submittedNotebookId;

    const rendered = await renderAutograded(course, student.id, assignment, notebook);
    const grading: Record<string, CellGrading> = {};
    for (const cell of rendered) {
      const graded = cellGradingOf(cell, scored);
      if (graded) grading[graded.gradeId] = graded;
    }
    const edits = await this.options.stores.grading.latestEdits([submittedId]);
    const nextNeeding = order.slice(at + 1).find((s) => s.needs);
    return {
      course,
      role,
      assignment,
      notebook,
      student: naming.student(student.id, student.firstName, student.lastName),
      anonymous: naming.anonymous,
      timestamp: own.timestamp,
      late: seconds > 0,
      score: scored.score,
      maxScore: scored.maxScore,
      flagged: scored.flagged,
      cells: rendered,
      grading,
      fields: edits.map((e) => ({
        cell: e.cell,
        field: e.field as GradingField,
        version: e.version,
        editedBy: e.editedBy,
        editedAt: e.editedAt,
      })),
      previous: order[at - 1]?.key ?? null,
      next: order[at + 1]?.key ?? null,
      nextNeedingGrading: nextNeeding?.key ?? null,
    };
  }

  /** The values and versions of a notebook's fields, cheaply (the grading page polls it). */
  async state(
    courseId: string,
    assignment: string,
    key: string,
    notebook: string,
    actor: Actor,
  ): Promise<GradingState> {
    const { course, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const { student, naming } = await this.studentFor(course, gradebookId, assignment, key);
    const assignmentRow = await requireAssignment(store, gradebookId, assignment);
    const studentPk = await findStudentPk(store, gradebookId, student.id);
    const submittedId =
      studentPk === undefined
        ? undefined
        : await store.submissions.findSubmittedNotebookId(assignmentRow.id, studentPk, notebook);
    if (submittedId === undefined)
      throw new CourseNotFoundError(`There is no autograded ${notebook} of ${assignment} by ${key}.`, {
        hint: 'Autograde the assignment, then open the notebook from the list of submissions.',
      });
    const cells = new Map<string, GradingState['cells'][number]>();
    const cell = (id: string) => cells.get(id) ?? cells.set(id, { gradeId: id }).get(id)!;
    for (const g of await store.submissions.listGrades(submittedId))
      cell(g.name).grade = {
        autoScore: g.autoScore,
        manualScore: g.manualScore,
        extraCredit: g.extraCredit,
        needsManualGrade: g.needsManualGrade,
      };
    for (const c of await this.options.stores.grading.commentsOf(submittedId))
      cell(c.name).comment = { autoComment: c.autoComment, manualComment: c.manualComment };
    const edits = await this.options.stores.grading.latestEdits([submittedId]);
    return {
      student: naming.student(student.id, student.firstName, student.lastName),
      anonymous: naming.anonymous,
      notebook,
      flagged: await this.options.stores.grading.isFlagged(submittedId),
      cells: [...cells.values()].sort((a, b) => (a.gradeId < b.gradeId ? -1 : 1)),
      fields: edits.map((e) => ({
        cell: e.cell,
        field: e.field as GradingField,
        version: e.version,
        editedBy: e.editedBy,
        editedAt: e.editedAt,
      })),
    };
  }

  /**
   * One graded cell of a notebook for the students who submitted it, in list order, a page of
   * QUESTION_PAGE_SIZE at a time: reads the list's one row per student (no sums), then only this
   * page's grades, comments and autograded notebooks.
   */
  async question(
    courseId: string,
    assignment: string,
    notebook: string,
    cellId: string,
    actor: Actor,
    options: { page?: number } = {},
  ): Promise<QuestionView> {
    const { course, role, gradebookId } = await this.course(courseId, actor);
    const store = this.options.stores.gradebook;
    const naming = await this.naming(course, assignment);
    const assignmentRow = await requireAssignment(store, gradebookId, assignment);
    const queue = await this.options.stores.grading.notebookQueue(assignmentRow.id, notebook);
    const notFound = () =>
      new CourseNotFoundError(`No autograded ${notebook} of ${assignment} has a graded cell ${cellId}.`, {
        hint: 'Open a question from the assignment’s list of submissions.',
      });
    const cells = await this.notebookCells(assignmentRow.id, notebook);
    if (queue.length === 0 || !cells.has(cellId)) throw notFound();
    const order = queue
      .map((q) => ({ key: naming.student(q.studentId).key, own: q }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const pageCount = Math.ceil(order.length / QUESTION_PAGE_SIZE);
    const page = Math.min(Math.max(Math.trunc(options.page ?? 1) || 1, 1), pageCount);
    const onPage = order.slice((page - 1) * QUESTION_PAGE_SIZE, page * QUESTION_PAGE_SIZE);
    const people = naming.anonymous
      ? new Map<string, StudentRecord>()
      : new Map((await listStudents(store, gradebookId)).map((s) => [s.id, s]));
    const edits = await this.options.stores.grading.latestEdits(onPage.map((o) => o.own.submittedNotebookId));
    const hiddenTests = await hiddenTestDelimiters(course);
    const maxima = notebookMaxima(cells);
    const entries: QuestionEntry[] = [];
    for (const { own } of onPage) {
      const scored = scoreNotebook(cells, maxima, {
        grades: await store.submissions.listGrades(own.submittedNotebookId),
        comments: await this.options.stores.grading.commentsOf(own.submittedNotebookId),
        flagged: own.flagged,
        latePenalty: own.latePenalty,
      });
      const rendered = await renderAutograded(course, own.studentId, assignment, notebook, {
        hiddenTests,
        onlyCell: cellId,
      }).catch(() => []);
      const cell = rendered.find((c) => c.role?.gradeId === cellId);
      const grading = cell && cellGradingOf(cell, scored);
      if (!cell || !grading) continue;
      const person = people.get(own.studentId);
      entries.push({
        student: naming.student(own.studentId, person?.firstName, person?.lastName),
        cell,
        grading,
        fields: edits
          .filter((e) => e.submittedNotebookId === own.submittedNotebookId && e.cell === cellId)
          .map((e) => ({
            cell: e.cell,
            field: e.field as GradingField,
            version: e.version,
            editedBy: e.editedBy,
            editedAt: e.editedAt,
          })),
        needsManualGrade: grading.grade?.needsManualGrade ?? false,
      });
    }
    if (entries.length === 0 && pageCount === 1) throw notFound();
    return {
      course,
      role,
      assignment,
      notebook,
      cell: cellId,
      anonymous: naming.anonymous,
      entries,
      page,
      pageCount,
      studentCount: order.length,
    };
  }

  /** A notebook's graded cells with their points, in the order nbgrader's totals take them. */
  private async notebookCells(assignmentId: number, notebook: string): Promise<NotebookCells> {
    const cells: NotebookCells = new Map();
    const ofNotebook = (await this.options.stores.grading.gradedCells(assignmentId)).filter(
      (c) => c.notebook === notebook,
    );
    const byName = (rows: typeof ofNotebook) => inGradeIdOrder(rows.map((r) => ({ ...r, name: r.cell })));
    for (const c of [
      ...byName(ofNotebook.filter((c) => !c.task)),
      ...byName(ofNotebook.filter((c) => c.task)),
    ])
      cells.set(c.name, { maxScore: c.maxScore, cellType: c.cellType, task: c.task });
    return cells;
  }

  /** Saves one field (./grading-saves.ts); the student named by key as in the pages. */
  async save(
    courseId: string,
    assignment: string,
    key: string,
    notebook: string,
    change: GradingChange,
    actor: Actor,
  ): Promise<SaveResult> {
    const { course, gradebookId } = await this.course(courseId, actor);
    const { student } = await this.studentFor(course, gradebookId, assignment, key);
    return saveField(
      this.options.stores,
      gradebookId,
      { assignment, studentId: student.id, notebook },
      change,
      actor.name,
    );
  }
}

/** The student's autograded notebook in the renderer's grading mode (the course's hidden-test delimiters). */
async function renderAutograded(
  course: HubCourseRow,
  studentId: string,
  assignment: string,
  notebook: string,
  options: { hiddenTests?: HiddenTestDelimiters; onlyCell?: string } = {},
): Promise<GradingCell[]> {
  const directory = new CourseDirectory(course.directory);
  const file = join(directory.autograded(studentId, assignment), `${notebook}.ipynb`);
  const read = await readNotebookFile(file, `${notebook}.ipynb`);
  // Grading by question renders the one cell of each student's notebook, not all of them.
  const only = options.onlyCell;
  const cells =
    only === undefined ? read.cells : read.cells.filter((c) => nbgraderMetadata(c)?.grade_id === only);
  return renderForGrading(
    { ...read, cells },
    {
      hiddenTests: options.hiddenTests ?? (await hiddenTestDelimiters(course)),
      // Files beside the notebook are not served here: a relative image shows as a note.
      relativeUrl: () => null,
    },
  );
}

type HiddenTestDelimiters = { beginDelimiter: string; endDelimiter: string };

/** The course's ClearHiddenTests delimiters (nbgrader_config.py), to mark hidden tests. */
async function hiddenTestDelimiters(course: HubCourseRow): Promise<HiddenTestDelimiters> {
  const directory = new CourseDirectory(course.directory);
  return feedbackSettingsFrom(nbgraderSettings(await readNbgraderConfigFile(directory.configFile)))
    .hiddenTests;
}

/** A graded, answer or task cell's grading as the gradebook holds it; undefined for other cells. */
function cellGradingOf(cell: GradingCell, scored: NotebookScores): CellGrading | undefined {
  const role = cell.role;
  const id = role?.gradeId;
  if (!role || !id || !(role.grade || role.solution || role.task)) return undefined;
  const grade = scored.grades[id];
  const comment = scored.comments[id];
  return {
    gradeId: id,
    maxScore: grade?.maxScore ?? role.points,
    grade: grade && {
      autoScore: grade.autoScore,
      manualScore: grade.manualScore,
      extraCredit: grade.extraCredit,
      needsManualGrade: grade.needsManualGrade,
    },
    comment: comment && { autoComment: comment.autoComment, manualComment: comment.manualComment },
  };
}
