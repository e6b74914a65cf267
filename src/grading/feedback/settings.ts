/**
 * The settings generate_feedback honours. nbgrader 0.9.5 shows hidden tests in feedback; the
 * class-workflow issue requires that students never see them, so coursehub removes them by
 * default. `GenerateFeedback.show_hidden_tests = True` in nbgrader_config.py shows them as
 * nbgrader does. The delimiters are generate's (ClearHiddenTests, ClearMarkScheme).
 */
import {
  DEFAULT_COURSE_DIRECTORY,
  nbgraderSettings,
  type CourseDirectorySettings,
  type NbgraderSettings,
} from '../nbgrader-config.js';

export interface FeedbackSettings {
  /** Show hidden tests (and what they printed) as nbgrader 0.9.5 does. Default false: removed. */
  showHiddenTests: boolean;
  hiddenTests: { beginDelimiter: string; endDelimiter: string };
  markScheme: { beginDelimiter: string; endDelimiter: string };
  /** CourseDirectory.*: where the autograded notebooks are and where feedback goes. */
  courseDirectory: CourseDirectorySettings;
}

export function feedbackSettingsFrom(settings: NbgraderSettings): FeedbackSettings {
  return {
    showHiddenTests: settings.generateFeedback.showHiddenTests,
    hiddenTests: {
      beginDelimiter: settings.clearHiddenTests.beginDelimiter,
      endDelimiter: settings.clearHiddenTests.endDelimiter,
    },
    markScheme: {
      beginDelimiter: settings.clearMarkScheme.beginDelimiter,
      endDelimiter: settings.clearMarkScheme.endDelimiter,
    },
    courseDirectory: settings.courseDirectory,
  };
}

/** nbgrader's defaults, with hidden tests removed. */
export const DEFAULT_FEEDBACK_SETTINGS: FeedbackSettings = {
  ...feedbackSettingsFrom(nbgraderSettings()),
  courseDirectory: DEFAULT_COURSE_DIRECTORY,
};
