/**
 * SQL for what generate stores about an assignment's source notebooks (nbgrader's SaveCells): the
 * kernelspec, the grade, solution and task cells with their points, and every nbgrader cell's
 * source and checksum. Autograde reads it back to restore locked cells and hidden tests.
 */
import type { Kysely } from 'kysely';
import type { KernelspecMetadata } from '../../notebook/types.js';
import type { Database } from '../schema.js';

export interface SourceCellRecord {
  name: string;
  cellType: 'code' | 'markdown';
  locked: boolean;
  source: string;
  checksum: string | null;
}

export interface ScoredCellRecord {
  name: string;
  maxScore: number;
  cellType: 'code' | 'markdown';
}

export interface SourceNotebookRecord {
  name: string;
  kernelspec: KernelspecMetadata | null;
  gradeCells: ScoredCellRecord[];
  solutionCells: string[];
  taskCells: ScoredCellRecord[];
  /** In notebook order. */
  sourceCells: SourceCellRecord[];
}

const CELL_TABLES = [
  'gradebook_grade_cell',
  'gradebook_solution_cell',
  'gradebook_task_cell',
  'gradebook_source_cell',
] as const;

// One INSERT per table and notebook rather than one per cell; chunked so that a huge notebook stays
// under SQLite's limit of bound parameters per statement (32766; a source cell takes 7).
const ROWS_PER_INSERT = 1000;

function chunks<T>(rows: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) result.push(rows.slice(i, i + ROWS_PER_INSERT));
  return result;
}

const cellType = (value: string): 'code' | 'markdown' => (value === 'markdown' ? 'markdown' : 'code');

export class SourceNotebookStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes `notebooks` the assignment's source notebooks. Notebooks not among them are removed with
   * every grade of them (cascade); the cells of the others are replaced wholesale. Grades of
   * submissions refer to cells by name, so they survive a replacement.
   */
  async replaceAll(assignmentId: number, notebooks: SourceNotebookRecord[]): Promise<void> {
    const keep = notebooks.map((n) => n.name);
    let removal = this.db.deleteFrom('gradebook_notebook').where('assignment_id', '=', assignmentId);
    if (keep.length > 0) removal = removal.where('name', 'not in', keep);
    await removal.execute();
    for (const notebook of notebooks) {
      const notebookId = await this.emptyNotebook(assignmentId, notebook);
      await this.insertCells(notebookId, notebook);
    }
  }

  /** The notebook's row with the given kernelspec and no cells, created if absent. */
  private async emptyNotebook(assignmentId: number, notebook: SourceNotebookRecord): Promise<number> {
    const kernelspec = notebook.kernelspec ? JSON.stringify(notebook.kernelspec) : null;
    const existing = await this.db
      .selectFrom('gradebook_notebook')
      .select('id')
      .where('assignment_id', '=', assignmentId)
      .where('name', '=', notebook.name)
      .executeTakeFirst();
    if (!existing) {
      const inserted = await this.db
        .insertInto('gradebook_notebook')
        .values({ assignment_id: assignmentId, name: notebook.name, kernelspec })
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    }
    await this.db
      .updateTable('gradebook_notebook')
      .set({ kernelspec })
      .where('id', '=', existing.id)
      .execute();
    for (const table of CELL_TABLES) {
      await this.db.deleteFrom(table).where('notebook_id', '=', existing.id).execute();
    }
    return existing.id;
  }

  private async insertCells(notebookId: number, notebook: SourceNotebookRecord): Promise<void> {
    const scored = (cell: ScoredCellRecord) => ({
      notebook_id: notebookId,
      name: cell.name,
      max_score: cell.maxScore,
      cell_type: cell.cellType,
    });
    for (const rows of chunks(notebook.gradeCells.map(scored))) {
      await this.db.insertInto('gradebook_grade_cell').values(rows).execute();
    }
    for (const rows of chunks(notebook.taskCells.map(scored))) {
      await this.db.insertInto('gradebook_task_cell').values(rows).execute();
    }
    for (const rows of chunks(notebook.solutionCells.map((name) => ({ notebook_id: notebookId, name })))) {
      await this.db.insertInto('gradebook_solution_cell').values(rows).execute();
    }
    const sources = notebook.sourceCells.map((cell, position) => ({
      notebook_id: notebookId,
      name: cell.name,
      cell_type: cell.cellType,
      locked: cell.locked ? 1 : 0,
      source: cell.source,
      checksum: cell.checksum,
      position,
    }));
    for (const rows of chunks(sources)) {
      await this.db.insertInto('gradebook_source_cell').values(rows).execute();
    }
  }

  /**
   * Every source notebook of the assignment by name, cells in the order they were stored (source
   * cells in notebook order). Five queries however many notebooks there are.
   */
  async loadAll(assignmentId: number): Promise<SourceNotebookRecord[]> {
    const notebooks = await this.db
      .selectFrom('gradebook_notebook')
      .select(['id', 'name', 'kernelspec'])
      .where('assignment_id', '=', assignmentId)
      .orderBy('name')
      .execute();
    if (notebooks.length === 0) return [];
    const ofAssignment = this.db
      .selectFrom('gradebook_notebook')
      .select('id')
      .where('assignment_id', '=', assignmentId);
    const [grades, solutions, tasks, sources] = await Promise.all([
      this.db
        .selectFrom('gradebook_grade_cell')
        .select(['notebook_id', 'name', 'max_score', 'cell_type'])
        .where('notebook_id', 'in', ofAssignment)
        .orderBy('id')
        .execute(),
      this.db
        .selectFrom('gradebook_solution_cell')
        .select(['notebook_id', 'name'])
        .where('notebook_id', 'in', ofAssignment)
        .orderBy('id')
        .execute(),
      this.db
        .selectFrom('gradebook_task_cell')
        .select(['notebook_id', 'name', 'max_score', 'cell_type'])
        .where('notebook_id', 'in', ofAssignment)
        .orderBy('id')
        .execute(),
      this.db
        .selectFrom('gradebook_source_cell')
        .select(['notebook_id', 'name', 'cell_type', 'locked', 'source', 'checksum'])
        .where('notebook_id', 'in', ofAssignment)
        .orderBy('notebook_id')
        .orderBy('position')
        .execute(),
    ]);
    const records = new Map<number, SourceNotebookRecord>();
    for (const nb of notebooks) {
      records.set(nb.id, {
        name: nb.name,
        kernelspec: nb.kernelspec ? (JSON.parse(nb.kernelspec) as KernelspecMetadata) : null,
        gradeCells: [],
        solutionCells: [],
        taskCells: [],
        sourceCells: [],
      });
    }
    const scored = (r: { name: string; max_score: number; cell_type: string }): ScoredCellRecord => ({
      name: r.name,
      maxScore: Number(r.max_score),
      cellType: cellType(r.cell_type),
    });
    for (const r of grades) records.get(r.notebook_id)?.gradeCells.push(scored(r));
    for (const r of solutions) records.get(r.notebook_id)?.solutionCells.push(r.name);
    for (const r of tasks) records.get(r.notebook_id)?.taskCells.push(scored(r));
    for (const r of sources) {
      records.get(r.notebook_id)?.sourceCells.push({
        name: r.name,
        cellType: cellType(r.cell_type),
        locked: Number(r.locked) === 1,
        source: r.source,
        checksum: r.checksum,
      });
    }
    return [...records.values()];
  }
}
