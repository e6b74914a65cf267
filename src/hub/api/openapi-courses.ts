/**
 * The courses and exchange part of the OpenAPI document (./openapi.ts): path -> method ->
 * operation. The scope is checked first, then the caller's role in the course.
 */
import { ERR, type Op } from './openapi-types.js';

export const COURSE_OPERATIONS: Record<string, Record<string, Op>> = {
  '/hub/api/courses': {
    get: {
      summary: "The caller's courses with their role (an admin: every course)",
      scopes: ['read:courses'],
      responses: { '200': '[{id, title, role}]', ...ERR },
    },
    post: {
      summary: 'Create a course (directory default DATA_DIR/courses/ID)',
      scopes: ['admin:courses'],
      body: '{id: string, title?: string, directory?: string}',
      responses: { '201': '{id, title, directory}', '400': 'invalid id', '409': 'exists', ...ERR },
    },
  },
  '/hub/api/courses/{course}': {
    get: {
      summary:
        "Released assignments with the caller's own fetches, submission receipts and feedback (instructors and graders: also how many submitted)",
      scopes: ['read:courses'],
      responses: { '200': '{course, role, assignments: [...]}', ...ERR },
    },
  },
  '/hub/api/courses/{course}/members': {
    get: {
      summary: "The course's people and roles (instructors and graders)",
      scopes: ['courses:grade'],
      responses: { '200': '[{name, role}]', ...ERR },
    },
  },
  '/hub/api/courses/{course}/members/{user}': {
    put: {
      summary: "Set a user's role (instructors); a student is also listed in the gradebook",
      scopes: ['courses:manage'],
      body: '{role: instructor|grader|student}',
      responses: { '200': '{name, role}', '400': 'invalid role', ...ERR },
    },
    delete: {
      summary: "Remove a user's role (their work and grades stay)",
      scopes: ['courses:manage'],
      responses: { '204': 'removed', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/release': {
    post: {
      summary:
        'release_assignment: an immutable, versioned copy of release/ASSIGNMENT/, generated first when missing (instructors)',
      scopes: ['courses:manage'],
      responses: {
        '200':
          '{version, checksum, files, unchanged, generated?: {notebooks, files} when release/ASSIGNMENT was generated first}',
        '409': 'nothing to release, or generate refused (per notebook and cell)',
        ...ERR,
      },
    },
    delete: {
      summary: 'Unrelease: withdraw the current release (instructors)',
      scopes: ['courses:manage'],
      responses: { '200': '{version}', '409': 'not released', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/fetch': {
    post: {
      summary: "fetch_assignment into COURSE/ASSIGNMENT/ of the caller's home (changed files kept)",
      scopes: ['courses:submit'],
      responses: { '200': '{folder, version, written, kept}', '409': 'not released', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/submit': {
    post: {
      summary:
        "submit the caller's COURSE/ASSIGNMENT/ (or body.folder, a folder below their home), read with their own rights; the receipt",
      scopes: ['courses:submit'],
      body: '{folder?: string, relative to the home}',
      responses: {
        '201': '{timestamp, checksum, files, warnings}',
        '400': 'refused (links, names, limits, unreadable files)',
        '409': 'not released',
        ...ERR,
      },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/collect': {
    post: {
      summary: 'collect into submitted/STUDENT/ASSIGNMENT/ with timestamp.txt (instructors, graders)',
      scopes: ['courses:grade'],
      body: '{student?: string, update?: boolean}',
      responses: { '200': '{collected, skipped}', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/feedback/release': {
    post: {
      summary: "release_feedback: each student's feedback/STUDENT/ASSIGNMENT/*.html, to them only",
      scopes: ['courses:grade'],
      body: '{student?: string}',
      responses: { '200': '{released, unchanged, skipped}', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/fetch/files': {
    post: {
      summary:
        "fetch_assignment from the command line: the current release's files (base64) for the caller to write as ./ASSIGNMENT; the fetch is recorded",
      scopes: ['courses:submit'],
      responses: { '200': '{version, files: [{path, executable, data}]}', '409': 'not released', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/feedback/fetch': {
    post: {
      summary: "fetch_feedback into COURSE/ASSIGNMENT/feedback/TIMESTAMP/ of the caller's home",
      scopes: ['courses:submit'],
      responses: { '200': '{folders}', ...ERR },
    },
  },
  // An instructor's work (./course-work-routes.ts), for `coursehub nbgrader ... --course C`.
  '/hub/api/courses/{course}/assignments': {
    get: {
      summary: "The gradebook's assignments with due dates (instructors, graders)",
      scopes: ['courses:grade'],
      responses: { '200': '[{name, duedate}]', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}': {
    put: {
      summary: 'db assignment add: add an assignment or change its due date (instructors)',
      scopes: ['courses:manage'],
      body: '{duedate?: "YYYY-MM-DD HH:MM[:SS]" UTC | null (none); left out: kept}',
      responses: { '200': '{name, duedate}', '400': 'not a due date or an assignment id', ...ERR },
    },
    delete: {
      summary:
        'db assignment remove: the assignment leaves the gradebook; refused while it has graded submissions unless ?force=true (instructors)',
      scopes: ['courses:manage'],
      responses: { '204': 'removed', '400': 'no such assignment, or it has grades and no force', ...ERR },
    },
  },
  '/hub/api/courses/{course}/students/{student}': {
    put: {
      summary:
        'db student add: the user (made when missing) becomes a student, names in the gradebook; staff refused (instructors)',
      scopes: ['courses:manage'],
      body: '{first_name?, last_name?, email?}',
      responses: { '200': '{id, createdUser}', '400': 'not a user name, or course staff', ...ERR },
    },
    delete: {
      summary:
        'db student remove: out of the gradebook and the course; refused while they have graded submissions unless ?force=true (instructors)',
      scopes: ['courses:manage'],
      responses: { '204': 'removed', '400': 'no such student, staff, or grades and no force', ...ERR },
    },
  },
  '/hub/api/courses/{course}/students/import': {
    post: {
      summary:
        "db student import: a CSV text with an 'id' column (first_name, last_name, email); all or nothing (instructors)",
      scopes: ['courses:manage'],
      body: '{csv: string, file?: string (named in messages)}',
      responses: { '200': '{imported, createdUsers}', '400': 'the file, each bad line named', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/generate': {
    post: {
      summary: 'generate_assignment --force: source/ -> release/, cells in the gradebook (instructors)',
      scopes: ['courses:manage'],
      responses: { '200': '{notebooks, files}', '400': 'the source cannot be generated', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/autograde': {
    post: {
      summary: 'autograde the collected submissions, as a job (instructors, graders)',
      scopes: ['courses:grade'],
      body: '{student?: string, force?: boolean (default true)}',
      responses: { '202': 'the job: {id, kind, state, done, total, failed, message, ...}', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/feedback/generate': {
    post: {
      summary: 'generate_feedback of the autograded submissions, as a job (instructors, graders)',
      scopes: ['courses:grade'],
      body: '{student?: string, force?: boolean (default true)}',
      responses: { '202': 'the job', ...ERR },
    },
  },
  '/hub/api/courses/{course}/jobs/{id}': {
    get: {
      summary: "A job's state (running, succeeded, failed), progress (done, total, failed) and message",
      scopes: ['courses:grade'],
      responses: { '200': '{id, kind, assignment, state, done, total, failed, message, result}', ...ERR },
    },
  },
  '/hub/api/courses/{course}/grades.csv': {
    get: {
      summary:
        "export: grades.csv in nbgrader's columns (instructors, graders); while an assignment is graded anonymously, by pseudonym with no names",
      scopes: ['courses:grade'],
      responses: { '200': 'text/csv', ...ERR },
    },
  },
  '/hub/api/courses/{course}/students': {
    get: {
      summary: "The gradebook's students (instructors, graders)",
      scopes: ['courses:grade'],
      responses: { '200': '[{id, firstName, lastName, email}]', ...ERR },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/submissions': {
    get: {
      summary:
        'Every student of the course with the state of their submission (not submitted, submitted, needs manual grading, flagged, graded, autograded), time stamp, late flag and score; by pseudonym when graded anonymously (instructors, graders)',
      scopes: ['courses:grade'],
      responses: {
        '200':
          '{assignment, duedate, anonymous, maxScore, notebooks, submissions: [{student, label, state, timestamp, late, score, notebooks}]}',
        ...ERR,
      },
    },
  },
  '/hub/api/courses/{course}/assignments/{assignment}/grading/{student}/{notebook}': {
    get: {
      summary:
        "One student's graded notebook: each graded cell's scores and comments, the flag, and each field's version (instructors, graders; {student} is the pseudonym when graded anonymously)",
      scopes: ['courses:grade'],
      responses: {
        '200':
          '{student, label, anonymous, notebook, flagged, cells: [{gradeId, grade?, comment?}], fields: [{cell, field, version, editedBy, editedAt}]}',
        ...ERR,
      },
    },
    put: {
      summary:
        'Save one field (manual_score, extra_credit, comment, or flag with cell ""); the later save wins and the answer names the value it replaced when the field changed after baseVersion (instructors, graders)',
      scopes: ['courses:grade'],
      body: '{cell: string, field: manual_score|extra_credit|comment|flag, value: number|string|boolean|null, baseVersion: integer}',
      responses: {
        '200':
          '{cell, field, value, version, savedBy, savedAt, conflict: null | {value, version, editedBy, editedAt}}',
        '400': 'a value the cell cannot take (e.g. above its points)',
        ...ERR,
      },
    },
  },
};
