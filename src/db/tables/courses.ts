/**
 * Tables of courses on the hub, the exchange and long operations (same conventions as ./hub.ts:
 * ISO-8601 text timestamps, integer ids). The gradebook's own tables (./gradebook.ts) are keyed by
 * the course's name (nbgrader's course_id) through `gradebook_course`.
 */
import type { Generated } from 'kysely';

/** A course on the hub: nbgrader's course_id, a title, its course directory and Unix group. */
export interface CoursesTable {
  id: Generated<number>;
  /** nbgrader's course_id; also the folder name below students' homes and in the exchange. */
  name: string;
  title: string;
  /** Absolute path of the course directory (nbgrader's CourseDirectory.root). */
  directory: string;
  /** The course's Unix group (`ch-...`), or null when the hub is not root. */
  unix_group: string | null;
  created: string;
}

/** Who does what in a course: 'instructor' | 'grader' | 'student'; one role per user and course. */
export interface CourseRolesTable {
  course_id: number;
  user_id: number;
  role: string;
  created: string;
}

/**
 * One release of an assignment: an immutable copy of release/ASSIGNMENT/ in the exchange's area.
 * Versions count up per assignment; the current release is the newest one not withdrawn.
 */
export interface ExchangeReleasesTable {
  id: Generated<number>;
  course_id: number;
  assignment: string;
  version: number;
  /** The copy, relative to the exchange area. */
  folder: string;
  /** The receipt checksum of the copy (see src/exchange/receipt.ts). */
  checksum: string;
  files: number;
  bytes: number;
  released_at: string;
  released_by: string | null;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
}

/** A student fetched a release (for the student page's state). */
export interface ExchangeFetchesTable {
  id: Generated<number>;
  course_id: number;
  assignment: string;
  /** The student's user name. */
  student: string;
  release_id: number;
  fetched_at: string;
}

/**
 * One submission: an immutable snapshot in the exchange's area, written completely before this
 * row. Every submission is kept; the newest counts. `student` is the user name; `user_id` is the
 * account that submitted (null once it is removed, so a new user of that name sees none of it).
 */
export interface ExchangeSubmissionsTable {
  id: Generated<number>;
  course_id: number;
  assignment: string;
  student: string;
  user_id: number | null;
  /** The hub's clock, naive UTC with microseconds: `YYYY-MM-DD HH:MM:SS.ffffff`. */
  timestamp: string;
  folder: string;
  checksum: string;
  files: number;
  bytes: number;
  /** The release this was made against (null when none was current). */
  release_id: number | null;
  /** JSON list of nbgrader's warnings (missing and extra notebooks, ...). */
  warnings: string;
}

/** Feedback released to one student: a copy of feedback/STUDENT/ASSIGNMENT/ in the exchange's area. */
export interface ExchangeFeedbackTable {
  id: Generated<number>;
  course_id: number;
  assignment: string;
  student: string;
  /** The submission's timestamp as nbgrader writes it in timestamp.txt (names the folder). */
  timestamp: string;
  folder: string;
  checksum: string;
  files: number;
  released_at: string;
  released_by: string | null;
}

/** A long operation of a course (collect, autograde, generate or release feedback). */
export interface JobsTable {
  id: Generated<number>;
  course_id: number;
  kind: string;
  assignment: string;
  /** JSON of the options it was started with. */
  options: string;
  /** 'running' | 'succeeded' | 'failed'. */
  state: string;
  done: number;
  total: number;
  failed: number;
  message: string | null;
  /** JSON of the outcome, once finished. */
  result: string | null;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface CourseTables {
  courses: CoursesTable;
  course_roles: CourseRolesTable;
  exchange_releases: ExchangeReleasesTable;
  exchange_fetches: ExchangeFetchesTable;
  exchange_submissions: ExchangeSubmissionsTable;
  exchange_feedback: ExchangeFeedbackTable;
  jobs: JobsTable;
}
