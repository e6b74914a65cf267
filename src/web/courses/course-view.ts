/**
 * What the course page shows a user, by their role in the course: a student gets the student view
 * (their own assignments, receipts and feedback), instructors, graders and admins the instructor
 * view. Someone without a role gets CourseRoleError (nothing of the course is read for them).
 */
import type { CourseService, HubCourseRow } from '../../exchange/courses/course-service.js';
import type { Actor, Exchange } from '../../exchange/exchange.js';
import type { ReleasedFeedback } from '../../exchange/feedback-pages.js';
import type { ListedAssignment } from '../../exchange/list.js';
import type { Receipt } from '../../exchange/receipts.js';
import type { CourseJobs } from '../../hub/courses/course-jobs.js';
import type { CourseWork } from '../../hub/courses/course-work.js';
import type { GradebookReports } from '../../hub/courses/gradebook-reports.js';
import type { InstructorView } from './instructor-page.js';

export type CoursePageView =
  | {
      kind: 'student';
      student: {
        course: HubCourseRow;
        assignments: ListedAssignment[];
        feedback: ReleasedFeedback[];
        receipts: Receipt[];
      };
    }
  | { kind: 'instructor'; instructor: InstructorView };

export async function coursePageView(
  deps: {
    courses: CourseService;
    exchange: Exchange;
    work: CourseWork;
    jobs: CourseJobs;
    gradebook: GradebookReports;
  },
  courseId: string,
  actor: Actor,
): Promise<CoursePageView> {
  const course = actor.admin
    ? { ...(await deps.courses.require(courseId)), role: 'instructor' as const }
    : await deps.courses.requireRole(courseId, actor.name, ['instructor', 'grader', 'student']);
  const listed = await deps.exchange.list(course.name, actor);
  const feedback = await deps.exchange.releasedFeedback(course.name, actor);
  if (course.role === 'student')
    return {
      kind: 'student',
      student: {
        course,
        assignments: listed.assignments,
        feedback,
        receipts: await deps.exchange.receipts(course.name, actor),
      },
    };
  const graded = await deps.work.gradebook(course.name, actor);
  // While names are hidden, no row of the page puts a student's name beside their grades (the
  // gradebook pages show pseudonyms instead).
  const anonymous = await deps.gradebook.isAnonymous(course.name, actor);
  const table = anonymous ? { ...graded, students: [], cells: {} } : graded;
  // A grader then sees no student's name at all (instructors keep the roster they manage).
  const namesHidden = anonymous && course.role === 'grader';
  const members = await deps.courses.members(course.name);
  const names = new Set([
    ...(await deps.work.sourceAssignments(course.name, actor)),
    ...table.assignments.map((a) => a.name),
    ...listed.assignments.map((a) => a.assignment),
  ]);
  return {
    kind: 'instructor',
    instructor: {
      course,
      role: course.role,
      assignments: [...names].sort(),
      released: listed.assignments,
      table,
      anonymous,
      jobs: await deps.jobs.ofCourse(course.name, actor),
      members: namesHidden ? members.filter((m) => m.role !== 'student') : members,
      extensions: namesHidden ? [] : await deps.work.extensions(course.name, actor),
      feedback: anonymous ? [] : feedback,
    },
  };
}
