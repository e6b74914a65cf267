/**
 * What generate stores about each source notebook (nbgrader's SaveCells): the kernelspec, the grade,
 * solution and task cells with their points, and every nbgrader cell's source and checksum, which
 * autograde uses to restore locked cells and hidden tests.
 */
import type { KernelspecMetadata } from '../notebook/types.js';
import { requireAssignment, type GradebookDb } from './courses.js';
import { GradebookMissingEntryError } from './errors.js';

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

/**
 * Stores (or replaces) the notebooks of an assignment as generate produced them. Notebooks no
 * longer in `notebooks` are removed, with their grades, as nbgrader's generate does with --force.
 * Cells are replaced wholesale; grades of submissions refer to cells by name, so they survive.
 */
export async function storeSourceNotebooks(
  db: GradebookDb,
  courseId: number,
  assignmentName: string,
  notebooks: SourceNotebookRecord[],
): Promise<void> {
  const assignment = await requireAssignment(db, courseId, assignmentName);
  const keep = notebooks.map((n) => n.name);
  let removal = db.deleteFrom('gradebook_notebook').where('assignment_id', '=', assignment.id);
  if (keep.length > 0) removal = removal.where('name', 'not in', keep);
  await removal.execute();

  for (const notebook of notebooks) {
    const kernelspec = notebook.kernelspec ? JSON.stringify(notebook.kernelspec) : null;
    const existing = await db
      .selectFrom('gradebook_notebook')
      .select('id')
      .where('assignment_id', '=', assignment.id)
      .where('name', '=', notebook.name)
      .executeTakeFirst();
    let notebookId: number;
    if (existing) {
      notebookId = existing.id;
      await db.updateTable('gradebook_notebook').set({ kernelspec }).where('id', '=', notebookId).execute();
      for (const table of [
        'gradebook_grade_cell',
        'gradebook_solution_cell',
        'gradebook_task_cell',
        'gradebook_source_cell',
      ] as const) {
        await db.deleteFrom(table).where('notebook_id', '=', notebookId).execute();
      }
    } else {
      const inserted = await db
        .insertInto('gradebook_notebook')
        .values({ assignment_id: assignment.id, name: notebook.name, kernelspec })
        .returning('id')
        .executeTakeFirstOrThrow();
      notebookId = inserted.id;
    }
    for (const cell of notebook.gradeCells) {
      await db
        .insertInto('gradebook_grade_cell')
        .values({
          notebook_id: notebookId,
          name: cell.name,
          max_score: cell.maxScore,
          cell_type: cell.cellType,
        })
        .execute();
    }
    for (const cell of notebook.taskCells) {
      await db
        .insertInto('gradebook_task_cell')
        .values({
          notebook_id: notebookId,
          name: cell.name,
          max_score: cell.maxScore,
          cell_type: cell.cellType,
        })
        .execute();
    }
    for (const name of notebook.solutionCells) {
      await db.insertInto('gradebook_solution_cell').values({ notebook_id: notebookId, name }).execute();
    }
    for (const [position, cell] of notebook.sourceCells.entries()) {
      await db
        .insertInto('gradebook_source_cell')
        .values({
          notebook_id: notebookId,
          name: cell.name,
          cell_type: cell.cellType,
          locked: cell.locked ? 1 : 0,
          source: cell.source,
          checksum: cell.checksum,
          position,
        })
        .execute();
    }
  }
}

/** Every notebook of an assignment as generate stored it, by name order. */
export async function loadSourceNotebooks(
  db: GradebookDb,
  courseId: number,
  assignmentName: string,
): Promise<SourceNotebookRecord[]> {
  const assignment = await requireAssignment(db, courseId, assignmentName);
  const notebooks = await db
    .selectFrom('gradebook_notebook')
    .selectAll()
    .where('assignment_id', '=', assignment.id)
    .orderBy('name')
    .execute();
  const result: SourceNotebookRecord[] = [];
  for (const nb of notebooks) {
    const [grades, solutions, tasks, sources] = await Promise.all([
      db
        .selectFrom('gradebook_grade_cell')
        .selectAll()
        .where('notebook_id', '=', nb.id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('gradebook_solution_cell')
        .selectAll()
        .where('notebook_id', '=', nb.id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('gradebook_task_cell')
        .selectAll()
        .where('notebook_id', '=', nb.id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('gradebook_source_cell')
        .selectAll()
        .where('notebook_id', '=', nb.id)
        .orderBy('position')
        .execute(),
    ]);
    const scored = (r: { name: string; max_score: number; cell_type: string }): ScoredCellRecord => ({
      name: r.name,
      maxScore: Number(r.max_score),
      cellType: r.cell_type === 'markdown' ? 'markdown' : 'code',
    });
    result.push({
      name: nb.name,
      kernelspec: nb.kernelspec ? (JSON.parse(nb.kernelspec) as SourceNotebookRecord['kernelspec']) : null,
      gradeCells: grades.map(scored),
      solutionCells: solutions.map((s) => s.name),
      taskCells: tasks.map(scored),
      sourceCells: sources.map((s) => ({
        name: s.name,
        cellType: s.cell_type === 'markdown' ? 'markdown' : 'code',
        locked: Number(s.locked) === 1,
        source: s.source,
        checksum: s.checksum,
      })),
    });
  }
  return result;
}

export function requireSourceNotebook(
  notebooks: SourceNotebookRecord[],
  name: string,
  assignmentName: string,
): SourceNotebookRecord {
  const found = notebooks.find((n) => n.name === name);
  if (!found) {
    throw new GradebookMissingEntryError(
      `Notebook '${name}' of assignment '${assignmentName}' is not in the gradebook.`,
      { hint: `Run \`coursehub nbgrader generate_assignment ${assignmentName} --force\` first.` },
    );
  }
  return found;
}
