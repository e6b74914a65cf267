// The house rules of src/ (docs/architecture.md): layers import downward only, SQL lives in
// src/db/, and no files import each other in a circle. Each rule runs on src/ itself, and on a
// copy of src/ with one violation planted, so the test shows the rule can fail.
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles, layerViolations, sqlOutsideDb, unknownLayers } from './support/architecture-rules.js';

const SRC = resolve(import.meta.dirname, '..', 'src');

describe('architecture of src/', () => {
  it('every top-level folder of src/ is a known layer', () => {
    expect(unknownLayers(SRC)).toEqual([]);
  });

  it('imports go only to the same layer or lower ones', () => {
    expect(layerViolations(SRC)).toEqual([]);
  });

  it('has no SQL outside src/db/', () => {
    expect(sqlOutsideDb(SRC)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(importCycles(SRC)).toEqual([]);
  });
});

describe('the rules catch a deliberately broken copy of src/', () => {
  const copies: string[] = [];
  afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function brokenCopy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'coursehub-architecture-'));
    copies.push(dir);
    cpSync(SRC, dir, { recursive: true });
    return dir;
  }

  it('an unknown top-level folder', () => {
    const root = brokenCopy();
    cpSync(join(root, 'util'), join(root, 'misc'), { recursive: true });
    expect(unknownLayers(root)).toEqual(['misc']);
  });

  it('an import that goes up a layer', () => {
    const root = brokenCopy();
    appendFileSync(join(root, 'notebook', 'index.ts'), "\nimport '../hub/urls.js';\n");
    expect(layerViolations(root)).toEqual(['notebook/index.ts imports hub/urls.ts (notebook -> hub)']);
  });

  it('an import between peers', () => {
    const root = brokenCopy();
    appendFileSync(join(root, 'config', 'schema.ts'), "\nimport type { Database } from '../db/schema.js';\n");
    expect(layerViolations(root)).toEqual(['config/schema.ts imports db/schema.ts (config -> db)']);
  });

  it('a query outside src/db/', () => {
    const root = brokenCopy();
    appendFileSync(
      join(root, 'hub', 'urls.ts'),
      "\nexport const leak = (db: { selectFrom(t: string): unknown }) => db.selectFrom('users');\n",
    );
    expect(sqlOutsideDb(root)).toEqual([
      expect.stringMatching(/^hub\/urls\.ts:\d+: export const leak = .*db\.selectFrom\('users'\);$/),
    ]);
  });

  it('an sql template and a value import from kysely outside src/db/', () => {
    const root = brokenCopy();
    writeFileSync(
      join(root, 'gradebook', 'raw-count.ts'),
      "import { sql } from 'kysely';\nexport const count = sql<number>`select count(*) from users`;\n",
    );
    expect(sqlOutsideDb(root)).toEqual([
      'gradebook/raw-count.ts: imports a value from kysely',
      'gradebook/raw-count.ts:2: export const count = sql<number>`select count(*) from users`;',
    ]);
  });

  it('an import cycle', () => {
    const root = brokenCopy();
    writeFileSync(
      join(root, 'util', 'cycle-a.ts'),
      "import { b } from './cycle-b.js';\nexport const a = b;\n",
    );
    writeFileSync(
      join(root, 'util', 'cycle-b.ts'),
      "import type { a } from './cycle-a.js';\nexport const b = 1 as unknown as typeof a;\n",
    );
    expect(importCycles(root)).toEqual([['util/cycle-a.ts', 'util/cycle-b.ts']]);
  });
});
