/**
 * A large gradebook for bench/gradebook.ts, written straight into the tables (bulk INSERTs with
 * explicit ids, in one transaction) because filling 20,000 submissions through the gradebook's own
 * calls would take minutes. The rows are the ones autograde and the formgrader leave: code tests
 * scored automatically, written answers and tasks graded by hand or still waiting, missing
 * notebooks scored 0, late submissions with the `zero` penalty, extensions, extra credit, flags,
 * "No response." and manual comments. Scores are multiples of 0.5, so every sum is exact and the
 * order of addition cannot make two correct readers disagree.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../src/db/schema-helpers.js';
import type { Database } from '../../src/db/schema.js';

export interface GradebookShape {
  students: number;
  assignments: number;
  notebooks: number;
  /** Graded cells per notebook are drawn from minCells..maxCells. */
  minCells: number;
  maxCells: number;
}

export interface FilledGradebook {
  courseId: number;
  assignments: string[];
  rows: Record<string, number>;
}

/** mulberry32: a small seeded generator, so every run builds the same gradebook. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Table = keyof Database;
type Row = Record<string, string | number | null>;

// Parents before children, the order every flush writes in (the foreign keys are checked).
const TABLE_ORDER: Table[] = [
  'gradebook_course',
  'gradebook_student',
  'gradebook_assignment',
  'gradebook_notebook',
  'gradebook_grade_cell',
  'gradebook_task_cell',
  'gradebook_solution_cell',
  'gradebook_source_cell',
  'gradebook_extension',
  'gradebook_submission',
  'gradebook_submitted_notebook',
  'gradebook_grade',
  'gradebook_comment',
];

// SQLite allows 32766 bound parameters per statement, PostgreSQL 65535.
const PARAMETERS_PER_INSERT = 30_000;

/** Rows collected per table, given ids here, and written in multi-row INSERTs. */
class BulkWriter {
  private readonly pending = new Map<Table, Row[]>(TABLE_ORDER.map((t) => [t, []]));
  private readonly lastIds = new Map<Table, number>();
  readonly counts: Record<string, number> = {};

  constructor(private readonly db: Kysely<Database>) {}

  /** The id the next row of `table` will have (rows refer to their parent before it is queued). */
  reserveId(table: Table): number {
    const id = (this.lastIds.get(table) ?? 0) + 1;
    this.lastIds.set(table, id);
    return id;
  }

  add(table: Table, row: Row, id = this.reserveId(table)): number {
    this.pending.get(table)!.push({ id, ...row });
    this.counts[table] = (this.counts[table] ?? 0) + 1;
    return id;
  }

  /** Writes everything once some table has a full INSERT's worth (parents first, always). */
  async flushWhenFull(): Promise<void> {
    const full = [...this.pending.values()].some(
      (rows) => rows.length > 0 && rows.length >= rowsPerInsert(rows),
    );
    if (full) await this.flushAll();
  }

  async flushAll(): Promise<void> {
    for (const [table, rows] of this.pending) {
      this.pending.set(table, []);
      for (let i = 0; i < rows.length; i += rowsPerInsert(rows)) {
        // Kysely cannot type a row for a table chosen at run time; each was built for its table.
        await this.db
          .insertInto(table)
          .values(rows.slice(i, i + rowsPerInsert(rows)) as never)
          .execute();
      }
    }
  }

