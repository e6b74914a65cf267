/**
 * Long operations of a course (collect, autograde, generate and release feedback) as rows, so a
 * page that reloads finds them again and a restarted hub knows which ones it lost.
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../schema-helpers.js';
import type { Database } from '../schema.js';
import type { JobsTable } from '../tables/courses.js';

export type JobState = 'running' | 'succeeded' | 'failed';

export interface JobRow {
  id: number;
  courseId: number;
  kind: string;
  assignment: string;
  options: Record<string, unknown>;
  state: JobState;
  done: number;
  total: number;
  failed: number;
  message: string | null;
  result: unknown;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function toJob(r: Selectable<JobsTable>): JobRow {
  return {
    id: r.id,
    courseId: r.course_id,
    kind: r.kind,
    assignment: r.assignment,
    options: (parseJson(r.options) as Record<string, unknown> | null) ?? {},
    state: r.state as JobState,
    done: r.done,
    total: r.total,
    failed: r.failed,
    message: r.message,
    result: parseJson(r.result),
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

export class JobStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(job: {
    courseId: number;
    kind: string;
    assignment: string;
    options: Record<string, unknown>;
    createdBy: string | null;
  }): Promise<JobRow> {
    const row = await this.db
      .insertInto('jobs')
      .values({
        course_id: job.courseId,
        kind: job.kind,
        assignment: job.assignment,
        options: JSON.stringify(job.options),
        state: 'running',
        done: 0,
        total: 0,
        failed: 0,
        created_by: job.createdBy,
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJob(row);
  }

  async find(id: number): Promise<JobRow | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  /** The course's jobs, newest first (at most `limit`). */
  async ofCourse(courseId: number, limit = 50): Promise<JobRow[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('course_id', '=', courseId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  async running(courseId: number, kind: string, assignment: string): Promise<JobRow | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('course_id', '=', courseId)
      .where('kind', '=', kind)
      .where('assignment', '=', assignment)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return row && toJob(row);
  }

  async progress(
    id: number,
    progress: { done: number; total: number; failed: number; message?: string | null },
  ) {
    await this.db
      .updateTable('jobs')
      .set({
        done: progress.done,
        total: progress.total,
        failed: progress.failed,
        ...(progress.message !== undefined ? { message: progress.message } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async finish(id: number, state: 'succeeded' | 'failed', message: string | null, result: unknown) {
    await this.db
      .updateTable('jobs')
      .set({ state, message, result: JSON.stringify(result ?? null), finished_at: nowIso() })
      .where('id', '=', id)
      .execute();
  }

  /** Marks every running job failed (a restarted hub no longer runs them); how many there were. */
  async failRunning(message: string): Promise<number> {
    const result = await this.db
      .updateTable('jobs')
      .set({ state: 'failed', message, finished_at: nowIso() })
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
