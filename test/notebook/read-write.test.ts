// Reading and writing notebooks: files nbgrader wrote come back byte for byte, and every kind of
// bad input is refused with a message that names the problem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotebookFormatError, parseNotebook, writeNotebook } from '../../src/notebook/index.js';
import { CONFORMANCE_ROOT, listFilesRecursive } from '../support/conformance.js';

const writtenByNbgrader = listFilesRecursive(CONFORMANCE_ROOT).filter(
  (path) => path.endsWith('.ipynb') && /\/expected\/(release|autograded|source_with_tests)\//.test(path),
);

describe('writeNotebook', () => {
  it('finds the notebooks nbgrader wrote', () => expect(writtenByNbgrader.length).toBeGreaterThan(100));

  it.each(writtenByNbgrader)('%s reads and writes back byte-identical', (path) => {
    const text = readFileSync(join(CONFORMANCE_ROOT, path), 'utf8');
    expect(writeNotebook(parseNotebook(text))).toBe(text);
  });

  it('writes like Python: sorted keys, indent 1, floats, non-ASCII, control characters, line lists', () => {
    const text =
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"z": 1.0, "a": [1e-05, 1e16, 12345678901234567890, 2.50]},' +
      '"cells": [{"cell_type": "markdown", "id": "x", "metadata": {}, "source": "héllo\\u001b\\nwörld\\r\\nend"}]}';
    expect(writeNotebook(parseNotebook(text))).toBe(
      [
        '{',
        ' "cells": [',
        '  {',
        '   "cell_type": "markdown",',
        '   "id": "x",',
        '   "metadata": {},',
        '   "source": [',
        '    "héllo\\u001b\\n",',
        '    "wörld\\r\\n",',
        '    "end"',
        '   ]',
        '  }',
        ' ],',
        ' "metadata": {',
        '  "a": [',
        '   1e-05,',
        '   1e+16,',
        '   12345678901234567890,',
        '   2.5',
        '  ],',
        '  "z": 1.0',
        ' },',
        ' "nbformat": 4,',
        ' "nbformat_minor": 5',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps unknown metadata and drops only the transient fields nbformat drops', () => {
    const text = JSON.stringify({
      nbformat: 4,
      nbformat_minor: 2,
      metadata: { custom: { deep: [1, { x: null }] }, orig_nbformat: 3, signature: 'sig' },
      cells: [{ cell_type: 'raw', metadata: { trusted: true, tags: ['a'] }, source: ['a\n', 'b'] }],
    });
    const notebook = parseNotebook(text);
    expect(notebook.metadata).toEqual({ custom: { deep: [1, { x: null }] } });
    expect(notebook.cells[0]).toEqual({ cell_type: 'raw', metadata: { tags: ['a'] }, source: 'a\nb' });
    expect(parseNotebook(writeNotebook(notebook))).toEqual(notebook);
  });
  it('keeps a "__proto__" metadata key as ordinary data', () => {
    const text = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"__proto__": {"x": 1.0}}, "cells": []}';
    const written = writeNotebook(parseNotebook(text));
    expect(written).toContain('"__proto__": {\n   "x": 1.0\n  }');
    expect(Object.getPrototypeOf(parseNotebook(written).metadata)).toBe(Object.prototype);
  });
});

describe('parseNotebook refuses bad input with a clear message', () => {
  const nb = (fields: Record<string, unknown>) =>
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [], ...fields });
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"cells": [', /ps1\.ipynb: is not valid JSON \(.*line 1/],
    ['not an object', '[1, 2]', /must hold a JSON object/],
    ['no nbformat', JSON.stringify({ cells: [], metadata: {} }), /no integer "nbformat"/],
    ['nbformat 3', nb({ nbformat: 3 }), /nbformat 3, which is too old/],
    ['nbformat 5', nb({ nbformat: 5 }), /nbformat 5, which is newer than coursehub supports/],
    ['no nbformat_minor', nb({ nbformat_minor: undefined }), /"nbformat_minor"/],
    ['no cells', nb({ cells: undefined }), /has no "cells" field/],
    ['cells not a list', nb({ cells: {} }), /"cells" field that is not a list/],
    ['no metadata', nb({ metadata: undefined }), /has no "metadata" field/],
    ['metadata not an object', nb({ metadata: [] }), /"metadata" field that is not an object/],
    [
      'bad cell type',
      nb({ cells: [{ cell_type: 'heading', metadata: {}, source: '' }] }),
      /cell 1 has cell_type "heading"/,
    ],
    [
      'source of numbers',
      nb({ cells: [{ cell_type: 'code', metadata: {}, source: [1] }] }),
      /cell 1 has a "source" that is neither/,
    ],
    [
      'cell without metadata',
      nb({ cells: [{ cell_type: 'markdown', source: '' }] }),
      /cell 1 has no "metadata" field/,
    ],
    [
      'outputs not a list',
      nb({ cells: [{ cell_type: 'code', metadata: {}, source: '', outputs: 3 }] }),
      /cell 1 has "outputs" that are not a list/,
    ],
    [
      'bad execution_count',
      nb({ cells: [{ cell_type: 'code', metadata: {}, source: '', outputs: [], execution_count: 'x' }] }),
      /"execution_count"/,
    ],
  ];
  it.each(cases)('%s', (_label, text, message) => {
    const error = (() => {
      try {
        parseNotebook(text, { name: 'ps1.ipynb' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NotebookFormatError);
    expect((error as Error).message).toMatch(message);
  });
});