  /** PostgreSQL's sequences do not move when ids are given: move them past the ids used. */
  async advanceSequences(dialect: Dialect): Promise<void> {
    if (dialect !== 'postgres') return;
    for (const [table, id] of this.lastIds) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${id})`.execute(this.db);
    }
  }
}

const rowsPerInsert = (rows: Row[]) => Math.floor(PARAMETERS_PER_INSERT / Object.keys(rows[0]!).length);

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function naiveUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

interface GradedCell {
  name: string;
  kind: 'code' | 'written' | 'task';
  maxScore: number;
}

export async function fillGradebook(
  db: Kysely<Database>,
  dialect: Dialect,
  shape: GradebookShape,
  seed = 10,
): Promise<FilledGradebook> {
  const next = random(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const halves = (max: number) => Math.floor(next() * (2 * max + 1)) / 2;

  const filled = await db.transaction().execute(async (trx) => {
    const writer = new BulkWriter(trx);
    const courseId = writer.add('gradebook_course', { name: 'bench101' });
    const students = Array.from({ length: shape.students }, (_, i) =>
      writer.add('gradebook_student', {
        course_id: courseId,
        student_id: `student${pad(i + 1, 5)}`,
        first_name: pick(['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald']),
        last_name: pick(['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth']),
        email: `student${i + 1}@example.org`,
        lms_user_id: null,
      }),
    );
    const assignments: string[] = [];
    for (let a = 0; a < shape.assignments; a++) {
      const name = `ps${pad(a + 1, 2)}`;
      assignments.push(name);
      const dueMs = Date.UTC(2024, 1, 1 + 7 * a, 17, 0, 0);
      const assignmentId = writer.add('gradebook_assignment', {
        course_id: courseId,
        name,
        duedate: naiveUtc(dueMs),
      });
      const notebooks = Array.from({ length: shape.notebooks }, (_, n) => {
        const notebookName = `problem${n + 1}`;
        const id = writer.add('gradebook_notebook', {
          assignment_id: assignmentId,
          name: notebookName,
          kernelspec: JSON.stringify({ name: 'python3', display_name: 'Python 3', language: 'python' }),
        });
        const count = shape.minCells + Math.floor(next() * (shape.maxCells - shape.minCells + 1));
        const cells: GradedCell[] = Array.from({ length: count }, (_, c) => {
          const r = next();
          const kind = r < 0.15 ? 'task' : r < 0.35 ? 'written' : 'code';
          return {
            name: kind === 'code' ? `q${c + 1}_test` : `q${c + 1}`,
            kind,
            maxScore: pick([1, 2, 3, 0.5, 1.5]),
          };
        });
        let position = 0;
        for (const cell of cells) {
          const table = cell.kind === 'task' ? 'gradebook_task_cell' : 'gradebook_grade_cell';
          writer.add(table, {
            notebook_id: id,
            name: cell.name,
            max_score: cell.maxScore,
            cell_type: cell.kind === 'code' ? 'code' : 'markdown',
          });
          const answer = cell.kind === 'code' ? cell.name.replace(/_test$/, '') : cell.name;
          if (cell.kind !== 'task') writer.add('gradebook_solution_cell', { notebook_id: id, name: answer });
          if (cell.kind === 'code') {
            writer.add('gradebook_source_cell', {
              notebook_id: id,
              name: answer,
              cell_type: 'code',
              locked: 0,
              source: '# YOUR CODE HERE\nraise NotImplementedError()',
              checksum: null,
              position: position++,
            });
          }
          writer.add('gradebook_source_cell', {
            notebook_id: id,
            name: cell.name,
            cell_type: cell.kind === 'code' ? 'code' : 'markdown',
            locked: cell.kind === 'written' ? 0 : 1,
            source: cell.kind === 'code' ? `assert ${answer}() == 42` : 'YOUR ANSWER HERE',
            checksum: null,
            position: position++,
          });
        }
        return { id, cells };
      });

      for (const studentPk of students) {
        const extension = next() < 0.02 ? 86_400 : 0;
        if (extension) {
          writer.add('gradebook_extension', {
            assignment_id: assignmentId,
            student_pk: studentPk,
            seconds: extension,
          });
        }
        // Most come in during the last two days; one in seven up to two days late.
        const offsetMs = next() < 1 / 7 ? next() * 2 * 86_400_000 : -next() * 2 * 86_400_000 - 60_000;
        const late = offsetMs / 1000 - extension > 0;
        const submissionId = writer.add('gradebook_submission', {
          assignment_id: assignmentId,
          student_pk: studentPk,
          timestamp: naiveUtc(dueMs + Math.round(offsetMs)),
        });
        for (const notebook of notebooks) {
          const missing = next() < 0.03;
          const submittedId = writer.reserveId('gradebook_submitted_notebook');
          let score = 0;
          for (const cell of notebook.cells) {
            let auto: number | null = null;
            let manual: number | null = null;
            if (missing) auto = 0;
            else if (cell.kind === 'code') {
              auto = pick([0, cell.maxScore / 2, cell.maxScore, cell.maxScore]);
              if (next() < 0.05) manual = halves(cell.maxScore);
            } else if (next() < 0.7) manual = halves(cell.maxScore);
            const extra = !missing && next() < 0.01 ? 0.5 : null;
            // nbgrader's Grade.score, to give a late notebook its `zero` penalty.
            if (manual !== null || auto !== null) score += (manual ?? auto ?? 0) + (extra ?? 0);
            writer.add('gradebook_grade', {
              submitted_notebook_id: submittedId,
              name: cell.name,
              cell_kind: cell.kind === 'task' ? 'task' : 'grade',
              auto_score: auto,
              manual_score: manual,
              extra_credit: extra,
              needs_manual_grade: auto === null && manual === null ? 1 : 0,
            });
            // Comments belong to answer (solution) cells and task cells: one per graded cell here.
            writer.add('gradebook_comment', {
              submitted_notebook_id: submittedId,
              name: cell.kind === 'code' ? cell.name.replace(/_test$/, '') : cell.name,
              cell_kind: cell.kind === 'task' ? 'task' : 'solution',
              auto_comment: !missing && cell.kind !== 'task' && next() < 0.05 ? 'No response.' : null,
              manual_comment: next() < 0.1 ? 'Good work; see the hint in the feedback.' : null,
            });
          }
          writer.add(
            'gradebook_submitted_notebook',
            {
              submission_id: submissionId,
              notebook_id: notebook.id,
              flagged: next() < 0.01 ? 1 : 0,
              late_submission_penalty: late && !missing ? score : null,
            },
            submittedId,
          );
        }
        await writer.flushWhenFull();
      }
    }
    await writer.flushAll();
    await writer.advanceSequences(dialect);
    return { courseId, assignments, rows: writer.counts };
  });
  // PostgreSQL plans from table statistics, which its autovacuum gathers after a load this size;
  // gathered here at once. (SQLite plans without any, as coursehub never runs ANALYZE there.)
  if (dialect === 'postgres') await sql`analyze`.execute(db);
  return filled;
}
