/**
 * The exchange's rows: releases, fetches, submissions and released feedback (see
 * ../tables/courses.ts). Each row points at a folder in the exchange's file area that was complete
 * before the row was written; the rules are the exchange layer's (src/exchange/).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type {
  ExchangeFeedbackTable,
  ExchangeReleasesTable,
  ExchangeSubmissionsTable,
} from '../tables/courses.js';

export interface ReleaseRow {
  id: number;
  courseId: number;
  assignment: string;
  version: number;
  folder: string;
  checksum: string;
  files: number;
  bytes: number;
  releasedAt: string;
  releasedBy: string | null;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
}

export interface SubmissionRow {
  id: number;
  courseId: number;
  assignment: string;
  student: string;
  userId: number | null;
  timestamp: string;
  folder: string;
  checksum: string;
  files: number;
  bytes: number;
  releaseId: number | null;
  warnings: string[];
}

export interface FeedbackRow {
  id: number;
  courseId: number;
  assignment: string;
  student: string;
  timestamp: string;
  folder: string;
  checksum: string;
  files: number;
  releasedAt: string;
  releasedBy: string | null;
}

export interface FetchRow {
  assignment: string;
  releaseId: number;
  fetchedAt: string;
}

function toRelease(r: Selectable<ExchangeReleasesTable>): ReleaseRow {
  return {
    id: r.id,
    courseId: r.course_id,
    assignment: r.assignment,
    version: r.version,
    folder: r.folder,
    checksum: r.checksum,
    files: r.files,
    bytes: Number(r.bytes),
    releasedAt: r.released_at,
    releasedBy: r.released_by,
    withdrawnAt: r.withdrawn_at,
    withdrawnBy: r.withdrawn_by,
  };
}

function parseWarnings(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

function toSubmission(r: Selectable<ExchangeSubmissionsTable>): SubmissionRow {
  return {
    id: r.id,
    courseId: r.course_id,
    assignment: r.assignment,
    student: r.student,
    userId: r.user_id,
    timestamp: r.timestamp,
    folder: r.folder,
    checksum: r.checksum,
    files: r.files,
    bytes: Number(r.bytes),
    releaseId: r.release_id,
    warnings: parseWarnings(r.warnings),
  };
}

function toFeedback(r: Selectable<ExchangeFeedbackTable>): FeedbackRow {
  return {
    id: r.id,
    courseId: r.course_id,
    assignment: r.assignment,
    student: r.student,
    timestamp: r.timestamp,
    folder: r.folder,
    checksum: r.checksum,
    files: r.files,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
  };
}

export class ExchangeStore {
  constructor(private readonly db: Kysely<Database>) {}

  // --- releases

  async insertRelease(release: Omit<ReleaseRow, 'id' | 'withdrawnAt' | 'withdrawnBy'>): Promise<ReleaseRow> {
    const row = await this.db
      .insertInto('exchange_releases')
      .values({
        course_id: release.courseId,
        assignment: release.assignment,
        version: release.version,
        folder: release.folder,
        checksum: release.checksum,
        files: release.files,
        bytes: release.bytes,
        released_at: release.releasedAt,
        released_by: release.releasedBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRelease(row);
  }

  /** Every release of the course (of one assignment), oldest first. */
  async releases(courseId: number, assignment?: string): Promise<ReleaseRow[]> {
    let query = this.db.selectFrom('exchange_releases').selectAll().where('course_id', '=', courseId);
    if (assignment !== undefined) query = query.where('assignment', '=', assignment);
    return (await query.orderBy('assignment').orderBy('version').execute()).map(toRelease);
  }

  async releaseById(id: number): Promise<ReleaseRow | undefined> {
    const row = await this.db
      .selectFrom('exchange_releases')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRelease(row);
  }

  async withdraw(id: number, at: string, by: string | null): Promise<void> {
    await this.db
      .updateTable('exchange_releases')
      .set({ withdrawn_at: at, withdrawn_by: by })
      .where('id', '=', id)
      .execute();
  }

  // --- fetches

  async insertFetch(courseId: number, assignment: string, student: string, releaseId: number, at: string) {
    await this.db
      .insertInto('exchange_fetches')
      .values({ course_id: courseId, assignment, student, release_id: releaseId, fetched_at: at })
      .execute();
  }

  /** The student's last fetch of each assignment of the course. */
  async lastFetches(courseId: number, student: string): Promise<Map<string, FetchRow>> {
    const rows = await this.db
      .selectFrom('exchange_fetches')
      .select(['assignment', 'release_id', 'fetched_at'])
      .where('course_id', '=', courseId)
      .where('student', '=', student)
      .orderBy('id')
      .execute();
    const last = new Map<string, FetchRow>();
    for (const r of rows)
      last.set(r.assignment, { assignment: r.assignment, releaseId: r.release_id, fetchedAt: r.fetched_at });
    return last;
  }

  // --- submissions

  async insertSubmission(submission: Omit<SubmissionRow, 'id'>): Promise<SubmissionRow> {
    const row = await this.db
      .insertInto('exchange_submissions')
      .values({
        course_id: submission.courseId,
        assignment: submission.assignment,
        student: submission.student,
        user_id: submission.userId,
        timestamp: submission.timestamp,
        folder: submission.folder,
        checksum: submission.checksum,
        files: submission.files,
        bytes: submission.bytes,
        release_id: submission.releaseId,
        warnings: JSON.stringify(submission.warnings),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSubmission(row);
  }

  /** Submissions of the course, oldest first, narrowed by assignment, student name or account. */
  async submissions(
    courseId: number,
    filter: { assignment?: string; student?: string; userId?: number } = {},
  ): Promise<SubmissionRow[]> {
    let query = this.db.selectFrom('exchange_submissions').selectAll().where('course_id', '=', courseId);
    if (filter.assignment !== undefined) query = query.where('assignment', '=', filter.assignment);
    if (filter.student !== undefined) query = query.where('student', '=', filter.student);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    const rows = await query
      .orderBy('assignment')
      .orderBy('student')
      .orderBy('timestamp')
      .orderBy('id')
      .execute();
    return rows.map(toSubmission);
  }

  async submissionById(id: number): Promise<SubmissionRow | undefined> {
    const row = await this.db
      .selectFrom('exchange_submissions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSubmission(row);
  }

  // --- feedback

  async insertFeedback(feedback: Omit<FeedbackRow, 'id'>): Promise<FeedbackRow> {
    const row = await this.db
      .insertInto('exchange_feedback')
      .values({
        course_id: feedback.courseId,
        assignment: feedback.assignment,
        student: feedback.student,
        timestamp: feedback.timestamp,
        folder: feedback.folder,
        checksum: feedback.checksum,
        files: feedback.files,
        released_at: feedback.releasedAt,
        released_by: feedback.releasedBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toFeedback(row);
  }

  /** Released feedback of the course, oldest first, narrowed by assignment and student. */
  async feedback(
    courseId: number,
    filter: { assignment?: string; student?: string } = {},
  ): Promise<FeedbackRow[]> {
    let query = this.db.selectFrom('exchange_feedback').selectAll().where('course_id', '=', courseId);
    if (filter.assignment !== undefined) query = query.where('assignment', '=', filter.assignment);
    if (filter.student !== undefined) query = query.where('student', '=', filter.student);
    const rows = await query.orderBy('assignment').orderBy('student').orderBy('timestamp').execute();
    return rows.map(toFeedback);
  }

  async deleteFeedback(id: number): Promise<void> {
    await this.db.deleteFrom('exchange_feedback').where('id', '=', id).execute();
  }

  /** Every folder a row points at (the sweep at start removes the others). */
  async recordedFolders(): Promise<Set<string>> {
    const [releases, submissions, feedback] = await Promise.all([
      this.db.selectFrom('exchange_releases').select('folder').execute(),
      this.db.selectFrom('exchange_submissions').select('folder').execute(),
      this.db.selectFrom('exchange_feedback').select('folder').execute(),
    ]);
    return new Set([...releases, ...submissions, ...feedback].map((r) => r.folder));
  }
}
