/**
 * The notebook layer's public API. Other layers import from here only.
 *
 * - parseNotebook / writeNotebook: nbformat v4 text <-> objects, byte-identical to nbformat's output.
 *   After parsing, `cell.source` (and stream text, text-like MIME data) are single strings.
 * - nbgrader cell metadata: predicates, checksum, validation (schema 3) and upgrade.
 */
export type * from './types.js';
export {
  NotebookFormatError,
  NbgraderMetadataError,
  SchemaTooOldError,
  SchemaTooNewError,
} from './errors.js';
export type { MetadataRule, MetadataErrorDetails } from './errors.js';
export { parseNotebook, NBFORMAT_MAJOR, NBFORMAT_MINOR } from './read.js';
export type { ParseOptions } from './read.js';
export { writeNotebook } from './write.js';
export { cloneJson, markAsFloat, isPythonFloat, parsePythonJson, writePythonJson } from './python-json.js';
export { pythonFloatRepr } from './python-float.js';
export { pythonRepr, pythonStr } from './python-repr.js';
export { joinLines, pythonSplitLines } from './lines.js';
export {
  NBGRADER_SCHEMA_VERSION,
  nbgraderMetadata,
  hasNbgraderMetadata,
  isGrade,
  isSolution,
  isTask,
  isLocked,
  needsChecksum,
  computeChecksum,
  pointsAsFloat,
  pointsAsPythonFloatString,
} from './nbgrader-cells.js';
export { validateCellMetadata, validateNotebookMetadata } from './metadata-validator.js';
export type { MetadataValidation } from './metadata-validator.js';
export { upgradeCellMetadata, upgradeNotebookMetadata } from './metadata-upgrade.js';
export { cellSource } from './cell-source.js';
export {
  MARK_TYPES,
  MARK_LABELS,
  markTypesFor,
  isGradedType,
  markTypeOf,
  marksOf,
  parsePoints,
  metadataForMarks,
  applyMarks,
} from './assignment-marks.js';
export type { MarkType, CellMarks } from './assignment-marks.js';
