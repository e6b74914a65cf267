/**
 * The released feedback pages, for the hub's pages to show in the browser: which ones a person may
 * see (a student their own; instructors and graders every student's) and one page's bytes. The
 * pages were rendered by the sanitizing renderer (src/render/) when generate_feedback wrote them;
 * the route that serves them adds a Content-Security-Policy of its own on top.
 */
import { CourseNotFoundError } from './errors.js';
import { ANY_ROLE, courseFor, GRADING_ROLES, type Actor, type ExchangeContext } from './exchange-context.js';

export interface ReleasedFeedback {
  id: number;
  student: string;
  assignment: string;
  /** The time stamp of the submission the feedback grades. */
  timestamp: string;
  releasedAt: string;
  /** The HTML pages, e.g. ['p1.html']. */
  pages: string[];
}

async function mayGrade(context: ExchangeContext, courseId: string, actor: Actor): Promise<boolean> {
  if (actor.admin) return true;
  const role = await context.courses.roleOf(courseId, actor.name);
  return role !== undefined && GRADING_ROLES.includes(role);
}

/**
 * Released feedback of the course: the actor's own, or (instructors, graders, admins) everyone's
 * or one student's. A student asking for another student's gets their own only.
 */
export async function releasedFeedback(
  context: ExchangeContext,
  courseId: string,
  actor: Actor,
  options: { student?: string } = {},
): Promise<ReleasedFeedback[]> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  const everyone = await mayGrade(context, course.name, actor);
  const student = everyone ? options.student : actor.name;
  const rows = await context.stores.exchange.feedback(course.id, student !== undefined ? { student } : {});
  const listed: ReleasedFeedback[] = [];
  for (const row of rows) {
    const files = await context.area.read(row.folder);
    listed.push({
      id: row.id,
      student: row.student,
      assignment: row.assignment,
      timestamp: row.timestamp,
      releasedAt: row.releasedAt,
      pages: files.map((file) => file.path).sort(),
    });
  }
  return listed;
}

/** One released feedback page, if the actor may see it (their own, or they grade the course). */
export async function readFeedbackPage(
  context: ExchangeContext,
  courseId: string,
  feedbackId: number,
  page: string,
  actor: Actor,
): Promise<{ feedback: ReleasedFeedback; data: Buffer }> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  const everyone = await mayGrade(context, course.name, actor);
  const rows = await context.stores.exchange.feedback(course.id, everyone ? {} : { student: actor.name });
  const row = rows.find((r) => r.id === feedbackId);
  const notFound = () =>
    new CourseNotFoundError(`There is no feedback page ${page} (${feedbackId}) of ${course.name} for you.`, {
      hint: 'Open the feedback from your course page.',
    });
  if (!row) throw notFound();
  const files = await context.area.read(row.folder);
  const file = files.find((f) => f.path === page);
  if (!file) throw notFound();
  return {
    feedback: {
      id: row.id,
      student: row.student,
      assignment: row.assignment,
      timestamp: row.timestamp,
      releasedAt: row.releasedAt,
      pages: files.map((f) => f.path).sort(),
    },
    data: file.data,
  };
}
