/**
 * list: what a person sees of a course's exchange. Everyone: the released assignments (current
 * version, due date) and, for themselves, whether they fetched, their submissions (receipts) and
 * the feedback released to them. Instructors and graders also get the number of students who
 * submitted each. Never another student's submissions or feedback.
 */
import { ensureCourse, listAssignments, listExtensions } from '../gradebook/courses.js';
import { formatNaiveUtc, parseNaiveUtc } from '../gradebook/timestamps.js';
import { ANY_ROLE, courseFor, type Actor, type ExchangeContext } from './exchange-context.js';

export interface ListedAssignment {
  assignment: string;
  version: number;
  releasedAt: string;
  duedate: string | null;
  /**
   * The actor's own due date when they have an extension on the assignment (nbgrader's
   * Extension: the due date plus the time given); null without one. Lateness is judged by it.
   */
  extendedDuedate: string | null;
  fetched: boolean;
  submissions: { timestamp: string; checksum: string }[];
  feedback: string[];
  /** Instructors and graders only: how many students submitted. */
  submittedBy?: number;
}

export async function listAssignmentsOf(
  context: ExchangeContext,
  courseId: string,
  actor: Actor,
): Promise<{ course: string; role: string; assignments: ListedAssignment[] }> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  const role = actor.admin
    ? 'instructor'
    : ((await context.courses.roleOf(course.name, actor.name)) ?? 'instructor');
  const { exchange, gradebook } = context.stores;
  const releases = await exchange.releases(course.id);
  const current = new Map<string, (typeof releases)[number]>();
  for (const release of releases) current.set(release.assignment, release);
  const gradebookCourse = await ensureCourse(gradebook, course.name);
  const duedates = new Map(
    (await listAssignments(gradebook, gradebookCourse)).map((a) => [a.name, a.duedate]),
  );
  const extensions = new Map(
    (await listExtensions(gradebook, gradebookCourse, actor.name)).map((e) => [e.assignment, e.seconds]),
  );
  const extended = (assignment: string): string | null => {
    const due = duedates.get(assignment);
    const seconds = extensions.get(assignment);
    if (!due || !seconds) return null;
    return formatNaiveUtc(parseNaiveUtc(due) + seconds * 1_000_000);
  };
  const fetches = await exchange.lastFetches(course.id, actor.name);
  const own = await exchange.submissions(course.id, { student: actor.name });
  const feedback = await exchange.feedback(course.id, { student: actor.name });
  const everyone = role === 'student' ? [] : await exchange.submissions(course.id);
  const listed: ListedAssignment[] = [];
  for (const [assignment, release] of [...current.entries()].sort()) {
    if (release.withdrawnAt !== null) continue;
    listed.push({
      assignment,
      version: release.version,
      releasedAt: release.releasedAt,
      duedate: duedates.get(assignment) ?? null,
      extendedDuedate: extended(assignment),
      fetched: fetches.has(assignment),
      submissions: own
        .filter((row) => row.assignment === assignment)
        .map((row) => ({ timestamp: row.timestamp, checksum: row.checksum })),
      feedback: feedback.filter((row) => row.assignment === assignment).map((row) => row.timestamp),
      ...(role === 'student'
        ? {}
        : {
            submittedBy: new Set(
              everyone.filter((row) => row.assignment === assignment).map((row) => row.student),
            ).size,
          }),
    });
  }
  return { course: course.name, role, assignments: listed };
}
