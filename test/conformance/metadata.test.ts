// Every metadata case of the nbgrader conformance suite: per cell, the predicates, the stored
// values, the checksum and MetadataValidator's verdict must be what nbgrader 0.9.5 computed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  NbgraderMetadataError,
  SchemaTooNewError,
  SchemaTooOldError,
  computeChecksum,
  hasNbgraderMetadata,
  isGrade,
  isLocked,
  isSolution,
  isTask,
  needsChecksum,
  parseNotebook,
  parsePythonJson,
  pointsAsPythonFloatString,
  pythonRepr,
  validateCellMetadata,
  validateNotebookMetadata,
  type Cell,
} from '../../src/notebook/index.js';
import { caseDir, listCases, metadataCaseNotebook } from '../support/conformance.js';

type Json = Record<string, unknown>;

/** What our validator says, in the shape of expected.json's `validate_cell`. */
function verdict(run: () => { warnings: string[] }): { result: Json; warnings: string[] } {
  try {
    const { warnings } = run();
    return { result: { ok: true }, warnings };
  } catch (error) {
    if (!(error instanceof NbgraderMetadataError)) throw error;
    const result: Json = { ok: false, message: error.detail, raised_by: error.rule };
    if (error instanceof SchemaTooOldError || error instanceof SchemaTooNewError) {
      result.error_class = error instanceof SchemaTooOldError ? 'SchemaTooOldError' : 'SchemaTooNewError';
      result.actual_version = error.actualVersion;
      result.expected_version = 3;
    } else result.error_class = 'ValidationError';
    if (error.rule === 'jsonschema') {
      result.jsonschema_validator = error.schemaKeyword;
      result.jsonschema_path = error.schemaPath;
    }
    return { result, warnings: [] };
  }
}

function expectedVerdict(expected: Json): Json {
  const { error_module: _module, log: _log, valid, ...rest } = expected;
  if (valid !== undefined) return valid ? { ok: true } : { ok: false, ...rest };
  return rest;
}

const cases = listCases('metadata');

describe('conformance: nbgrader metadata', () => {
  it('finds the suite', () => expect(cases.length).toBe(88));

  describe.each(cases)('%s', (name) => {
    const notebookFile = metadataCaseNotebook(name);
    const text = readFileSync(join(caseDir('metadata', name), notebookFile), 'utf8');
    const expected = parsePythonJson(
      readFileSync(join(caseDir('metadata', name), 'expected.json'), 'utf8'),
    ) as Json;
    const expectedCells = expected.cells as Json[];

    it('cells: predicates, stored values, checksums, validate_cell', () => {
      const notebook = parseNotebook(text, { name: notebookFile });
      expect(notebook.cells.length).toBe(expected.num_cells);
      notebook.cells.forEach((cell: Cell, index) => {
        const want = expectedCells[index]!;
        const meta = cell.metadata.nbgrader as Json | undefined;
        const got: Json = {
          index,
          cell_type: cell.cell_type,
          has_nbgrader_metadata: hasNbgraderMetadata(cell),
          is_grade: isGrade(cell),
          is_solution: isSolution(cell),
          is_locked: isLocked(cell),
          is_task: isTask(cell),
          would_checksum: needsChecksum(cell),
          grade_id: meta?.grade_id ?? null,
          points: meta && 'points' in meta ? pythonRepr(meta.points, meta, 'points') : null,
          schema_version:
            meta && 'schema_version' in meta ? pythonRepr(meta.schema_version, meta, 'schema_version') : null,
        };
        const wanted: Json = {
          index: want.index,
          cell_type: want.cell_type,
          has_nbgrader_metadata: want.has_nbgrader_metadata,
          is_grade: want.is_grade,
          is_solution: want.is_solution,
          is_locked: want.is_locked,
          is_task: want.is_task,
          would_checksum: want.would_checksum,
          grade_id: want.grade_id,
          // Compared as Python reprs, so that 1 and 1.0 stay different.
          points: want.points === null ? null : pythonRepr(want.points, want, 'points'),
          schema_version:
            want.schema_version === null ? null : pythonRepr(want.schema_version, want, 'schema_version'),
        };
        expect(got, `cell ${index}`).toEqual(wanted);
        if (typeof want.points_as_python_float_str === 'string')
          expect(pointsAsPythonFloatString(meta!.points), `cell ${index} points`).toBe(
            want.points_as_python_float_str,
          );
        if (!want.has_nbgrader_metadata) return;
        if (want.checksum_error) expect(() => computeChecksum(cell)).toThrow(NbgraderMetadataError);
        else expect(computeChecksum(cell), `cell ${index} checksum`).toBe(want.checksum);
        expect(meta!.checksum ?? null).toBe(want.stored_checksum);
        expect(meta!.cell_type ?? null).toBe(want.stored_cell_type);
        if (want.stored_checksum !== null && !want.checksum_error)
          expect(meta!.checksum === computeChecksum(cell)).toBe(want.stored_checksum_matches);
        const { result, warnings } = verdict(() => validateCellMetadata(cell));
        expect(result, `cell ${index} validate_cell`).toEqual(expectedVerdict(want.validate_cell as Json));
        const wantLog = (want.validate_cell_log as Json[]).map((entry) => entry.message);
        if ((want.validate_cell as Json).ok) expect(warnings).toEqual(wantLog);
      });
    });

    it('validate_nb', () => {
      const notebook = parseNotebook(text, { name: notebookFile });
      const { result, warnings } = verdict(() => validateNotebookMetadata(notebook));
      const want = expected.validate_nb as Json;
      expect(result).toEqual(expectedVerdict(want));
      if (want.valid) expect(warnings).toEqual((want.log as Json[]).map((entry) => entry.message));
    });
  });
});
