/**
 * Reads nbgrader's gradebook.db (SQLite, nbgrader 0.6 to 0.9: alembic revision e43177bfe90b) into
 * plain data (./model.ts). Read-only: the file is never changed, so an instructor's gradebook stays
 * as it was whatever happens here. A damaged file, one nbgrader holds locked, one without
 * `alembic_version` or of another revision is refused with the reason and what to do.
 */
import { existsSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import type {
  NbgraderAssignment,
  NbgraderComment,
  NbgraderGrade,
  NbgraderGradebook,
  NbgraderNotebook,
  NbgraderSubmission,
  NbgraderSubmittedNotebook,
} from './model.js';
import { NBGRADER_REVISION, NbgraderGradebookError } from './errors.js';
import { extensionSeconds, fromStoredTime } from './times.js';

type Row = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const bool = (v: unknown): boolean => v === 1 || v === true || v === '1';

/** How long to wait for a lock nbgrader holds before calling the gradebook locked. */
const BUSY_TIMEOUT_MS = 1000;

function sqliteCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : '';
}

function refuse(file: string, err: unknown): never {
  const code = sqliteCode(err);
  if (err instanceof NbgraderGradebookError) throw err;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    throw new NbgraderGradebookError(`${file} is locked: another program (nbgrader?) is writing to it.`, {
      hint: 'Stop the formgrader and any nbgrader command using this course, then run the import again.',
      cause: err,
    });
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_IOERR_SHORT_READ')
    throw new NbgraderGradebookError(`${file} is damaged: ${(err as Error).message}.`, {
      hint: 'Restore gradebook.db from a backup (or check that it is the right file); nothing was imported.',
      cause: err,
    });
  throw new NbgraderGradebookError(`${file} cannot be read: ${(err as Error).message}.`, { cause: err });
}

/** Opens, checks and reads the gradebook; the file is opened read-only and closed before returning. */
export interface ReadGradebook extends NbgraderGradebook {
  revision: string;
  /** Every course_id the assignments name (nbgrader keeps one course per gradebook). */
  courseIds: string[];
}

export function readNbgraderGradebook(file: string): ReadGradebook {
  if (!existsSync(file))
    throw new NbgraderGradebookError(`There is no gradebook at ${file}.`, {
      hint: 'Give the nbgrader course directory (the folder holding gradebook.db and nbgrader_config.py).',
    });
  let db: SqliteDatabase.Database | undefined;
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    const check = db.prepare('PRAGMA quick_check').all() as Row[];
    const verdict = check.map((r) => Object.values(r)[0]).join('; ');
    if (verdict !== 'ok')
      throw new NbgraderGradebookError(`${file} is damaged (SQLite's check says: ${verdict}).`, {
        hint: 'Restore gradebook.db from a backup; nothing was imported.',
      });
    const revision = readRevision(db, file);
    return { revision, ...readTables(db) };
  } catch (err) {
    return refuse(file, err);
  } finally {
    db?.close();
  }
}

function readRevision(db: SqliteDatabase.Database, file: string): string {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
    .get();
  if (!table)
    throw new NbgraderGradebookError(
      `${file} has no alembic_version table: it is not an nbgrader gradebook.`,
      {
        hint: 'Give the gradebook.db nbgrader made for the course.',
      },
    );
  const rows = db.prepare('SELECT version_num FROM alembic_version').all() as Row[];
  const revision =
    rows.length === 1 ? str(rows[0]!.version_num) : rows.map((r) => str(r.version_num)).join(', ');
  if (revision !== NBGRADER_REVISION)
    throw new NbgraderGradebookError(
      `${file} has nbgrader's schema revision ${revision || '(none)'}; coursehub reads revision ${NBGRADER_REVISION} only (nbgrader 0.6 to 0.9).`,
      {
        hint: 'Upgrade the gradebook with a current nbgrader first (`nbgrader db upgrade` in the course directory), then import it.',
      },
    );
  return revision;
}

