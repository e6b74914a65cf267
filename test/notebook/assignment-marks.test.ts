// The marks of nbgrader's Create Assignment toolbar (issue 14, item 6): what it writes for each of
// its cell types and how it reads existing metadata, per nbgrader 0.9.5's
// src/create_assignment/create_assignment_model.ts (newNbgraderData / PrivateToolData / getType).
import { describe, expect, it } from 'vitest';
import {
  applyMarks,
  markTypeOf,
  metadataForMarks,
  parsePoints,
  parseNotebook,
  writeNotebook,
  type Cell,
} from '../../src/notebook/index.js';

const cell = (cell_type: 'code' | 'markdown', nbgrader?: Record<string, unknown>): Cell =>
  ({
    cell_type,
    id: 'x',
    metadata: nbgrader ? { nbgrader } : {},
    source: 's',
    ...(cell_type === 'code' ? { outputs: [], execution_count: null } : {}),
  }) as unknown as Cell;

describe("nbgrader's Create Assignment marks", () => {
  it('writes what the toolbar writes for each type, in its key order', () => {
    const at = (type: Parameters<typeof metadataForMarks>[0]['type']) =>
      metadataForMarks({ type, gradeId: 'q', points: 2 });
    expect(JSON.stringify(at('manual'))).toBe(
      '{"grade":true,"grade_id":"q","locked":false,"points":2,"schema_version":3,"solution":true,"task":false}',
    );
    expect(JSON.stringify(at('task'))).toBe(
      '{"grade":false,"grade_id":"q","locked":true,"points":2,"schema_version":3,"solution":false,"task":true}',
    );
    expect(JSON.stringify(at('solution'))).toBe(
      '{"grade":false,"grade_id":"q","locked":false,"schema_version":3,"solution":true,"task":false}',
    );
    expect(JSON.stringify(at('tests'))).toBe(
      '{"grade":true,"grade_id":"q","locked":true,"points":2,"schema_version":3,"solution":false,"task":false}',
    );
    expect(JSON.stringify(at('readonly'))).toBe(
      '{"grade":false,"grade_id":"q","locked":true,"schema_version":3,"solution":false,"task":false}',
    );
    expect(at('')).toBeUndefined();
  });

  it("reads existing metadata as the toolbar's getType does", () => {
    expect(markTypeOf(cell('code'))).toBe('');
    expect(markTypeOf(cell('markdown', { task: true, locked: true }))).toBe('task');
    expect(markTypeOf(cell('markdown', { grade: true, solution: true }))).toBe('manual');
    expect(markTypeOf(cell('code', { solution: true }))).toBe('solution');
    expect(markTypeOf(cell('code', { grade: true, locked: false }))).toBe('tests');
    expect(markTypeOf(cell('markdown', { locked: true }))).toBe('readonly');
    expect(markTypeOf(cell('markdown', { solution: true }))).toBe('');
  });

  it('reads a points box as a number, or keeps text that is not one', () => {
    expect([parsePoints(''), parsePoints(' 2.5 '), parsePoints('-1'), parsePoints('two')]).toEqual([
      undefined,
      2.5,
      -1,
      'two',
    ]);
  });

  it('keeps the metadata of a cell whose marks did not change, byte for byte', () => {
    const text =
      '{"cells":[{"cell_type":"code","execution_count":null,"id":"a","metadata":{"nbgrader":{"grade":true,"grade_id":"t","locked":false,"points":1.0,"schema_version":3,"solution":false}},"outputs":[],"source":"assert 1"}],"metadata":{},"nbformat":4,"nbformat_minor":5}';
    const notebook = parseNotebook(text);
    const same = applyMarks(notebook, [{ type: 'tests', gradeId: 't', points: 1 }]);
    expect(writeNotebook(same)).toBe(writeNotebook(notebook));
    const changed = applyMarks(notebook, [{ type: 'tests', gradeId: 't', points: 2 }]);
    expect(changed.cells[0]!.metadata.nbgrader).toEqual(
      metadataForMarks({ type: 'tests', gradeId: 't', points: 2 }),
    );
    expect(applyMarks(notebook, [{ type: '', gradeId: '', points: undefined }]).cells[0]!.metadata).toEqual(
      {},
    );
  });
});
