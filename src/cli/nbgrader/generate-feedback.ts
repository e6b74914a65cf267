/**
 * `coursehub nbgrader generate_feedback ASSIGNMENT`: autograded/STUDENT/ASSIGNMENT ->
 * feedback/STUDENT/ASSIGNMENT/NOTEBOOK.html with the gradebook's scores and comments, as
 * `nbgrader generate_feedback` does (its log lines on stderr), except that hidden tests are
 * removed unless nbgrader_config.py sets `c.GenerateFeedback.show_hidden_tests = True`. Exits 1
 * when any student's feedback failed, as nbgrader does.
 */
import { Command } from 'commander';
import { generateFeedback } from '../../gradebook/feedback/generate-feedback.js';
import { feedbackSettingsFrom } from '../../grading/feedback/index.js';
import { openCourse } from './course-settings.js';
import { hubGenerateFeedback, withHubCourse, type HubCourseFlags } from './hub-course.js';

interface FeedbackFlags extends HubCourseFlags {
  student?: string[];
  force?: boolean;
  courseDir: string;
}

export function generateFeedbackCommand(): Command {
  const command = new Command('generate_feedback')
    .description(
      'Write the feedback pages (one HTML file per notebook, with scores and comments, hidden tests removed) ' +
        'into COURSE/feedback/STUDENT/ASSIGNMENT/.',
    )
    .argument('<assignment>', 'the assignment to write feedback for')
    .option('--student <id...>', 'only these students')
    .option('-f, --force', 'write the feedback again even if it exists')
    .option('--course-dir <dir>', 'the nbgrader course directory', '.')
    .showHelpAfterError()
    .exitOverride();
  return withHubCourse(command).action(async (assignment: string, flags: FeedbackFlags) => {
    if (flags.course) return hubGenerateFeedback(assignment, { ...flags, course: flags.course });
    const course = await openCourse(flags.courseDir);
    try {
      const settings = feedbackSettingsFrom(course.settings);
      if (settings.showHiddenTests)
        console.error(
          '[WARNING] GenerateFeedback.show_hidden_tests is set: students will see the hidden tests.',
        );
      const result = await generateFeedback({
        store: course.gradebook.store,
        courseId: course.gradebook.courseId,
        courseDir: course.courseDir,
        assignment,
        students: flags.student,
        force: flags.force ?? false,
        settings,
        log: (level, message) => console.error(`[${level.toUpperCase()}] ${message}`),
      });
      for (const outcome of result.outcomes) {
        const files = outcome.files.filter((f) => f.endsWith('.html')).join(', ');
        console.log(`${outcome.student}: ${outcome.status}${files ? ` (${files})` : ''}`);
      }
      if (result.outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
    } finally {
      await course.gradebook.close();
    }
  });
}