function readTables(db: SqliteDatabase.Database): NbgraderGradebook & { courseIds: string[] } {
  const all = (query: string) => db.prepare(query).all() as Row[];
  const assignmentRows = all('SELECT id, name, duedate, course_id FROM assignment ORDER BY rowid');
  const courseIds = [...new Set(assignmentRows.map((a) => str(a.course_id)))];
  const students = all(
    'SELECT id, first_name, last_name, email, lms_user_id FROM student ORDER BY rowid',
  ).map((s) => ({
    id: str(s.id),
    firstName: optStr(s.first_name),
    lastName: optStr(s.last_name),
    email: optStr(s.email),
    lmsUserId: optStr(s.lms_user_id),
  }));

  const notebooks = new Map<string, NbgraderNotebook & { assignmentId: string }>();
  for (const n of all('SELECT id, name, assignment_id, kernelspec FROM notebook ORDER BY name, rowid'))
    notebooks.set(str(n.id), {
      assignmentId: str(n.assignment_id),
      name: str(n.name),
      kernelspec: optStr(n.kernelspec),
      gradeCells: [],
      solutionCells: [],
      taskCells: [],
      sourceCells: [],
    });
  const cells = new Map<string, { name: string; type: string }>();
  for (const c of all('SELECT id, name, type FROM base_cell'))
    cells.set(str(c.id), { name: str(c.name), type: str(c.type) });
  for (const c of all(
    'SELECT b.notebook_id, b.name, g.max_score, g.cell_type FROM grade_cells g JOIN base_cell b ON b.id = g.id ORDER BY b.rowid',
  ))
    notebooks
      .get(str(c.notebook_id))
      ?.gradeCells.push({ name: str(c.name), maxScore: Number(c.max_score), cellType: str(c.cell_type) });
  for (const c of all(
    'SELECT b.notebook_id, b.name FROM solution_cells s JOIN base_cell b ON b.id = s.id ORDER BY b.rowid',
  ))
    notebooks.get(str(c.notebook_id))?.solutionCells.push(str(c.name));
  for (const c of all(
    'SELECT b.notebook_id, b.name, t.max_score, t.cell_type FROM task_cells t JOIN base_cell b ON b.id = t.id ORDER BY b.rowid',
  ))
    notebooks
      .get(str(c.notebook_id))
      ?.taskCells.push({ name: str(c.name), maxScore: Number(c.max_score), cellType: str(c.cell_type) });
  for (const c of all(
    'SELECT notebook_id, name, cell_type, locked, source, checksum FROM source_cell ORDER BY rowid',
  ))
    notebooks.get(str(c.notebook_id))?.sourceCells.push({
      name: str(c.name),
      cellType: str(c.cell_type),
      locked: bool(c.locked),
      source: optStr(c.source),
      checksum: optStr(c.checksum),
    });

  const submittedNotebooks = new Map<string, NbgraderSubmittedNotebook & { submissionId: string }>();
  for (const s of all(
    'SELECT id, assignment_id, notebook_id, flagged, late_submission_penalty FROM submitted_notebook',
  ))
    submittedNotebooks.set(str(s.id), {
      submissionId: str(s.assignment_id),
      name: notebooks.get(str(s.notebook_id))?.name ?? str(s.notebook_id),
      flagged: bool(s.flagged),
      latePenalty: optNum(s.late_submission_penalty),
      grades: [],
      comments: [],
    });
  for (const g of all(
    'SELECT notebook_id, cell_id, auto_score, manual_score, extra_credit, needs_manual_grade FROM grade ORDER BY rowid',
  )) {
    const cell = cells.get(str(g.cell_id));
    const grade: NbgraderGrade = {
      name: cell?.name ?? str(g.cell_id),
      kind: cell?.type === 'TaskCell' ? 'task' : 'grade',
      autoScore: optNum(g.auto_score),
      manualScore: optNum(g.manual_score),
      extraCredit: optNum(g.extra_credit),
      needsManualGrade: bool(g.needs_manual_grade),
    };
    submittedNotebooks.get(str(g.notebook_id))?.grades.push(grade);
  }
  for (const c of all(
    'SELECT notebook_id, cell_id, auto_comment, manual_comment FROM comment ORDER BY rowid',
  )) {
    const cell = cells.get(str(c.cell_id));
    const comment: NbgraderComment = {
      name: cell?.name ?? str(c.cell_id),
      kind: cell?.type === 'TaskCell' ? 'task' : 'solution',
      autoComment: optStr(c.auto_comment),
      manualComment: optStr(c.manual_comment),
    };
    submittedNotebooks.get(str(c.notebook_id))?.comments.push(comment);
  }

  const submissions = new Map<string, NbgraderSubmission & { assignmentId: string }>();
  for (const s of all(
    'SELECT id, assignment_id, student_id, timestamp, extension FROM submitted_assignment ORDER BY student_id',
  ))
    submissions.set(str(s.id), {
      assignmentId: str(s.assignment_id),
      studentId: str(s.student_id),
      timestamp: fromStoredTime(optStr(s.timestamp)),
      extensionSeconds: extensionSeconds(optStr(s.extension)),
      notebooks: [],
    });
  for (const [, nb] of [...submittedNotebooks].sort((a, b) => (a[1].name < b[1].name ? -1 : 1))) {
    const { submissionId, ...notebook } = nb;
    submissions.get(submissionId)?.notebooks.push(notebook);
  }

  const assignments: NbgraderAssignment[] = assignmentRows.map((a) => ({
    name: str(a.name),
    duedate: fromStoredTime(optStr(a.duedate)),
    notebooks: [...notebooks.values()]
      .filter((n) => n.assignmentId === str(a.id))
      .map(({ assignmentId: _, ...n }) => n),
    submissions: [...submissions.values()]
      .filter((s) => s.assignmentId === str(a.id))
      .map(({ assignmentId: _, ...s }) => s),
  }));
  return { courseId: courseIds[0] ?? '', courseIds, assignments, students };
}
