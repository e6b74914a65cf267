// Layers import downward only (see DESIGN.md). This test reads every import in src/ and fails
// on one that reaches a higher layer, so the rule holds without anyone having to remember it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

// Lower number = lower layer. Peers (same number) may not import each other.
const LAYER_RANK: Record<string, number> = {
  util: 0,
  notebook: 1,
  grading: 2,
  sandbox: 2,
  kernel: 3,
  db: 4,
  config: 4,
  course: 5,
  gradebook: 6,
  exchange: 7,
  hub: 8,
  web: 9,
  app: 10,
  cli: 11,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): string {
  return relative(SRC, file).split(sep)[0] ?? '';
}

describe('architecture', () => {
  it('every top-level folder of src/ is a known layer', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    for (const folder of folders) expect(Object.keys(LAYER_RANK)).toContain(folder);
  });

  it('imports go only to the same layer or lower ones', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = resolve(dirname(file), match[1]!);
        const to = layerOf(target);
        if (to === from) continue;
        const fromRank = LAYER_RANK[from] ?? -1;
        const toRank = LAYER_RANK[to] ?? Infinity;
        if (toRank >= fromRank)
          violations.push(`${relative(SRC, file)} imports ${match[1]} (${from} -> ${to})`);
      }
    }
    expect(violations).toEqual([]);
  });
});
