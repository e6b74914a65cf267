/**
 * release_assignment's first step when the course has no release/ASSIGNMENT/ yet: nbgrader's
 * generate_assignment over the course directory (src/course/), its cells stored in the hub's
 * gradebook in the same transaction that moves the release into place (as `coursehub nbgrader
 * generate_assignment` does), so autograde finds them. AUTOTEST directives are expanded in the
 * hub's sandboxed kernels (the context's launcher), as the page's Generate does.
 */
import { generateAssignment } from '../course/generate-assignment.js';
import { ensureCourse } from '../gradebook/courses.js';
import { storeGeneratedAssignment } from '../gradebook/store-generated.js';
import { GenerateError } from '../grading/generate/index.js';
import type { HubCourseRow } from './courses/course-service.js';
import { ReleaseGenerateError } from './errors.js';
import type { ExchangeContext } from './exchange-context.js';

export interface GeneratedForRelease {
  /** The released notebooks generate wrote, sorted. */
  notebooks: string[];
  /** The other files it copied, sorted. */
  files: string[];
}

export async function generateForRelease(
  context: ExchangeContext,
  course: HubCourseRow,
  assignment: string,
): Promise<GeneratedForRelease> {
  try {
    const result = await generateAssignment({
      courseDir: course.directory,
      assignment,
      ...(context.launcher ? { launcher: context.launcher() } : {}),
      async publish(record, commit) {
        if (!record) return commit();
        await context.stores.transaction(async (trx) => {
          const gradebookCourse = await ensureCourse(trx.gradebook, course.name);
          await storeGeneratedAssignment(trx.gradebook, gradebookCourse, record);
          await commit();
        });
      },
    });
    return { notebooks: result.notebooks, files: result.files };
  } catch (error) {
    if (!(error instanceof GenerateError)) throw error;
    // generate's own words (notebook, cell and grade id first), said to be release's first step.
    throw new ReleaseGenerateError(
      `release_assignment generates ${assignment} of ${course.name} first (there is no release/${assignment} yet), and generate_assignment refused: ${error.message}`,
      error.location,
      {
        hint: `${error.hint ? `${error.hint} ` : ''}Fix source/${assignment}/ and release again; nothing was released.`,
        cause: error,
      },
    );
  }
}
