/**
 * Tables of grading by hand in the hub's pages (the formgrader): the settings of a course's
 * grading (anonymous or not, and the course's pseudonym secret) and the log of every edit a grader
 * saved, so that two graders on the same field are told of each other and no value is lost.
 */
import type { Generated } from 'kysely';

/**
 * Anonymous grading of a course (`assignment` = '') or of one assignment (its name overrides the
 * course's). The course's row holds the secret pseudonyms are made with.
 */
export interface GradingSettingsTable {
  course_id: number;
  /** '' for the course as a whole. */
  assignment: string;
  /** 1: names hidden until an instructor reveals them; null: as the course says. */
  anonymous: number | null;
  /** The course row only: the HMAC key of the pseudonyms (hex), made once. */
  pseudonym_secret: string | null;
  changed_by: string | null;
  changed_at: string;
}

/**
 * One saved value of one field of a graded cell (or of the notebook's flag: cell ''), with the
 * version it made. Versions count up per field from 1; the newest row is the field's version.
 */
export interface GradingEditsTable {
  id: Generated<number>;
  submitted_notebook_id: number;
  cell: string;
  /** 'manual_score' | 'extra_credit' | 'comment' | 'flag'. */
  field: string;
  version: number;
  /** JSON of the value saved (a number, a text, a boolean or null). */
  value: string;
  edited_by: string;
  edited_at: string;
}

export interface GradingTables {
  grading_settings: GradingSettingsTable;
  grading_edits: GradingEditsTable;
}
