/**
 * An nbgrader course directory: where each step's files are (nbgrader's CourseDirectory and its
 * `directory_structure`, by default `STEP/STUDENT/ASSIGNMENT`: source/ps1, release/ps1,
 * submitted/ada/ps1, autograded/ada/ps1, feedback/ada/ps1) and which files count (ignore,
 * student_id and notebook_id globs). The root is the folder holding nbgrader_config.py and the
 * gradebook. Used by generate, validate, autograde and (next) the exchange and feedback.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DEFAULT_COURSE_DIRECTORY, type CourseDirectorySettings } from '../grading/nbgrader-config.js';
import { CoursehubError } from '../util/errors.js';
import { filesMatching, findAllFiles, isFolder } from './course-files.js';
import { globMatches } from './ignore-rules.js';
import { NBGRADER_CONFIG_FILE } from './nbgrader-config-file.js';

export class CourseLayoutError extends CoursehubError {}

/**
 * Refuses a course directory that is not there: the nbgrader commands work in an existing course
 * directory and never create one (a typo in --course-dir would otherwise get a new, empty
 * gradebook, and the next command the real one).
 */
export async function requireCourseRoot(root: string): Promise<void> {
  const info = await lstat(root).catch(() => null); // absent or unreadable: said just below
  if (info?.isDirectory()) return;
  throw new CourseLayoutError(
    `The course directory ${root} ${info ? 'is not a folder' : 'does not exist'}.`,
    {
      hint:
        'Run the command in the course directory (the folder holding nbgrader_config.py and source/), ' +
        'or give it with --course-dir. coursehub never creates a course directory itself.',
    },
  );
}

const FIELDS = ['nbgrader_step', 'student_id', 'assignment_id'] as const;
type Field = (typeof FIELDS)[number];

/** A Python format string with only {nbgrader_step}, {student_id} and {assignment_id} (and {{ }}). */
function formatStructure(structure: string, values: Record<Field, string>): string {
  return structure.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, field: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    if (!(FIELDS as readonly string[]).includes(field!))
      throw new CourseLayoutError(`CourseDirectory.directory_structure uses an unknown field {${field}}`, {
        hint: 'Use only {nbgrader_step}, {student_id} and {assignment_id}.',
      });
    return values[field as Field];
  });
}

export class CourseDirectory {
  constructor(
    /** The course folder (absolute): nbgrader's CourseDirectory.root. */
    readonly root: string,
    readonly settings: CourseDirectorySettings = DEFAULT_COURSE_DIRECTORY,
  ) {}

  /** nbgrader's `format_path(nbgrader_step, student_id, assignment_id)`. */
  formatPath(step: string, student: string, assignment: string): string {
    const structure = this.settings.directoryStructure;
    return join(
      this.root,
      formatStructure(structure, { nbgrader_step: step, student_id: student, assignment_id: assignment }),
    );
  }

  source(assignment: string): string {
    return this.formatPath(this.settings.sourceDirectory, '.', assignment);
  }

  release(assignment: string): string {
    return this.formatPath(this.settings.releaseDirectory, '.', assignment);
  }

  sourceWithTests(assignment: string): string {
    return this.formatPath(this.settings.sourceWithTestsDirectory, '.', assignment);
  }

  submitted(student: string, assignment: string): string {
    return this.formatPath(this.settings.submittedDirectory, student, assignment);
  }

  autograded(student: string, assignment: string): string {
    return this.formatPath(this.settings.autogradedDirectory, student, assignment);
  }

  feedback(student: string, assignment: string): string {
    return this.formatPath(this.settings.feedbackDirectory, student, assignment);
  }

  get configFile(): string {
    return join(this.root, NBGRADER_CONFIG_FILE);
  }

  /** A course path as messages show it: relative to the root, with `/`. */
  label(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  /** The notebooks of an assignment folder: regular files matching `NOTEBOOK_ID.ipynb`, sorted names. */
  notebooks(folder: string): Promise<string[]> {
    return filesMatching(folder, `${this.settings.notebookId}.ipynb`);
  }

  /** The other files of an assignment folder, as generate and autograde copy them (CourseDirectory.ignore). */
  dataFiles(folder: string): Promise<string[]> {
    return findAllFiles(folder, [...this.settings.ignore, '*.ipynb']);
  }

  /**
   * The students (matching CourseDirectory.student_id) who have a submission folder of
   * `assignment`, sorted as nbgrader processes them. The student id is one path component of the
   * directory structure.
   */
  submittedStudents(assignment: string): Promise<string[]> {
    return this.studentsWithFolder(this.settings.submittedDirectory, assignment);
  }

  /** The students with an autograded folder of `assignment` (generate_feedback's input), sorted. */
  autogradedStudents(assignment: string): Promise<string[]> {
    return this.studentsWithFolder(this.settings.autogradedDirectory, assignment);
  }

  private async studentsWithFolder(step: string, assignment: string): Promise<string[]> {
    const marker = '\0';
    const parts = this.formatPath(step, marker, assignment).split(sep);
    const at = parts.findIndex((part) => part.includes(marker));
    if (at === -1)
      throw new CourseLayoutError('CourseDirectory.directory_structure has no {student_id}', {
        hint: "nbgrader needs it, e.g. '{nbgrader_step}/{student_id}/{assignment_id}'.",
      });
    const [before, after] = parts[at]!.split(marker) as [string, string];
    const parent = parts.slice(0, at).join(sep) || sep;
    const names = await readdir(parent).catch(() => [] as string[]); // no submitted/ folder: no students
    const students: string[] = [];
    for (const name of names.sort()) {
      if (!name.startsWith(before) || !name.endsWith(after) || name.length < before.length + after.length)
        continue;
      const student = name.slice(before.length, name.length - after.length);
      if (!globMatches(name, `${escapeGlob(before)}${this.settings.studentId}${escapeGlob(after)}`)) continue;
      if (await isFolder(this.formatPath(step, student, assignment))) students.push(student);
    }
    return students;
  }
}

/** A literal name as an fnmatch pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[]/g, (c) => `[${c}]`);
}
