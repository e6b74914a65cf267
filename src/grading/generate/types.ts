/**
 * What generate hands back besides the release files: the instructor's cells as nbgrader's
 * SaveCells stores them in the gradebook at generate time (after solutions are replaced by stubs,
 * before hidden tests are removed), so autograde can restore locked cells, put hidden tests back
 * and score. The shape and key names follow the conformance suite's `expected/gradebook.json`
 * (snake_case, as nbgrader names the columns), so it can be compared and stored as it is.
 */

/** A graded cell: autograder tests (code) or a manually graded answer (markdown). */
export interface GradeCellRecord {
  cell_type: 'code' | 'markdown';
  /** float(points) */
  max_score: number;
}

/** A manually graded task cell (always markdown). */
export interface TaskCellRecord {
  cell_type: 'markdown';
  max_score: number;
}

/** The full source of every graded, solution, read-only or task cell. */
export interface SourceCellRecord {
  cell_type: 'code' | 'markdown' | 'raw';
  /** nbgrader's is_locked(cell): restored from here when autograding. */
  locked: boolean;
  /** The source as stored: solutions already replaced by stubs, hidden tests still present. */
  source: string;
  /** The checksum computed before hidden tests were removed, or null for task cells without one. */
  checksum: string | null;
}

export interface GeneratedNotebookRecord {
  /** The notebook's file name without `.ipynb` (nbgrader's notebook id). */
  name: string;
  /** `metadata.kernelspec` of the source notebook ({} when it has none). */
  kernelspec: Record<string, unknown>;
  grade_cells: Record<string, GradeCellRecord>;
  /** grade ids of solution (answer) cells, in notebook order. */
  solution_cells: string[];
  task_cells: Record<string, TaskCellRecord>;
  source_cells: Record<string, SourceCellRecord>;
  max_score: number;
  max_code_score: number;
  max_written_score: number;
  max_task_score: number;
}

export interface GeneratedAssignmentRecord {
  assignment: string;
  notebooks: Record<string, GeneratedNotebookRecord>;
  max_score: number;
  max_code_score: number;
  max_written_score: number;
  max_task_score: number;
}
