/**
 * Errors of the notebook layer. Each says what is wrong and, in `hint`, what to do about it.
 */
import { CoursehubError } from '../util/errors.js';

/** The file is not a notebook we can read: not JSON, the wrong nbformat version, or a bad field. */
export class NotebookFormatError extends CoursehubError {}

/** Which check rejected nbgrader cell metadata: one of nbgrader's own, or its JSON schema. */
export type MetadataRule = 'nbgrader' | 'jsonschema';

export interface MetadataErrorDetails {
  /** nbgrader's own wording of the problem (what `jsonschema.ValidationError` carried there). */
  detail: string;
  rule: MetadataRule;
  /** For schema errors: the JSON-schema keyword that failed (type, pattern, minimum, ...). */
  schemaKeyword?: string;
  /** For schema errors: the path inside `metadata.nbgrader` (e.g. ['points']). */
  schemaPath?: string[];
  /** Index of the cell in the notebook, when known. */
  cellIndex?: number;
}

/** A cell's nbgrader metadata breaks one of nbgrader's rules (schema version 3). */
export class NbgraderMetadataError extends CoursehubError {
  readonly detail: string;
  readonly rule: MetadataRule;
  readonly schemaKeyword: string | undefined;
  readonly schemaPath: string[] | undefined;
  readonly cellIndex: number | undefined;

  constructor(details: MetadataErrorDetails, hint?: string) {
    const where = details.cellIndex === undefined ? '' : `cell ${details.cellIndex + 1}: `;
    super(`invalid nbgrader metadata in ${where}${details.detail}`, {
      hint:
        hint ??
        'Fix the cell in the source notebook (View > Cell Toolbar > Create Assignment in Jupyter shows it).',
    });
    this.detail = details.detail;
    this.rule = details.rule;
    this.schemaKeyword = details.schemaKeyword;
    this.schemaPath = details.schemaPath;
    this.cellIndex = details.cellIndex;
  }

  /** The same error, located at a cell of a notebook. */
  atCell(cellIndex: number): NbgraderMetadataError {
    return new (this.constructor as typeof NbgraderMetadataError)(
      { ...this.details(), cellIndex },
      this.hint,
    );
  }

  protected details(): MetadataErrorDetails {
    return {
      detail: this.detail,
      rule: this.rule,
      ...(this.schemaKeyword === undefined ? {} : { schemaKeyword: this.schemaKeyword }),
      ...(this.schemaPath === undefined ? {} : { schemaPath: this.schemaPath }),
      ...(this.cellIndex === undefined ? {} : { cellIndex: this.cellIndex }),
    };
  }
}

/** The metadata was written by an older nbgrader (schema 0, 1 or 2): upgrade it first. */
export class SchemaTooOldError extends NbgraderMetadataError {
  constructor(
    readonly actualVersion: number,
    cellIndex?: number,
  ) {
    super(
      {
        detail: `Outdated schema version: ${actualVersion} (expected 3)`,
        rule: 'nbgrader',
        ...(cellIndex === undefined ? {} : { cellIndex }),
      },
      'The notebook uses an old version of the nbgrader metadata format. Back up the course ' +
        'directory, then upgrade the metadata (nbgrader update, or upgradeNotebookMetadata).',
    );
  }
  override atCell(cellIndex: number): SchemaTooOldError {
    return new SchemaTooOldError(this.actualVersion, cellIndex);
  }
}

/** The metadata was written by a newer nbgrader than this one understands. */
export class SchemaTooNewError extends NbgraderMetadataError {
  constructor(
    readonly actualVersion: number,
    cellIndex?: number,
  ) {
    super(
      {
        detail: `Schema version is too new: ${actualVersion} (expected 3)`,
        rule: 'nbgrader',
        ...(cellIndex === undefined ? {} : { cellIndex }),
      },
      'The notebook uses a newer version of the nbgrader metadata format than coursehub supports.',
    );
  }
  override atCell(cellIndex: number): SchemaTooNewError {
    return new SchemaTooNewError(this.actualVersion, cellIndex);
  }
}
