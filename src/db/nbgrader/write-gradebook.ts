/**
 * Writes a gradebook (./model.ts) as nbgrader 0.9.5's gradebook.db: its schema (./schema-095.ts),
 * its alembic revision, uuid4-hex row ids as nbgrader makes them, times as SQLAlchemy stores them.
 * The file is built beside its target and renamed into place, so a failure leaves none; an
 * existing file is never overwritten. One transaction, prepared statements: 300 students x 10
 * assignments take well under a second.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import type { NbgraderGradebook } from './model.js';
import { NBGRADER_REVISION, NbgraderGradebookError } from './errors.js';
import { NBGRADER_095_TABLES } from './schema-095.js';
import { storedExtension, toStoredTime } from './times.js';

const newId = () => randomUUID().replaceAll('-', '');
const bit = (value: boolean) => (value ? 1 : 0);

export function writeNbgraderGradebook(file: string, book: NbgraderGradebook): void {
  if (existsSync(file))
    throw new NbgraderGradebookError(`${file} exists already; it was left as it is.`, {
      hint: 'Give a new folder to write the nbgrader course into.',
    });
  const building = `${file}.writing-${newId()}`;
  const db = new SqliteDatabase(building);
  try {
    db.transaction(() => writeAll(db, book))();
    db.close();
    renameSync(building, file);
  } catch (error) {
    if (db.open) db.close();
    rmSync(building, { force: true });
    throw error;
  }
}

function writeAll(db: SqliteDatabase.Database, book: NbgraderGradebook): void {
  for (const [, ddl] of NBGRADER_095_TABLES) db.exec(ddl);
  db.prepare('INSERT INTO alembic_version (version_num) VALUES (?)').run(NBGRADER_REVISION);
  db.prepare('INSERT INTO course (id) VALUES (?)').run(book.courseId);
  const student = db.prepare(
    'INSERT INTO student (id, first_name, last_name, email, lms_user_id) VALUES (?, ?, ?, ?, ?)',
  );
  for (const s of book.students) student.run(s.id, s.firstName, s.lastName, s.email, s.lmsUserId);

  const assignment = db.prepare('INSERT INTO assignment (id, name, duedate, course_id) VALUES (?, ?, ?, ?)');
  const notebook = db.prepare(
    'INSERT INTO notebook (id, name, assignment_id, kernelspec) VALUES (?, ?, ?, ?)',
  );
  const baseCell = db.prepare('INSERT INTO base_cell (id, name, notebook_id, type) VALUES (?, ?, ?, ?)');
  const gradeCell = db.prepare('INSERT INTO grade_cells (id, max_score, cell_type) VALUES (?, ?, ?)');
  const solutionCell = db.prepare('INSERT INTO solution_cells (id) VALUES (?)');
  const taskCell = db.prepare('INSERT INTO task_cells (id, max_score, cell_type) VALUES (?, ?, ?)');
  const sourceCell = db.prepare(
    'INSERT INTO source_cell (id, name, cell_type, locked, source, checksum, notebook_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const submission = db.prepare(
    'INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp, extension) VALUES (?, ?, ?, ?, ?)',
  );
  const submitted = db.prepare(
    'INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged, late_submission_penalty) VALUES (?, ?, ?, ?, ?)',
  );
  const grade = db.prepare(
    'INSERT INTO grade (id, notebook_id, cell_id, auto_score, manual_score, extra_credit, needs_manual_grade) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const comment = db.prepare(
    'INSERT INTO comment (id, notebook_id, cell_id, auto_comment, manual_comment) VALUES (?, ?, ?, ?, ?)',
  );

  for (const a of book.assignments) {
    const assignmentId = newId();
    assignment.run(assignmentId, a.name, toStoredTime(a.duedate), book.courseId);
    // Per notebook: its row id, and its cells' base_cell ids by kind and name.
    const notebooks = new Map<string, { id: string; cells: Map<string, string> }>();
    for (const n of a.notebooks) {
      const notebookId = newId();
      notebook.run(notebookId, n.name, assignmentId, n.kernelspec);
      const cells = new Map<string, string>();
      const base = (name: string, type: string) => {
        const id = newId();
        baseCell.run(id, name, notebookId, type);
        cells.set(`${type}/${name}`, id);
        return id;
      };
      for (const c of n.gradeCells) gradeCell.run(base(c.name, 'GradeCell'), c.maxScore, c.cellType);
      for (const name of n.solutionCells) solutionCell.run(base(name, 'SolutionCell'));
      for (const c of n.taskCells) taskCell.run(base(c.name, 'TaskCell'), c.maxScore, c.cellType);
      for (const c of n.sourceCells)
        sourceCell.run(newId(), c.name, c.cellType, bit(c.locked), c.source, c.checksum, notebookId);
      notebooks.set(n.name, { id: notebookId, cells });
    }
    for (const s of a.submissions) {
      const submissionId = newId();
      submission.run(
        submissionId,
        assignmentId,
        s.studentId,
        toStoredTime(s.timestamp),
        storedExtension(s.extensionSeconds),
      );
      for (const sn of s.notebooks) {
        const nb = notebooks.get(sn.name);
        if (!nb)
          throw new NbgraderGradebookError(
            `${s.studentId}'s ${a.name} has a notebook ${sn.name} the assignment does not have.`,
          );
        const submittedId = newId();
        submitted.run(submittedId, submissionId, nb.id, bit(sn.flagged), sn.latePenalty);
        const cellId = (type: string, name: string) => {
          const id = nb.cells.get(`${type}/${name}`);
          if (!id) throw new NbgraderGradebookError(`${a.name}/${sn.name} has no ${type} ${name}.`);
          return id;
        };
        for (const g of sn.grades)
          grade.run(
            newId(),
            submittedId,
            cellId(g.kind === 'task' ? 'TaskCell' : 'GradeCell', g.name),
            g.autoScore,
            g.manualScore,
            g.extraCredit,
            bit(g.needsManualGrade),
          );
        for (const c of sn.comments)
          comment.run(
            newId(),
            submittedId,
            cellId(c.kind === 'task' ? 'TaskCell' : 'SolutionCell', c.name),
            c.autoComment,
            c.manualComment,
          );
      }
    }
  }
}
