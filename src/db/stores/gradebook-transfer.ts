/**
 * A course's whole gradebook in and out of coursehub's tables at once, as nbgrader's plain data
 * (../nbgrader/model.ts): what moving a class in from nbgrader and out to it needs. Set-based: a
 * fixed number of statements per table (rows inserted in chunks), so 300 students x 10
 * assignments move in seconds. Rows in, rows out; the rules are the hub's (src/hub/courses/).
 */
import type { Kysely } from 'kysely';
import type {
  NbgraderAssignment,
  NbgraderGradebook,
  NbgraderNotebook,
  NbgraderSubmission,
  NbgraderSubmittedNotebook,
} from '../nbgrader/model.js';
import type { Database } from '../schema.js';

// Under SQLite's limit of bound parameters per statement (32766) for the widest row (7 columns).
const ROWS_PER_INSERT = 1000;

function chunks<T>(rows: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) result.push(rows.slice(i, i + ROWS_PER_INSERT));
  return result;
}

const num = (v: number | null) => (v === null ? null : Number(v));

export class GradebookTransferStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Whether the gradebook course holds anything (assignments or students). */
  async isEmpty(courseId: number): Promise<boolean> {
    const a = await this.db
      .selectFrom('gradebook_assignment')
      .select('id')
      .where('course_id', '=', courseId)
      .executeTakeFirst();
    const s = await this.db
      .selectFrom('gradebook_student')
      .select('id')
      .where('course_id', '=', courseId)
      .executeTakeFirst();
    return !a && !s;
  }

  /** Writes the gradebook into an empty gradebook course. */
  async write(courseId: number, book: NbgraderGradebook): Promise<void> {
    for (const rows of chunks(book.students))
      await this.db
        .insertInto('gradebook_student')
        .values(
          rows.map((s) => ({
            course_id: courseId,
            student_id: s.id,
            first_name: s.firstName,
            last_name: s.lastName,
            email: s.email,
            lms_user_id: s.lmsUserId,
          })),
        )
        .execute();
    const studentPks = new Map(
      (
        await this.db
          .selectFrom('gradebook_student')
          .select(['id', 'student_id'])
          .where('course_id', '=', courseId)
          .execute()
      ).map((s) => [s.student_id, s.id]),
    );
    for (const assignment of book.assignments) await this.writeAssignment(courseId, assignment, studentPks);
  }

  private async writeAssignment(
    courseId: number,
    assignment: NbgraderAssignment,
    studentPks: Map<string, number>,
  ) {
    const { id: assignmentId } = await this.db
      .insertInto('gradebook_assignment')
      .values({ course_id: courseId, name: assignment.name, duedate: assignment.duedate })
      .returning('id')
      .executeTakeFirstOrThrow();
    const notebookIds = new Map<string, number>();
    for (const notebook of assignment.notebooks)
      notebookIds.set(notebook.name, await this.writeNotebook(assignmentId, notebook));

    const pkOf = (s: NbgraderSubmission) => {
      const pk = studentPks.get(s.studentId);
      if (pk === undefined)
        throw new Error(`submission of ${s.studentId}, who is not a student of the course`);
      return pk;
    };
    for (const rows of chunks(assignment.submissions))
      await this.db
        .insertInto('gradebook_submission')
        .values(
          rows.map((s) => ({ assignment_id: assignmentId, student_pk: pkOf(s), timestamp: s.timestamp })),
        )
        .execute();
    for (const rows of chunks(assignment.submissions.filter((s) => s.extensionSeconds !== null)))
      await this.db
        .insertInto('gradebook_extension')
        .values(
          rows.map((s) => ({
            assignment_id: assignmentId,
            student_pk: pkOf(s),
            seconds: s.extensionSeconds!,
          })),
        )
        .execute();
    const submissionIds = new Map(
      (
        await this.db
          .selectFrom('gradebook_submission')
          .select(['id', 'student_pk'])
          .where('assignment_id', '=', assignmentId)
          .execute()
      ).map((s) => [s.student_pk, s.id]),
    );

    const submitted: { submissionId: number; notebook: NbgraderSubmittedNotebook }[] = [];
    for (const s of assignment.submissions)
      for (const notebook of s.notebooks)
        submitted.push({ submissionId: submissionIds.get(pkOf(s))!, notebook });
    const notebookIdOf = (name: string) => {
      const id = notebookIds.get(name);
      if (id === undefined)
        throw new Error(`submitted notebook ${name} is not a notebook of ${assignment.name}`);
      return id;
    };
    for (const rows of chunks(submitted))
      await this.db
        .insertInto('gradebook_submitted_notebook')
        .values(
          rows.map(({ submissionId, notebook }) => ({
            submission_id: submissionId,
            notebook_id: notebookIdOf(notebook.name),
            flagged: notebook.flagged ? 1 : 0,
            late_submission_penalty: notebook.latePenalty,
          })),
        )
        .execute();
    const submittedIds = new Map(
      (
        await this.db
          .selectFrom('gradebook_submitted_notebook')
          .innerJoin(
            'gradebook_submission',
            'gradebook_submission.id',
            'gradebook_submitted_notebook.submission_id',
          )
          .select(['gradebook_submitted_notebook.id', 'submission_id', 'notebook_id'])
          .where('gradebook_submission.assignment_id', '=', assignmentId)
          .execute()
      ).map((r) => [`${r.submission_id}/${r.notebook_id}`, r.id]),
    );
    const idOf = (s: { submissionId: number; notebook: NbgraderSubmittedNotebook }) =>
      submittedIds.get(`${s.submissionId}/${notebookIdOf(s.notebook.name)}`)!;
    const grades = submitted.flatMap((s) =>
      s.notebook.grades.map((g) => ({
        submitted_notebook_id: idOf(s),
        name: g.name,
        cell_kind: g.kind,
        auto_score: g.autoScore,
        manual_score: g.manualScore,
        extra_credit: g.extraCredit,
        needs_manual_grade: g.needsManualGrade ? 1 : 0,
      })),
    );
    for (const rows of chunks(grades)) await this.db.insertInto('gradebook_grade').values(rows).execute();
    const comments = submitted.flatMap((s) =>
      s.notebook.comments.map((c) => ({
        submitted_notebook_id: idOf(s),
        name: c.name,
        cell_kind: c.kind,
        auto_comment: c.autoComment,
        manual_comment: c.manualComment,
      })),
    );
    for (const rows of chunks(comments)) await this.db.insertInto('gradebook_comment').values(rows).execute();
  }

  private async writeNotebook(assignmentId: number, notebook: NbgraderNotebook): Promise<number> {
    const { id } = await this.db
      .insertInto('gradebook_notebook')
      .values({ assignment_id: assignmentId, name: notebook.name, kernelspec: notebook.kernelspec })
      .returning('id')
      .executeTakeFirstOrThrow();
    const scored = (c: { name: string; maxScore: number; cellType: string }) => ({
      notebook_id: id,
      name: c.name,
      max_score: c.maxScore,
      cell_type: c.cellType,
    });
    for (const rows of chunks(notebook.gradeCells.map(scored)))
      await this.db.insertInto('gradebook_grade_cell').values(rows).execute();
    for (const rows of chunks(notebook.taskCells.map(scored)))
      await this.db.insertInto('gradebook_task_cell').values(rows).execute();
    for (const rows of chunks(notebook.solutionCells.map((name) => ({ notebook_id: id, name }))))
      await this.db.insertInto('gradebook_solution_cell').values(rows).execute();
    const sources = notebook.sourceCells.map((c, position) => ({
      notebook_id: id,
      name: c.name,
      cell_type: c.cellType,
      locked: c.locked ? 1 : 0,
      // coursehub's column is NOT NULL; nbgrader writes a source for every cell it stores.
      source: c.source ?? '',
      checksum: c.checksum,
      position,
    }));
    for (const rows of chunks(sources))
      await this.db.insertInto('gradebook_source_cell').values(rows).execute();
    return id;
  }

  /** The gradebook course as nbgrader's data; `courseName` is its course_id. */
  async read(courseId: number, courseName: string): Promise<NbgraderGradebook> {
    const db = this.db;
    const students = await db
      .selectFrom('gradebook_student')
      .select(['id', 'student_id', 'first_name', 'last_name', 'email', 'lms_user_id'])
      .where('course_id', '=', courseId)
      .orderBy('id')
      .execute();
    const studentIds = new Map(students.map((s) => [s.id, s.student_id]));
    const assignmentRows = await db
      .selectFrom('gradebook_assignment')
      .select(['id', 'name', 'duedate'])
      .where('course_id', '=', courseId)
      .orderBy('id')
      .execute();
    const ofCourse = db.selectFrom('gradebook_assignment').select('id').where('course_id', '=', courseId);
    const notebookRows = await db
      .selectFrom('gradebook_notebook')
      .select(['id', 'assignment_id', 'name', 'kernelspec'])
      .where('assignment_id', 'in', ofCourse)
      .orderBy('name')
      .orderBy('id')
      .execute();
    const notebookIdsOfCourse = db
      .selectFrom('gradebook_notebook')
      .select('id')
      .where('assignment_id', 'in', ofCourse);
    const notebooks = new Map<number, NbgraderNotebook & { assignmentId: number }>();
    for (const n of notebookRows)
      notebooks.set(n.id, {
        assignmentId: n.assignment_id,
        name: n.name,
        kernelspec: n.kernelspec,
        gradeCells: [],
        solutionCells: [],
        taskCells: [],
        sourceCells: [],
      });
    for (const c of await db
      .selectFrom('gradebook_grade_cell')
      .select(['notebook_id', 'name', 'max_score', 'cell_type'])
      .where('notebook_id', 'in', notebookIdsOfCourse)
      .orderBy('id')
      .execute())
      notebooks
        .get(c.notebook_id)
        ?.gradeCells.push({ name: c.name, maxScore: Number(c.max_score), cellType: c.cell_type });
    for (const c of await db
      .selectFrom('gradebook_task_cell')
      .select(['notebook_id', 'name', 'max_score', 'cell_type'])
      .where('notebook_id', 'in', notebookIdsOfCourse)
      .orderBy('id')
      .execute())
      notebooks
        .get(c.notebook_id)
        ?.taskCells.push({ name: c.name, maxScore: Number(c.max_score), cellType: c.cell_type });
    for (const c of await db
      .selectFrom('gradebook_solution_cell')
      .select(['notebook_id', 'name'])
      .where('notebook_id', 'in', notebookIdsOfCourse)
      .orderBy('id')
      .execute())
      notebooks.get(c.notebook_id)?.solutionCells.push(c.name);
    for (const c of await db
      .selectFrom('gradebook_source_cell')
      .select(['notebook_id', 'name', 'cell_type', 'locked', 'source', 'checksum'])
      .where('notebook_id', 'in', notebookIdsOfCourse)
      .orderBy('notebook_id')
      .orderBy('position')
      .execute())
      notebooks.get(c.notebook_id)?.sourceCells.push({
        name: c.name,
        cellType: c.cell_type,
        locked: Number(c.locked) === 1,
        source: c.source,
        checksum: c.checksum,
      });

    const submissionRows = await db
      .selectFrom('gradebook_submission')
      .leftJoin('gradebook_extension', (join) =>
        join
          .onRef('gradebook_extension.assignment_id', '=', 'gradebook_submission.assignment_id')
          .onRef('gradebook_extension.student_pk', '=', 'gradebook_submission.student_pk'),
      )
      .select([
        'gradebook_submission.id',
        'gradebook_submission.assignment_id',
        'gradebook_submission.student_pk',
        'gradebook_submission.timestamp',
        'gradebook_extension.seconds',
      ])
      .where('gradebook_submission.assignment_id', 'in', ofCourse)
      .execute();
    const submissions = new Map<number, NbgraderSubmission & { assignmentId: number }>();
    for (const s of submissionRows)
      submissions.set(s.id, {
        assignmentId: s.assignment_id,
        studentId: studentIds.get(s.student_pk)!,
        timestamp: s.timestamp,
        extensionSeconds: s.seconds === null ? null : Number(s.seconds),
        notebooks: [],
      });
    const ofSubmissions = db
      .selectFrom('gradebook_submission')
      .select('id')
      .where('assignment_id', 'in', ofCourse);
    const submittedRows = await db
      .selectFrom('gradebook_submitted_notebook')
      .select(['id', 'submission_id', 'notebook_id', 'flagged', 'late_submission_penalty'])
      .where('submission_id', 'in', ofSubmissions)
      .execute();
    const submitted = new Map<number, NbgraderSubmittedNotebook & { submissionId: number }>();
    for (const r of submittedRows)
      submitted.set(r.id, {
        submissionId: r.submission_id,
        name: notebooks.get(r.notebook_id)?.name ?? '',
        flagged: Number(r.flagged) === 1,
        latePenalty: num(r.late_submission_penalty),
        grades: [],
        comments: [],
      });
    const ofSubmitted = db
      .selectFrom('gradebook_submitted_notebook')
      .select('id')
      .where('submission_id', 'in', ofSubmissions);
    for (const g of await db
      .selectFrom('gradebook_grade')
      .select([
        'submitted_notebook_id',
        'name',
        'cell_kind',
        'auto_score',
        'manual_score',
        'extra_credit',
        'needs_manual_grade',
      ])
      .where('submitted_notebook_id', 'in', ofSubmitted)
      .orderBy('id')
      .execute())
      submitted.get(g.submitted_notebook_id)?.grades.push({
        name: g.name,
        kind: g.cell_kind === 'task' ? 'task' : 'grade',
        autoScore: num(g.auto_score),
        manualScore: num(g.manual_score),
        extraCredit: num(g.extra_credit),
        needsManualGrade: Number(g.needs_manual_grade) === 1,
      });
    for (const c of await db
      .selectFrom('gradebook_comment')
      .select(['submitted_notebook_id', 'name', 'cell_kind', 'auto_comment', 'manual_comment'])
      .where('submitted_notebook_id', 'in', ofSubmitted)
      .orderBy('id')
      .execute())
      submitted.get(c.submitted_notebook_id)?.comments.push({
        name: c.name,
        kind: c.cell_kind === 'task' ? 'task' : 'solution',
        autoComment: c.auto_comment,
        manualComment: c.manual_comment,
      });
    for (const nb of [...submitted.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const { submissionId, ...notebook } = nb;
      submissions.get(submissionId)?.notebooks.push(notebook);
    }
    const sortedSubmissions = [...submissions.values()].sort((a, b) =>
      a.studentId < b.studentId ? -1 : a.studentId > b.studentId ? 1 : 0,
    );
    return {
      courseId: courseName,
      students: students.map((s) => ({
        id: s.student_id,
        firstName: s.first_name,
        lastName: s.last_name,
        email: s.email,
        lmsUserId: s.lms_user_id,
      })),
      assignments: assignmentRows.map((a) => ({
        name: a.name,
        duedate: a.duedate,
        notebooks: [...notebooks.values()]
          .filter((n) => n.assignmentId === a.id)
          .map(({ assignmentId: _, ...n }) => n),
        submissions: sortedSubmissions
          .filter((s) => s.assignmentId === a.id)
          .map(({ assignmentId: _, ...s }) => s),
      })),
    };
  }
}
