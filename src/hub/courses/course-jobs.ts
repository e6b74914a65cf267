/**
 * Long operations of a course run as jobs in the hub process: collect (every student's latest
 * submission), autograde (of the collected submissions) and feedback (generate_feedback, then
 * release_feedback). Each is a row in the jobs table with its state and progress, so the page
 * that started it finds it again after a reload; a restarted hub marks the ones it lost as failed
 * (`failInterrupted`), and they can simply be run again: every step is idempotent.
 * The role is checked before the row is written: who may not run it leaves no trace.
 */
import type { CourseStores } from '../../db/stores/course-stores.js';
import type { JobRow } from '../../db/stores/jobs.js';
import type { Actor, Exchange } from '../../exchange/exchange.js';
import { checkFolderName } from '../../exchange/courses/course-names.js';
import { CourseNotFoundError } from '../../exchange/errors.js';
import { CoursehubError } from '../../util/errors.js';
import { GRADERS, type CourseWork } from './course-work.js';

/** The page's jobs (its buttons); the REST API also starts `generate_feedback` (no release). */
export const JOB_KINDS = ['collect', 'autograde', 'feedback'] as const;
export type JobKind = (typeof JOB_KINDS)[number] | 'generate_feedback';

/** What the command line may narrow a job to: `--student S`, `--force`. */
export interface JobOptions {
  student?: string;
  force?: boolean;
}

export type { JobRow } from '../../db/stores/jobs.js';

interface Progress {
  done: number;
  total: number;
  failed: number;
  message?: string | null;
}

const describe = (error: unknown) =>
  error instanceof CoursehubError ? error.describe() : error instanceof Error ? error.message : String(error);

