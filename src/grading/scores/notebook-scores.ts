/**
 * nbgrader's totals of one submitted notebook (api.py's SubmittedNotebook column properties):
 * score and maximum by kind of cell (code, written, task), needs-manual-grade, failed tests. Pure:
 * the gradebook reads the rows and hands them in, so SQLite and PostgreSQL give the same numbers
 * through this one code path.
 */
import { inListingOrder } from './grade-order.js';
import { gradeScore, type GradeValues } from './grade-score.js';
import { setOwn } from '../../util/own-keys.js';

/** What generate stored about a graded cell (a grade cell or a task cell). */
export interface ScoredCell {
  maxScore: number;
  cellType: 'code' | 'markdown';
  task: boolean;
}

/**
 * The graded cells of one source notebook by grade id, grade cells first, then task cells. The
 * order is the order the maxima are added in, so the caller builds it the same way every time.
 */
export type NotebookCells = Map<string, ScoredCell>;

/** One stored grade of a submitted notebook. `cellKind` is 'grade' or 'task'. */
export interface StoredGrade extends GradeValues {
  name: string;
  cellKind: string;
  needsManualGrade: boolean;
}

/** One stored comment of a submitted notebook. `cellKind` is 'solution' or 'task'. */
export interface StoredComment {
  name: string;
  cellKind: string;
  autoComment: string | null;
  manualComment: string | null;
}

export interface GradeScore {
  cellKind: 'GradeCell' | 'TaskCell';
  cellType: 'code' | 'markdown';
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  score: number;
  maxScore: number;
  needsManualGrade: boolean;
  failedTests: boolean;
}

export interface CommentRecord {
  cellKind: 'SolutionCell' | 'TaskCell';
  autoComment: string | null;
  manualComment: string | null;
}

/** A submitted notebook's totals: nbgrader's SubmittedNotebook columns without the cells. */
export interface NotebookTotals {
  score: number;
  maxScore: number;
  codeScore: number;
  maxCodeScore: number;
  writtenScore: number;
  maxWrittenScore: number;
  taskScore: number;
  maxTaskScore: number;
  needsManualGrade: boolean;
  failedTests: boolean;
  flagged: boolean;
  /** null when no penalty was assigned (nbgrader stores None). */
  latePenalty: number | null;
}

/** The totals with every grade and comment, by grade id. */
export interface NotebookScores extends NotebookTotals {
  grades: Record<string, GradeScore>;
  comments: Record<string, CommentRecord>;
}

/** The maxima of a notebook, the same for every submission of it. */
export type NotebookMaxima = Pick<
  NotebookTotals,
  'maxScore' | 'maxCodeScore' | 'maxWrittenScore' | 'maxTaskScore'
>;

/** What a submitted notebook holds besides its grades. */
export interface SubmittedNotebookState {
  flagged: boolean;
  latePenalty: number | null;
}

/** Adds from left to right, starting at 0: the order is part of the result for non-integers. */
export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The sum of the maxima of the cells `pick` accepts (all of them by default). */
export function maxScoreOf(cells: NotebookCells, pick: (cell: ScoredCell) => boolean = () => true): number {
  return sum([...cells.values()].filter(pick).map((c) => c.maxScore));
}

export function notebookMaxima(cells: NotebookCells): NotebookMaxima {
  return {
    maxScore: maxScoreOf(cells),
    maxCodeScore: maxScoreOf(cells, (c) => !c.task && c.cellType === 'code'),
    maxWrittenScore: maxScoreOf(cells, (c) => !c.task && c.cellType === 'markdown'),
    maxTaskScore: maxScoreOf(cells, (c) => c.task),
  };
}

/**
 * The cell a grade belongs to: the cell of its name and kind (a task grade's is a task cell, as
 * nbgrader's Grade.cell is). A grade whose cell generate no longer knows counts with no maximum.
 */
function cellOf(cells: NotebookCells, grade: StoredGrade): ScoredCell {
  const task = grade.cellKind === 'task';
  const cell = cells.get(grade.name);
  return cell && cell.task === task ? cell : { maxScore: 0, cellType: 'code', task };
}

/** Grade.failed_tests: a code grade cell whose automatic score is below its points. */
const failedTests = (cell: ScoredCell, grade: StoredGrade) =>
  !cell.task && cell.cellType === 'code' && grade.autoScore !== null && grade.autoScore < cell.maxScore;

export function scoreGrade(cells: NotebookCells, grade: StoredGrade): GradeScore {
  const cell = cellOf(cells, grade);
  return {
    cellKind: cell.task ? 'TaskCell' : 'GradeCell',
    cellType: cell.cellType,
    autoScore: grade.autoScore,
    manualScore: grade.manualScore,
    extraCredit: grade.extraCredit,
    score: gradeScore(grade),
    maxScore: cell.maxScore,
    needsManualGrade: grade.needsManualGrade,
    failedTests: failedTests(cell, grade),
  };
}

/**
 * A notebook's totals from its grades (in any order): each sum adds its grades in listing order
 * (see grade-order.ts), from left to right, starting at 0. One pass, as the assignment's summary
 * runs this for every notebook of every student.
 */
export function notebookTotals(
  cells: NotebookCells,
  maxima: NotebookMaxima,
  grades: StoredGrade[],
  state: SubmittedNotebookState,
): NotebookTotals {
  let score = 0;
  let codeScore = 0;
  let writtenScore = 0;
  let taskScore = 0;
  let needsManualGrade = false;
  let failed = false;
  for (const grade of inListingOrder(grades)) {
    const cell = cellOf(cells, grade);
    const points = gradeScore(grade);
    score += points;
    if (cell.task) taskScore += points;
    else if (cell.cellType === 'code') codeScore += points;
    else writtenScore += points;
    needsManualGrade ||= grade.needsManualGrade;
    failed ||= failedTests(cell, grade);
  }
  return {
    score,
    maxScore: maxima.maxScore,
    codeScore,
    maxCodeScore: maxima.maxCodeScore,
    writtenScore,
    maxWrittenScore: maxima.maxWrittenScore,
    taskScore,
    maxTaskScore: maxima.maxTaskScore,
    needsManualGrade,
    failedTests: failed,
    flagged: state.flagged,
    latePenalty: state.latePenalty,
  };
}

/** A notebook's totals with its grades and comments (in any order), by grade id in listing order. */
export function scoreNotebook(
  cells: NotebookCells,
  maxima: NotebookMaxima,
  submitted: SubmittedNotebookState & { grades: StoredGrade[]; comments: StoredComment[] },
): NotebookScores {
  const grades: Record<string, GradeScore> = {};
  for (const grade of inListingOrder(submitted.grades)) setOwn(grades, grade.name, scoreGrade(cells, grade));
  const comments: Record<string, CommentRecord> = {};
  for (const c of inListingOrder(submitted.comments)) {
    setOwn(comments, c.name, {
      cellKind: c.cellKind === 'task' ? 'TaskCell' : 'SolutionCell',
      autoComment: c.autoComment,
      manualComment: c.manualComment,
    });
  }
  return { ...notebookTotals(cells, maxima, submitted.grades, submitted), grades, comments };
}
