/**
 * An nbgrader gradebook as plain data: what `gradebook.db` holds for one course, without
 * nbgrader's row ids. The reader (./read-gradebook.ts) makes it from nbgrader's tables, the writer
 * (./write-gradebook.ts) writes it back as nbgrader 0.9.5's, and the gradebook transfer store
 * (../stores/gradebook-transfer.ts) moves it in and out of coursehub's own tables.
 *
 * Times are naive UTC in Python's `str(datetime)` form (`YYYY-MM-DD HH:MM:SS[.ffffff]`), the form
 * coursehub's gradebook and nbgrader's grades.csv use.
 */
export interface NbgraderScoredCell {
  name: string;
  maxScore: number;
  cellType: string;
}

export interface NbgraderSourceCell {
  name: string;
  cellType: string;
  locked: boolean;
  source: string | null;
  checksum: string | null;
}

export interface NbgraderNotebook {
  name: string;
  /** The kernelspec as nbgrader stored it (JSON text), or null. */
  kernelspec: string | null;
  gradeCells: NbgraderScoredCell[];
  solutionCells: string[];
  taskCells: NbgraderScoredCell[];
  /** In the order generate stored them. */
  sourceCells: NbgraderSourceCell[];
}

export interface NbgraderGrade {
  name: string;
  /** A grade cell's or a task cell's grade. */
  kind: 'grade' | 'task';
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  needsManualGrade: boolean;
}

export interface NbgraderComment {
  name: string;
  /** A solution cell's or a task cell's comment. */
  kind: 'solution' | 'task';
  autoComment: string | null;
  manualComment: string | null;
}

export interface NbgraderSubmittedNotebook {
  name: string;
  flagged: boolean;
  /** Stored per notebook when autograde ran; null when none was assigned. */
  latePenalty: number | null;
  grades: NbgraderGrade[];
  comments: NbgraderComment[];
}

export interface NbgraderSubmission {
  studentId: string;
  timestamp: string | null;
  /** The extension in seconds (nbgrader stores it as an offset from 1970-01-01), or null. */
  extensionSeconds: number | null;
  notebooks: NbgraderSubmittedNotebook[];
}

export interface NbgraderAssignment {
  name: string;
  duedate: string | null;
  notebooks: NbgraderNotebook[];
  submissions: NbgraderSubmission[];
}

export interface NbgraderStudent {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  lmsUserId: string | null;
}

export interface NbgraderGradebook {
  /** The course the assignments belong to (nbgrader's `assignment.course_id`). */
  courseId: string;
  assignments: NbgraderAssignment[];
  students: NbgraderStudent[];
}

/** Counts of what a gradebook holds, for reports and dry runs. */
export function countGradebook(book: NbgraderGradebook) {
  const notebooks = book.assignments.flatMap((a) => a.notebooks);
  const submissions = book.assignments.flatMap((a) => a.submissions);
  const submitted = submissions.flatMap((s) => s.notebooks);
  return {
    assignments: book.assignments.length,
    notebooks: notebooks.length,
    cells: notebooks.reduce(
      (n, nb) =>
        n + nb.gradeCells.length + nb.solutionCells.length + nb.taskCells.length + nb.sourceCells.length,
      0,
    ),
    students: book.students.length,
    submissions: submissions.length,
    extensions: submissions.filter((s) => s.extensionSeconds !== null).length,
    grades: submitted.reduce((n, nb) => n + nb.grades.length, 0),
    manualScores: submitted.reduce((n, nb) => n + nb.grades.filter((g) => g.manualScore !== null).length, 0),
    comments: submitted.reduce((n, nb) => n + nb.comments.length, 0),
    manualComments: submitted.reduce(
      (n, nb) => n + nb.comments.filter((c) => c.manualComment !== null).length,
      0,
    ),
    flagged: submitted.filter((nb) => nb.flagged).length,
  };
}