export class CourseJobs {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly stores: CourseStores,
    private readonly work: CourseWork,
    private readonly exchange: Exchange,
    private readonly log: { error: (object: object, message: string) => void },
  ) {}

  /** Starts a job (or finds the same one still running); the job runs on after this returns. */
  async start(
    courseId: string,
    kind: JobKind,
    assignment: string,
    actor: Actor,
    options: JobOptions = {},
  ): Promise<JobRow> {
    const course = await this.work.courseFor(courseId, actor, GRADERS);
    // Refused here, before a row is written: a job that could only fail is no job.
    checkFolderName('assignment', assignment);
    if (options.student !== undefined) checkFolderName('student', options.student);
    const already = await this.stores.jobs.running(course.id, kind, assignment);
    if (already) {
      const same = (already.options as JobOptions).student === options.student;
      if (same) return already;
      // Two runs of one kind over the same assignment's folders at once would race each other.
      throw new CoursehubError(`A ${kind} of ${assignment} is running already (job ${already.id}).`, {
        hint: 'Wait for it to finish (its progress is on the course page), then start this one.',
      });
    }
    const job = await this.stores.jobs.insert({
      courseId: course.id,
      kind,
      assignment,
      options: { ...options },
      createdBy: actor.name,
    });
    const run = this.run(job, course.name, actor).finally(() => this.running.delete(run));
    this.running.add(run);
    return job;
  }

  private async run(job: JobRow, course: string, actor: Actor): Promise<void> {
    const progress = (p: Progress) => this.stores.jobs.progress(job.id, p);
    try {
      const { result, message, failed } = await this.perform(
        job.kind as JobKind,
        course,
        job.assignment,
        actor,
        progress,
        job.options as JobOptions,
      );
      await this.stores.jobs.finish(job.id, failed ? 'failed' : 'succeeded', message, result);
    } catch (error) {
      if (!(error instanceof CoursehubError))
        this.log.error({ err: error, job: job.id }, 'course job failed');
      await this.stores.jobs.finish(job.id, 'failed', describe(error), null).catch(() => undefined);
    }
  }

  private async perform(
    kind: JobKind,
    course: string,
    assignment: string,
    actor: Actor,
    progress: (p: Progress) => Promise<void>,
    options: JobOptions,
  ): Promise<{ result: unknown; message: string; failed: boolean }> {
    const narrowed = {
      students: options.student === undefined ? undefined : [options.student],
      force: options.force,
    };
    switch (kind) {
      case 'collect': {
        await progress({ done: 0, total: 1, failed: 0, message: 'collecting' });
        const result = await this.exchange.collect(course, assignment, actor, {
          update: true,
          ...(options.student === undefined ? {} : { student: options.student }),
        });
        await progress({ done: 1, total: 1, failed: 0 });
        return {
          result,
          message: `collected ${result.collected.length}, unchanged ${result.skipped.length}`,
          failed: false,
        };
      }
      case 'autograde': {
        let pending = Promise.resolve();
        const result = await this.work.autograde(
          course,
          assignment,
          actor,
          (p) => {
            pending = pending.then(() => progress({ done: p.done, total: p.total, failed: p.failed }));
          },
          narrowed,
        );
        await pending;
        const count = (status: string) => result.outcomes.filter((o) => o.status === status).length;
        const failures = result.outcomes.filter((o) => o.status === 'failed');
        await progress({
          done: result.outcomes.length,
          total: result.outcomes.length,
          failed: failures.length,
        });
        return {
          result: result.outcomes,
          message:
            `graded ${count('graded')}, failed ${failures.length}, skipped ${count('skipped')}` +
            failures.map((f) => `\n${f.student}: ${f.message ?? 'failed'}`).join(''),
          failed: failures.length > 0 || result.aborted,
        };
      }
      case 'generate_feedback': {
        await progress({ done: 0, total: 1, failed: 0, message: 'generating feedback' });
        const generated = await this.work.generateFeedback(course, assignment, actor, narrowed);
        const failures = generated.outcomes.filter((o) => o.status === 'failed');
        await progress({ done: 1, total: 1, failed: failures.length });
        return {
          result: generated.outcomes,
          message:
            `generated ${generated.outcomes.filter((o) => o.status === 'generated').length}, ` +
            `failed ${failures.length}` +
            failures.map((f) => `\n${f.student}: ${f.message ?? 'failed'}`).join(''),
          failed: failures.length > 0,
        };
      }
      case 'feedback': {
        await progress({ done: 0, total: 2, failed: 0, message: 'generating feedback' });
        const generated = await this.work.generateFeedback(course, assignment, actor);
        const failures = generated.outcomes.filter((o) => o.status === 'failed');
        await progress({ done: 1, total: 2, failed: failures.length, message: 'releasing feedback' });
        const released = await this.exchange.releaseFeedback(course, assignment, actor);
        await progress({ done: 2, total: 2, failed: failures.length });
        return {
          result: { generated: generated.outcomes, released },
          message:
            `generated ${generated.outcomes.filter((o) => o.status === 'generated').length}, ` +
            `released ${released.released.length}, unchanged ${released.unchanged.length}` +
            failures.map((f) => `\n${f.student}: ${f.message ?? 'failed'}`).join(''),
          failed: failures.length > 0,
        };
      }
    }
  }

  /** A job of the course, if the actor may see the course's jobs. */
  async find(courseId: string, jobId: number, actor: Actor): Promise<JobRow> {
    const course = await this.work.courseFor(courseId, actor, GRADERS);
    const job = await this.stores.jobs.find(jobId);
    if (!job || job.courseId !== course.id)
      throw new CourseNotFoundError(`There is no job ${jobId} of ${course.name}.`, {
        hint: 'Reload the course page to see its jobs.',
      });
    return job;
  }

  /** The course's latest jobs, newest first. */
  async ofCourse(courseId: string, actor: Actor): Promise<JobRow[]> {
    const course = await this.work.courseFor(courseId, actor, GRADERS);
    return this.stores.jobs.ofCourse(course.id, 20);
  }

  /** At the hub's start: jobs a previous hub process was running are lost; mark them failed. */
  failInterrupted(): Promise<number> {
    return this.stores.jobs.failRunning('The hub restarted while this ran; run it again.');
  }

  /** Resolves when every job this process started has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
