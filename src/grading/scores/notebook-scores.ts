/**
 * nbgrader's totals of one submitted notebook (api.py's SubmittedNotebook column properties):
 * score and maximum by kind of cell (code, written, task), needs-manual-grade, failed tests. Pure:
 * the gradebook reads the rows and hands them in, so SQLite and PostgreSQL give the same numbers
 * through this one code path.
 */
import { gradeScore, type GradeValues } from './grade-score.js';

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

export interface NotebookScores {
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
  grades: Record<string, GradeScore>;
  comments: Record<string, CommentRecord>;
}

/** Adds from left to right, starting at 0: the order is part of the result for non-integers. */
export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Rows in grade-id order: the order grades are listed and added up in, on every database. Grade ids
 * are ASCII (nbgrader allows [A-Za-z0-9_-]), so this is SQLite's binary order, the one its index on
 * (notebook, name) gave the gradebook's queries before they were set-based: the totals stay the
 * same to the last bit.
 */
export function inGradeIdOrder<T extends { name: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The sum of the maxima of the cells `pick` accepts (all of them by default). */
export function maxScoreOf(cells: NotebookCells, pick: (cell: ScoredCell) => boolean = () => true): number {
  return sum([...cells.values()].filter(pick).map((c) => c.maxScore));
}

function scoreGrade(cells: NotebookCells, grade: StoredGrade): GradeScore {
  // A grade whose cell generate no longer knows still counts, with no maximum.
  const cell = cells.get(grade.name) ?? {
    maxScore: 0,
    cellType: 'code' as const,
    task: grade.cellKind === 'task',
  };
  return {
    cellKind: cell.task ? 'TaskCell' : 'GradeCell',
    cellType: cell.cellType,
    autoScore: grade.autoScore,
    manualScore: grade.manualScore,
    extraCredit: grade.extraCredit,
    score: gradeScore(grade),
    maxScore: cell.maxScore,
    needsManualGrade: grade.needsManualGrade,
    // Grade.failed_tests: a code grade cell whose automatic score is below its points.
    failedTests:
      !cell.task && cell.cellType === 'code' && grade.autoScore !== null && grade.autoScore < cell.maxScore,
  };
}

/**
 * The totals of one submitted notebook. `grades` and `comments` come in the order they are to be
 * listed (and added up) in.
 */
export function scoreNotebook(
  cells: NotebookCells,
  submitted: {
    grades: StoredGrade[];
    comments: StoredComment[];
    flagged: boolean;
    latePenalty: number | null;
  },
): NotebookScores {
  const grades: Record<string, GradeScore> = {};
  for (const grade of submitted.grades) grades[grade.name] = scoreGrade(cells, grade);
  const comments: Record<string, CommentRecord> = {};
  for (const c of submitted.comments) {
    comments[c.name] = {
      cellKind: c.cellKind === 'task' ? 'TaskCell' : 'SolutionCell',
      autoComment: c.autoComment,
      manualComment: c.manualComment,
    };
  }
  const values = Object.values(grades);
  const scoreWhere = (pick: (g: GradeScore) => boolean) => sum(values.filter(pick).map((g) => g.score));
  return {
    score: sum(values.map((g) => g.score)),
    maxScore: maxScoreOf(cells),
    codeScore: scoreWhere((g) => g.cellKind === 'GradeCell' && g.cellType === 'code'),
    maxCodeScore: maxScoreOf(cells, (c) => !c.task && c.cellType === 'code'),
    writtenScore: scoreWhere((g) => g.cellKind === 'GradeCell' && g.cellType === 'markdown'),
    maxWrittenScore: maxScoreOf(cells, (c) => !c.task && c.cellType === 'markdown'),
    taskScore: scoreWhere((g) => g.cellKind === 'TaskCell'),
    maxTaskScore: maxScoreOf(cells, (c) => c.task),
    needsManualGrade: values.some((g) => g.needsManualGrade),
    failedTests: values.some((g) => g.failedTests),
    flagged: submitted.flagged,
    latePenalty: submitted.latePenalty,
    grades,
    comments,
  };
}
