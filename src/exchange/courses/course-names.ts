/**
 * The ids that name folders: course ids (a folder below every student's home, a folder of the
 * exchange, a Unix group), assignment ids and student ids. Stricter than nbgrader for courses
 * (letters, digits, `_`, `-`, `.`; no leading dot), because a course id reaches Unix group names
 * and URLs; assignment and student ids as nbgrader's, but never `.`, `..`, a slash, NUL or a
 * control character.
 */
import { InvalidCourseNameError } from '../errors.js';

const COURSE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// eslint-disable-next-line no-control-regex
const FOLDER_NAME_REFUSED = /[/\\\u0000-\u001f\u007f]/;

export function checkCourseId(id: string): string {
  if (!COURSE_ID.test(id))
    throw new InvalidCourseNameError(`${JSON.stringify(id)} is not a valid course id.`, {
      hint: 'A course id is 1 to 64 letters, digits, "_", "-" or ".", starting with a letter or digit (e.g. intro101).',
    });
  return id;
}

/** An assignment (or student) id as a folder name: refused when it could leave its folder. */
export function checkFolderName(kind: 'assignment' | 'student', name: string): string {
  if (name === '' || name === '.' || name === '..' || FOLDER_NAME_REFUSED.test(name) || name.length > 255)
    throw new InvalidCourseNameError(`${JSON.stringify(name)} is not a valid ${kind} id.`, {
      hint: `A ${kind} id names a folder: no "/", "\\\\", control characters, and not "." or "..".`,
    });
  return name;
}
