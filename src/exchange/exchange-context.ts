/**
 * What every exchange operation works with: the stores, the course service (who may do what), the
 * exchange's file area, the users' files (a port the hub fills with the spawner's storage), the
 * limits of a submission, the clock, and checkpoints (named moments a crash test stops at).
 */
import type { CourseStores } from '../db/stores/course-stores.js';
import type { KernelLauncher } from '../grading/execution.js';
import type { FolderLimits, FolderTransfer } from '../sandbox/folder-archive.js';
import type { CourseRoleName, CourseService, HubCourseRow } from './courses/course-service.js';
import type { ExchangeArea } from './exchange-area.js';

/**
 * A user's files, reached with the user's own rights whether or not their server runs: the part of
 * the spawner's UserStorage (src/hub/spawner/spawner.ts) the exchange uses.
 */
export type UserFolders = FolderTransfer;

/** Who asks: a hub user, and whether they are an admin (an admin may do what an instructor may). */
export interface Actor {
  name: string;
  admin?: boolean;
}

export interface ExchangeContext {
  stores: CourseStores;
  courses: CourseService;
  area: ExchangeArea;
  userFolders: (userName: string) => UserFolders;
  limits: FolderLimits;
  /** nbgrader's CourseDirectory.ignore: names never submitted (checkpoints, caches, feedback/). */
  ignore: readonly string[];
  now: () => Date;
  /** Called at named moments of an operation (crash tests stop a child process there). */
  checkpoint: (point: string) => Promise<void>;
  /**
   * Sandboxed kernels for AUTOTEST directives when release generates first (the hub's grading
   * launcher); without one, such notebooks are refused with generate's hint.
   */
  launcher?: () => KernelLauncher;
}

export const INSTRUCTOR_ROLES: readonly CourseRoleName[] = ['instructor'];
export const GRADING_ROLES: readonly CourseRoleName[] = ['instructor', 'grader'];
export const ANY_ROLE: readonly CourseRoleName[] = ['instructor', 'grader', 'student'];

/** The course, if the actor has one of `roles` in it (an admin has every role). */
export async function courseFor(
  context: ExchangeContext,
  courseId: string,
  actor: Actor,
  roles: readonly CourseRoleName[],
): Promise<HubCourseRow> {
  if (actor.admin) return context.courses.require(courseId);
  return context.courses.requireRole(courseId, actor.name, roles);
}
