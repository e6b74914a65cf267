/**
 * The house rules of src/, as functions over a source tree, so that test/architecture.test.ts can
 * run them on src/ itself (expecting no violation) and on a deliberately broken copy (expecting the
 * one it planted): a rule that cannot fail proves nothing.
 *
 * - layers: a file imports only from its own layer or lower ones (peers never import each other);
 * - SQL lives in src/db/: outside it, no value import from kysely, no query-builder call and no
 *   `sql` template;
 * - no import cycles between files (type-only imports count: they tie the files' designs too).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Lower number = lower layer. Peers (same number) may not import each other. See docs/architecture.md. */
export const LAYER_RANK: Record<string, number> = {
  util: 0,
  notebook: 1,
  grading: 2,
  sandbox: 2,
  render: 2,
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

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder of src/ a file belongs to. */
export function layerOf(root: string, file: string): string {
  return relative(root, file).split(sep)[0] ?? '';
}

/** Relative imports of a file, resolved to absolute .ts paths (type-only and dynamic ones included). */
export function relativeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const targets: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    targets.push(resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')));
  }
  return targets;
}

/** Folders of `root` that are not listed as a layer. */
export function unknownLayers(root: string): string[] {
  return readdirSync(root).filter((n) => statSync(join(root, n)).isDirectory() && !(n in LAYER_RANK));
}

/** Imports that reach a higher layer or a peer: "file imports path (from -> to)". */
export function layerViolations(root: string): string[] {
  const violations: string[] = [];
  for (const file of sourceFiles(root)) {
    const from = layerOf(root, file);
    for (const target of relativeImports(file)) {
      const to = layerOf(root, target);
      if (to === from) continue;
      const fromRank = LAYER_RANK[from] ?? -1;
      const toRank = LAYER_RANK[to] ?? Infinity;
      if (toRank >= fromRank)
        violations.push(`${relative(root, file)} imports ${relative(root, target)} (${from} -> ${to})`);
    }
  }
  return violations;
}

// What counts as SQL: Kysely's query builders (reached through any Kysely instance, typed or
// not), its `sql` template and raw helpers, and any value (not type-only) import from kysely.
const QUERY_BUILDER_CALL =
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom)\s*\(/;
const SQL_TEMPLATE = /\bsql\s*(<[^>]*>)?\s*`|\bsql\.(raw|ref|table|id|lit|join|val)\s*\(/;
const KYSELY_VALUE_IMPORT = /^\s*import\s+(?!type\b)[^;]*?from\s+['"]kysely['"]/m;

/** SQL outside src/db/: "file:line: what". */
export function sqlOutsideDb(root: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(root)) {
    if (layerOf(root, file) === 'db') continue;
    const text = readFileSync(file, 'utf8');
    if (KYSELY_VALUE_IMPORT.test(text)) found.push(`${relative(root, file)}: imports a value from kysely`);
    text.split('\n').forEach((line, index) => {
      if (QUERY_BUILDER_CALL.test(line) || SQL_TEMPLATE.test(line))
        found.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

/** Every cycle of imports between files (Tarjan's strongly connected components of size > 1, or a self-import). */
export function importCycles(root: string): string[][] {
  const files = sourceFiles(root);
  const known = new Set(files);
  const edges = new Map(files.map((f) => [f, relativeImports(f).filter((t) => known.has(t))]));
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  // Iterative: a deep import chain must not overflow the call stack.
  for (const start of files) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = edges.get(frame.node)!;
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(relative(root, member));
        } while (member !== frame.node);
        const selfImport = edges.get(frame.node)!.includes(frame.node);
        if (component.length > 1 || selfImport) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}
