/**
 * The assignment editor: an instructor marks the cells of a source notebook (source/ASSIGNMENT/)
 * as nbgrader's "Create Assignment" toolbar does, and saves them back. Instructors only (admins
 * as instructors): graders grade, they do not write the assignment. A save is checked with
 * nbgrader's own metadata validation (its messages, the first problem found) before anything is
 * written, and is refused when the file changed since the page was opened.
 */
import {
  openSourceNotebook,
  saveSourceNotebook,
  sourceNotebooks,
  StaleSourceNotebookError,
  type OpenedSourceNotebook,
} from '../../course/index.js';
import type { HubCourseRow } from '../../exchange/courses/course-service.js';
import { checkFolderName } from '../../exchange/courses/course-names.js';
import type { Actor } from '../../exchange/exchange.js';
import {
  applyMarks,
  isGradedType,
  MARK_LABELS,
  marksOf,
  validateNotebookMetadata,
  type CellMarks,
} from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import { INSTRUCTOR, type CourseWork } from './course-work.js';

/** Marks the editor cannot write: an unknown cell type, points on a cell that has none. */
export class CellMarksError extends CoursehubError {}

export interface EditorNotebook extends OpenedSourceNotebook {
  course: HubCourseRow;
  assignment: string;
  name: string;
  /** Each cell's marks as the file has them. */
  marks: CellMarks[];
}

export class AssignmentEditor {
  constructor(private readonly work: CourseWork) {}

  private async course(courseId: string, assignment: string, actor: Actor): Promise<HubCourseRow> {
    const course = await this.work.courseFor(courseId, actor, INSTRUCTOR);
    checkFolderName('assignment', assignment);
    return course;
  }

  /** The notebooks of source/ASSIGNMENT/. */
  async notebooks(courseId: string, assignment: string, actor: Actor): Promise<string[]> {
    const course = await this.course(courseId, assignment, actor);
    return sourceNotebooks(course.directory, assignment);
  }

  async open(courseId: string, assignment: string, name: string, actor: Actor): Promise<EditorNotebook> {
    const course = await this.course(courseId, assignment, actor);
    const opened = await openSourceNotebook(course.directory, assignment, name);
    return { ...opened, course, assignment, name, marks: opened.notebook.cells.map(marksOf) };
  }

  /**
   * Writes `marks` (one per cell, in order) into the notebook if nbgrader accepts them and the
   * file still has `version`. Returns the new version.
   */
  async save(
    courseId: string,
    assignment: string,
    name: string,
    actor: Actor,
    version: string,
    marks: CellMarks[],
  ): Promise<{ version: string; warnings: string[] }> {
    const course = await this.course(courseId, assignment, actor);
    const opened = await openSourceNotebook(course.directory, assignment, name);
    // Checked here for a clear answer before any other, and again just before the rename.
    if (opened.version !== version)
      throw new StaleSourceNotebookError(
        `${opened.label} changed on disk since you opened it; nothing was saved.`,
        {
          hint: 'Open the notebook again to see its current cells, then mark them again.',
        },
      );
    if (marks.length !== opened.notebook.cells.length)
      throw new CellMarksError(
        `${marks.length} cells were marked, but ${opened.label} has ${opened.notebook.cells.length}; nothing was saved.`,
        { hint: 'Open the notebook again and mark its cells.' },
      );
    marks.forEach((mark, index) => {
      if (!(mark.type in MARK_LABELS))
        throw new CellMarksError(
          `cell ${index + 1}: ${JSON.stringify(mark.type)} is not a cell type of nbgrader.`,
          {
            hint: `One of: ${Object.values(MARK_LABELS).join(', ')}.`,
          },
        );
      if (!isGradedType(mark.type) && mark.points !== undefined && mark.points !== 0)
        throw new CellMarksError(
          `cell ${index + 1}: a "${MARK_LABELS[mark.type]}" cell has no points (${String(mark.points)} given).`,
          {
            hint: 'Only manually graded answers and tasks and autograder tests carry points; leave the box empty.',
          },
        );
    });
    const marked = applyMarks(opened.notebook, marks);
    const { warnings } = validateNotebookMetadata(marked);
    return {
      version: await saveSourceNotebook(course.directory, assignment, name, marked, version),
      warnings,
    };
  }
}
