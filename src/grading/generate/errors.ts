/**
 * Why generate refused a notebook. The message names the notebook and the cell (number and grade
 * id) and says what to change; `detail` keeps nbgrader's own wording of the problem.
 */
import { CoursehubError } from '../../util/errors.js';

export interface GenerateErrorLocation {
  /** The notebook, as the user knows it (e.g. "source/ps1/problem1.ipynb"). */
  notebook?: string;
  /** 0-based cell index. */
  cellIndex?: number;
  gradeId?: string;
}

export class GenerateError extends CoursehubError {
  readonly detail: string;
  readonly location: GenerateErrorLocation;

  constructor(
    detail: string,
    location: GenerateErrorLocation = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(GenerateError.describeLocation(location) + detail, options);
    this.detail = detail;
    this.location = location;
  }

  static describeLocation(location: GenerateErrorLocation): string {
    const parts: string[] = [];
    if (location.notebook) parts.push(location.notebook);
    if (location.cellIndex !== undefined)
      parts.push(`cell ${location.cellIndex + 1}` + (location.gradeId ? ` ('${location.gradeId}')` : ''));
    return parts.length > 0 ? parts.join(', ') + ': ' : '';
  }

  /** The same error with more of the location filled in. */
  withLocation(location: GenerateErrorLocation): GenerateError {
    const merged = { ...location, ...this.location, notebook: location.notebook ?? this.location.notebook };
    const copy = new (this.constructor as typeof GenerateError)(this.detail, merged, {
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      cause: this.cause ?? this,
    });
    return copy;
  }
}

/** A solution, hidden-test or mark-scheme region is nested, unterminated or in the wrong kind of cell. */
export class RegionError extends GenerateError {}

/** The notebook's nbgrader metadata is invalid (wraps NbgraderMetadataError). */
export class CellMetadataError extends GenerateError {}

/** The notebook's kernel language has no code stub configured. */
export class UnknownLanguageError extends GenerateError {}

/** The notebook is not valid nbformat 4 (e.g. a code cell without outputs). */
export class InvalidNotebookError extends GenerateError {}

/** The notebook uses a feature coursehub does not implement yet (AUTOTEST directives). */
export class UnsupportedFeatureError extends GenerateError {}

/** A cell cannot be stored in the gradebook (e.g. a read-only raw cell). */
export class GradebookCellError extends GenerateError {}
