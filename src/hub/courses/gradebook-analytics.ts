/**
 * An assignment's analytics and the per-cell grades they (and the per-cell CSV) are made of:
 * score histograms of the assignment and of each graded cell, the autograded tests failed most,
 * and the submissions' time stamps against the due date. The grades are read set-based (the
 * score store's scoreRows: a fixed number of queries, no comments, no per-notebook totals), each
 * grade's points by nbgrader's Grade.score rule (src/grading/scores/).
 */
import type { GradebookStore } from '../../db/stores/gradebook.js';
import type { AssignmentPoints } from '../../gradebook/scores.js';
import { gradeScore, inGradeIdOrder } from '../../grading/scores/index.js';

export interface HistogramBin {
  /** [from, to) (the last bin includes `to`). */
  from: number;
  to: number;
  count: number;
}

export interface AnalyticsView {
  assignment: string;
  duedate: string | null;
  maxScore: number;
  submitted: number;
  /** Scores after the late penalty, in 10 bins over 0..maxScore. */
  scores: HistogramBin[];
  cells: { notebook: string; cell: string; maxScore: number; graded: number; bins: HistogramBin[] }[];
  /** Autograded test cells by how many submissions got less than full marks, most first (10 at most). */
  failedTests: {
    notebook: string;
    cell: string;
    maxScore: number;
    zero: number;
    partial: number;
    full: number;
  }[];
  /** Every submission's time stamp, oldest first; late: after the due date and any extension. */
  timeline: { timestamp: string; late: boolean }[];
}

export interface CellGrade {
  notebook: string;
  cell: string;
  cellType: 'code' | 'markdown';
  task: boolean;
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  /** nbgrader's Grade.score: manual if given, else auto, else 0; plus extra credit. */
  score: number;
  maxScore: number;
}

/**
 * Each submission's grades, students by id, notebooks by name, cells in nbgrader's order (grade
 * cells, then task cells, each by grade id). A grade whose cell is gone is left out.
 */
