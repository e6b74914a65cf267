/**
 * The exchange as one service: release / unrelease / fetch / submit / collect / list /
 * release_feedback / fetch_feedback over the stores, the exchange's file area and the users'
 * files (see ./exchange-context.ts). No HTTP here: the REST API, the pages and the CLI call it.
 * `sweep` runs at the hub's start: it removes what a killed operation left in the area.
 */
import { join } from 'node:path';
import type { CourseStores } from '../db/stores/course-stores.js';
import type { KernelLauncher } from '../grading/execution.js';
import type { FolderLimits } from '../sandbox/folder-archive.js';
import { collectSubmissions, type CollectResult } from './collect.js';
import type { CourseService } from './courses/course-service.js';
import { ExchangeArea } from './exchange-area.js';
import type { Actor, ExchangeContext, UserFolders } from './exchange-context.js';
import {
  fetchFeedback,
  releaseFeedback,
  type FetchFeedbackResult,
  type ReleaseFeedbackResult,
} from './feedback.js';
import { readFeedbackPage, releasedFeedback, type ReleasedFeedback } from './feedback-pages.js';
import { fetchAssignment, releasedFilesFor, type FetchResult } from './fetch.js';
import { listAssignmentsOf } from './list.js';
import { previewRelease, type ReleasePreview } from './preview.js';
import { ownReceipts, type Receipt } from './receipts.js';
import { releaseAssignment, unreleaseAssignment, type ReleaseResult } from './release.js';
import { submitAssignment, type SubmitReceipt } from './submit.js';

export type { Actor, UserFolders } from './exchange-context.js';

/** nbgrader's CourseDirectory.ignore default: never submitted or released. */
export const DEFAULT_IGNORE = ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback'];

export interface ExchangeOptions {
  stores: CourseStores;
  courses: CourseService;
  /** The hub's data directory; the area is DATA_DIR/exchange. */
  dataDir: string;
  userFolders: (userName: string) => UserFolders;
  limits: FolderLimits;
  ignore?: readonly string[];
  now?: () => Date;
  checkpoint?: (point: string) => Promise<void>;
  /** Kernels for AUTOTEST when release generates first (made on first use). */
  launcher?: () => KernelLauncher;
}

const MiB = 1024 * 1024;

/** The limits of the `exchange` config section, in bytes. */
export function limitsFromConfig(section: {
  maxFileMb: number;
  maxTotalMb: number;
  maxFiles: number;
}): FolderLimits {
  return {
    maxFileBytes: Math.floor(section.maxFileMb * MiB),
    maxTotalBytes: Math.floor(section.maxTotalMb * MiB),
    maxFiles: section.maxFiles,
  };
}

export class Exchange {
  private readonly context: ExchangeContext;

  constructor(options: ExchangeOptions) {
    this.context = {
      stores: options.stores,
      courses: options.courses,
      area: new ExchangeArea(join(options.dataDir, 'exchange')),
      userFolders: options.userFolders,
      limits: options.limits,
      ignore: options.ignore ?? DEFAULT_IGNORE,
      now: options.now ?? (() => new Date()),
      checkpoint: options.checkpoint ?? (async () => undefined),
      ...(options.launcher ? { launcher: options.launcher } : {}),
    };
  }

  release(course: string, assignment: string, actor: Actor): Promise<ReleaseResult> {
    return releaseAssignment(this.context, course, assignment, actor);
  }

  unrelease(course: string, assignment: string, actor: Actor): Promise<{ version: number }> {
    return unreleaseAssignment(this.context, course, assignment, actor);
  }

  fetch(course: string, assignment: string, actor: Actor): Promise<FetchResult> {
    return fetchAssignment(this.context, course, assignment, actor);
  }

  /** Submits COURSE/ASSIGNMENT of the actor's home, or `options.folder` below it. */
  submit(
    course: string,
    assignment: string,
    actor: Actor,
    options?: { folder?: string },
  ): Promise<SubmitReceipt> {
    return submitAssignment(this.context, course, assignment, actor, options);
  }

  /** The current release's files for the caller to write themselves (the CLI's ./ASSIGNMENT). */
  fetchFiles(course: string, assignment: string, actor: Actor) {
    return releasedFilesFor(this.context, course, assignment, actor);
  }

  collect(
    course: string,
    assignment: string,
    actor: Actor,
    options?: { student?: string; update?: boolean },
  ): Promise<CollectResult> {
    return collectSubmissions(this.context, course, assignment, actor, options);
  }

  /** The student version of an assignment (release/ASSIGNMENT/'s notebooks), for instructors and graders. */
  preview(course: string, assignment: string, actor: Actor): Promise<ReleasePreview> {
    return previewRelease(this.context, course, assignment, actor);
  }

  list(course: string, actor: Actor) {
    return listAssignmentsOf(this.context, course, actor);
  }

  releaseFeedback(
    course: string,
    assignment: string,
    actor: Actor,
    options?: { student?: string },
  ): Promise<ReleaseFeedbackResult> {
    return releaseFeedback(this.context, course, assignment, actor, options);
  }

  fetchFeedback(course: string, assignment: string, actor: Actor): Promise<FetchFeedbackResult> {
    return fetchFeedback(this.context, course, assignment, actor);
  }

  /** Released feedback the actor may see: their own, or (graders) everyone's or one student's. */
  releasedFeedback(
    course: string,
    actor: Actor,
    options?: { student?: string },
  ): Promise<ReleasedFeedback[]> {
    return releasedFeedback(this.context, course, actor, options);
  }

  /** The receipts of the actor's own submissions, with nbgrader's warnings. */
  receipts(course: string, actor: Actor): Promise<Receipt[]> {
    return ownReceipts(this.context, course, actor);
  }

  /** One released feedback page, if the actor may see it. */
  feedbackPage(course: string, feedbackId: number, page: string, actor: Actor) {
    return readFeedbackPage(this.context, course, feedbackId, page, actor);
  }

  /** Removes partial and unrecorded folders of the area (run at start); what it removed. */
  async sweep(): Promise<string[]> {
    return this.context.area.sweep(await this.context.stores.exchange.recordedFolders());
  }
}
