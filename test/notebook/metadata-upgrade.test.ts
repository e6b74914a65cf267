// Upgrading nbgrader metadata from schema 0, 1 and 2: nbgrader's own v0/v1/v2 fixtures of the same
// notebook must all become the same valid schema-3 metadata.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SchemaTooOldError,
  parseNotebook,
  upgradeCellMetadata,
  upgradeNotebookMetadata,
  validateNotebookMetadata,
  writePythonJson,
  type Cell,
  type Notebook,
} from '../../src/notebook/index.js';
import { caseDir } from '../support/conformance.js';

function fixture(name: string): Notebook {
  const dir = caseDir('metadata', name);
  const file = readdirSync(dir).find((f) => f.endsWith('.ipynb'))!;
  return parseNotebook(readFileSync(join(dir, file)), { name: file });
}

const nbgraderOf = (nb: Notebook) => nb.cells.map((cell) => writePythonJson(cell.metadata.nbgrader ?? null));

describe('upgradeNotebookMetadata', () => {
  it('turns the v0, v1 and v2 fixtures into the same valid schema-3 metadata', () => {
    const upgraded = ['apps-test-v0', 'apps-test-v1', 'apps-test-v2'].map((name) => {
      const nb = fixture(name);
      expect(() => validateNotebookMetadata(nb)).toThrow(SchemaTooOldError);
      upgradeNotebookMetadata(nb);
      expect(validateNotebookMetadata(nb).warnings).toEqual([]);
      return nb;
    });
    // Compared as written JSON, so points must have become the float 1.0 everywhere.
    expect(nbgraderOf(upgraded[0]!)).toEqual(nbgraderOf(upgraded[1]!));
    expect(nbgraderOf(upgraded[1]!)).toEqual(nbgraderOf(upgraded[2]!));
    expect(nbgraderOf(upgraded[0]!).join('\n')).toContain('"points": 1.0');
  });

  it('v0: drops metadata of unmarked cells, fills in flags, turns string points into floats', () => {
    const cell = (nbgrader: Record<string, unknown>): Cell =>
      ({
        cell_type: 'code',
        source: 'x',
        metadata: { nbgrader },
        outputs: [],
        execution_count: null,
      }) as Cell;
    const unmarked = cell({ grade: false, solution: false });
    upgradeCellMetadata(unmarked);
    expect(unmarked.metadata).toEqual({});

    const graded = cell({ grade: true, grade_id: 'g', points: '2.5' });
    upgradeCellMetadata(graded);
    expect(graded.metadata.nbgrader).toEqual({
      grade: true,
      solution: false,
      locked: false,
      grade_id: 'g',
      points: 2.5,
      schema_version: 3,
    });

    const negative = cell({ grade: true, grade_id: 'n', points: -3 });
    upgradeCellMetadata(negative);
    expect(negative.metadata.nbgrader?.points).toBe(0);

    const notGraded = cell({ solution: true, grade_id: 's', points: 4 });
    upgradeCellMetadata(notGraded);
    expect(notGraded.metadata.nbgrader).not.toHaveProperty('points');
  });

  it('v1: adds the stored cell type where a checksum exists; removes unknown keys with a warning', () => {
    const cell = {
      cell_type: 'markdown',
      source: 'x',
      metadata: {
        nbgrader: {
          schema_version: 1,
          grade: false,
          solution: false,
          locked: true,
          grade_id: 'r',
          checksum: 'c'.repeat(32),
          foo: 1,
        },
      },
    } as Cell;
    const warnings = upgradeCellMetadata(cell);
    expect(cell.metadata.nbgrader).toEqual({
      schema_version: 3,
      grade: false,
      solution: false,
      locked: true,
      grade_id: 'r',
      checksum: 'c'.repeat(32),
      cell_type: 'markdown',
    });
    expect(warnings).toEqual([
      'Cell does not have a stored cell type! Adding default cell type.',
      'extra keys detected in metadata, these will be removed: foo',
    ]);
  });
});