export async function readCellGrades(
  store: GradebookStore,
  assignmentId: number,
): Promise<{ studentId: string; grades: CellGrade[] }[]> {
  const rows = await store.scores.scoreRows(assignmentId);
  const notebooks = [...rows.notebooks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cellsOf = new Map(
    notebooks.map((nb) => {
      const cells = rows.cells.filter((c) => c.notebookId === nb.id);
      return [
        nb.id,
        [...inGradeIdOrder(cells.filter((c) => !c.task)), ...inGradeIdOrder(cells.filter((c) => c.task))],
      ];
    }),
  );
  const gradesOf = new Map<number, Map<string, (typeof rows.grades)[number]>>();
  for (const grade of rows.grades) {
    let byCell = gradesOf.get(grade.submittedNotebookId);
    if (!byCell) gradesOf.set(grade.submittedNotebookId, (byCell = new Map()));
    byCell.set(`${grade.cellKind === 'task' ? 'task' : 'grade'}\0${grade.name}`, grade);
  }
  const submittedOf = new Map<number, Map<number, number>>();
  for (const s of rows.submittedNotebooks) {
    let byNotebook = submittedOf.get(s.submissionId);
    if (!byNotebook) submittedOf.set(s.submissionId, (byNotebook = new Map()));
    byNotebook.set(s.notebookId, s.id);
  }
  return rows.submissions.map((sub) => {
    const grades: CellGrade[] = [];
    for (const nb of notebooks) {
      const submitted = submittedOf.get(sub.id)?.get(nb.id);
      const byCell = submitted === undefined ? undefined : gradesOf.get(submitted);
      if (!byCell) continue;
      for (const cell of cellsOf.get(nb.id)!) {
        const grade = byCell.get(`${cell.task ? 'task' : 'grade'}\0${cell.name}`);
        if (!grade) continue;
        grades.push({
          notebook: nb.name,
          cell: cell.name,
          cellType: cell.cellType,
          task: cell.task,
          autoScore: grade.autoScore,
          manualScore: grade.manualScore,
          extraCredit: grade.extraCredit,
          score: gradeScore(grade),
          maxScore: cell.maxScore,
        });
      }
    }
    return { studentId: sub.studentId, grades };
  });
}

/** A value with how many times it occurs. */
export interface Counted {
  value: number;
  count: number;
}

const total = (counts: { count: number }[]) => counts.reduce((n, c) => n + c.count, 0);

/**
 * `bins` equal bins over 0..max; a value above max (extra credit) goes into the last one, below 0
 * into the first. With max 0 every value is in one bin.
 */
export function histogram(values: Counted[], max: number, bins: number): HistogramBin[] {
  if (max <= 0) return [{ from: 0, to: 0, count: total(values) }];
  const width = max / bins;
  const result = Array.from({ length: bins }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const { value, count } of values)
    result[Math.min(bins - 1, Math.max(0, Math.floor(value / width)))]!.count += count;
  return result;
}

/** A cell's bins: one per point for a cell of at most 10 whole points (0, 1, ..., max), else 10. */
export function cellBins(values: Counted[], max: number): HistogramBin[] {
  if (Number.isInteger(max) && max > 0 && max <= 10) {
    const result = Array.from({ length: max + 1 }, (_, i) => ({ from: i, to: i + 1, count: 0 }));
    for (const { value, count } of values)
      result[Math.min(max, Math.max(0, Math.floor(value)))]!.count += count;
    return result;
  }
  return histogram(values, max, 10);
}

/** Grades of one cell with the same values, and how many submitted notebooks have them. */
export interface GradeCount {
  notebook: string;
  cell: string;
  cellType: 'code' | 'markdown';
  task: boolean;
  autoScore: number | null;
  /** nbgrader's Grade.score of these values. */
  score: number;
  maxScore: number;
  count: number;
}

/**
 * Per graded cell, how many submitted notebooks got each combination of values: one query however
 * many students (the score store's gradeValueCounts), each combination's points by Grade.score.
 * A grade whose cell is gone is left out.
 */
export async function readGradeCounts(store: GradebookStore, assignmentId: number): Promise<GradeCount[]> {
  const [counts, header] = await Promise.all([
    store.scores.gradeValueCounts(assignmentId),
    store.scores.cellRows(assignmentId),
  ]);
  const notebookName = new Map(header.notebooks.map((n) => [n.id, n.name]));
  const cells = new Map(
    header.cells.map((c) => [
      `${notebookName.get(c.notebookId)}\0${c.task ? 'task' : 'grade'}\0${c.name}`,
      c,
    ]),
  );
  return counts.flatMap((row) => {
    const cell = cells.get(`${row.notebook}\0${row.cellKind === 'task' ? 'task' : 'grade'}\0${row.name}`);
    if (!cell) return [];
    return [
      {
        notebook: row.notebook,
        cell: row.name,
        cellType: cell.cellType,
        task: cell.task,
        autoScore: row.autoScore,
        score: gradeScore(row),
        maxScore: cell.maxScore,
        count: row.count,
      },
    ];
  });
}

/** The analytics of an assignment from its summary and its cells' grade counts. */
export function assignmentAnalytics(summary: AssignmentPoints, grades: GradeCount[]): AnalyticsView {
  const perCell = new Map<
    string,
    { notebook: string; cell: string; maxScore: number; test: boolean; values: Counted[]; auto: Counted[] }
  >();
  const ordered = [...grades].sort(
    (a, b) =>
      (a.notebook < b.notebook ? -1 : a.notebook > b.notebook ? 1 : 0) ||
      Number(a.task) - Number(b.task) ||
      (a.cell < b.cell ? -1 : a.cell > b.cell ? 1 : 0),
  );
  for (const grade of ordered) {
    const key = `${grade.notebook}\0${grade.task ? 'task' : 'grade'}\0${grade.cell}`;
    let entry = perCell.get(key);
    if (!entry)
      perCell.set(
        key,
        (entry = {
          notebook: grade.notebook,
          cell: grade.cell,
          maxScore: grade.maxScore,
          // An autograder test: a code grade cell (nbgrader's failed_tests rule).
          test: !grade.task && grade.cellType === 'code',
          values: [],
          auto: [],
        }),
      );
    entry.values.push({ value: grade.score, count: grade.count });
    if (grade.autoScore !== null) entry.auto.push({ value: grade.autoScore, count: grade.count });
  }
  const cells = [...perCell.values()];
  const failedTests = cells
    .filter((c) => c.test && c.auto.length > 0)
    .map((c) => ({
      notebook: c.notebook,
      cell: c.cell,
      maxScore: c.maxScore,
      zero: total(c.auto.filter((a) => a.value <= 0)),
      partial: total(c.auto.filter((a) => a.value > 0 && a.value < c.maxScore)),
      full: total(c.auto.filter((a) => a.value >= c.maxScore)),
    }))
    .filter((c) => c.zero + c.partial > 0)
    .sort((a, b) => b.zero + b.partial - (a.zero + a.partial) || b.zero - a.zero)
    .slice(0, 10);
  return {
    assignment: summary.assignment,
    duedate: summary.duedate,
    maxScore: summary.maxScore,
    submitted: summary.submissions.length,
    scores: histogram(
      summary.submissions.map((s) => ({ value: s.scoreAfterPenalty, count: 1 })),
      summary.maxScore,
      10,
    ),
    cells: cells.map((c) => ({
      notebook: c.notebook,
      cell: c.cell,
      maxScore: c.maxScore,
      graded: total(c.values),
      bins: cellBins(c.values, c.maxScore),
    })),
    failedTests,
    timeline: summary.submissions
      .filter((s): s is typeof s & { timestamp: string } => s.timestamp !== null)
      .map((s) => ({ timestamp: s.timestamp, late: s.secondsLate > 0 }))
      .sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0)),
  };
}
