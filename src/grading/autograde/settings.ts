/**
 * The nbgrader settings autograde honours, with nbgrader 0.9.5's defaults. The CLI fills them from
 * the course's nbgrader_config.py; tests and the hub may build them directly.
 */
import {
  DEFAULT_COURSE_DIRECTORY,
  type CourseDirectorySettings,
  type NbgraderSettings,
} from '../nbgrader-config.js';

export interface AutogradeSettings {
  /** Execute.timeout, seconds per cell (nbgrader: 30). */
  cellTimeoutSeconds: number;
  /** LateSubmissionPlugin.penalty_method: 'none', 'zero' or a registered method. */
  penaltyMethod: string;
  /** OverwriteCells.add_missing_cells. */
  addMissingCells: boolean;
  /** OverwriteCells.missing_cell_notification; `{cell_id}` is replaced by the grade id. */
  missingCellNotification: string;
  /** IgnorePattern.enabled and IgnorePattern.pattern (a Python regular expression, used as JS). */
  ignorePatternEnabled: boolean;
  ignorePattern: string;
  /** LimitOutput.max_lines and max_traceback (-1: no limit). */
  maxOutputLines: number;
  maxTracebackLines: number;
  /** Autograde.exclude_overwriting: per assignment, files of the source kept from the student. */
  excludeOverwriting: Record<string, string[]>;
  /** CourseDirectory.*: where submissions and results are, and the names never copied (ignore). */
  courseDirectory: CourseDirectorySettings;
}

export const DEFAULT_AUTOGRADE_SETTINGS: AutogradeSettings = {
  cellTimeoutSeconds: 30,
  penaltyMethod: 'none',
  addMissingCells: false,
  missingCellNotification:
    'This cell (id:{cell_id}) was missing from the submission. It was added back by nbgrader.\n\n',
  ignorePatternEnabled: false,
  ignorePattern: '',
  maxOutputLines: 1000,
  maxTracebackLines: 100,
  excludeOverwriting: {},
  courseDirectory: DEFAULT_COURSE_DIRECTORY,
};

/** The autograde part of a course's nbgrader settings (from its nbgrader_config.py). */
export function autogradeSettingsFrom(settings: NbgraderSettings): AutogradeSettings {
  return {
    ...DEFAULT_AUTOGRADE_SETTINGS,
    // nbgrader's `None` means no limit; a day is as good as none for one cell.
    cellTimeoutSeconds: settings.executeTimeout ?? 24 * 3600,
    penaltyMethod: settings.latePenaltyMethod,
    addMissingCells: settings.addMissingCells,
    ignorePatternEnabled: settings.ignorePattern.enabled,
    ignorePattern: settings.ignorePattern.pattern,
    maxOutputLines: settings.limitOutput.maxLines,
    maxTracebackLines: settings.limitOutput.maxTraceback,
    excludeOverwriting: settings.excludeOverwriting,
    courseDirectory: settings.courseDirectory,
  };
}

/**
 * Kernel timings for grading. After a timeout, nbclient interrupts and carries on with the same
 * kernel; a kernel that does not come back from the interrupt is killed (later cells score 0). On
 * a loaded machine a healthy kernel can need several seconds to answer, so grading waits longer
 * than the kernel layer's default before giving up on it.
 */
export const AUTOGRADE_KERNEL_TIMINGS = { interruptGraceMs: 20_000 } as const;
