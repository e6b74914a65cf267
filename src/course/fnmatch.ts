/**
 * Python's `fnmatch.fnmatch(name, pattern)` on POSIX, exactly (CPython 3.11's `fnmatch.translate`):
 * `*` any run of characters, `?` one character, `[seq]` / `[!seq]` a set with ranges, anything else
 * literal, case-sensitive (os.path.normcase is the identity on POSIX). `/`, dot files, `**`, braces
 * and backslashes get no special treatment.
 *
 * Why hand-written: nbgrader matches CourseDirectory.ignore / include with these rules, and the
 * glob libraries on npm (picomatch, minimatch, micromatch) do not follow them: they treat `/`,
 * leading dots, braces, `**` and backslash escapes as shell globs do, and `[!...]`/`[]...]` edge
 * cases differently. The table test (test/course/fnmatch.test.ts) holds Python's own answers.
 */

const cache = new Map<string, RegExp>();

/** One code point as a regular-expression atom that means only itself (for the `u` flag). */
const literal = (char: string) => `\\u{${char.codePointAt(0)!.toString(16)}}`;

/** A `[...]` set; `body` is what stands between `[` and its `]` (code points), a leading `!` included. */
function translateSet(body: string[]): string {
  const negated = body[0] === '!';
  const start = negated ? 1 : 0;
  const set = (inside: string) => `[${negated ? '^' : ''}${inside}]`;
  if (!body.includes('-')) return set(body.slice(start).map(literal).join(''));
  // Python splits the set at the hyphens that make ranges (a hyphen first in the set, or right
  // after a range, is literal), then drops ranges whose ends are reversed ("[z-a]" matches nothing).
  const chunks: string[][] = [];
  let from = 0;
  let search = start + 1;
  for (;;) {
    const hyphen = body.indexOf('-', search);
    if (hyphen < 0) break;
    chunks.push(body.slice(from, hyphen));
    from = hyphen + 1;
    search = hyphen + 3;
  }
  const last = body.slice(from);
  if (last.length > 0) chunks.push(last);
  else chunks[chunks.length - 1]!.push('-');
  for (let k = chunks.length - 1; k > 0; k--) {
    const before = chunks[k - 1]!;
    const after = chunks[k]!;
    if (before.at(-1)!.codePointAt(0)! > after[0]!.codePointAt(0)!) {
      chunks[k - 1] = [...before.slice(0, -1), ...after.slice(1)];
      chunks.splice(k, 1);
    }
  }
  chunks[0] = chunks[0]!.slice(start);
  // Consecutive chunks are joined by a range: the last character of one to the first of the next.
  let inside = '';
  chunks.forEach((chunk, c) => {
    for (let p = c === 0 ? 0 : 1; p < chunk.length; p++) {
      const next = chunks[c + 1];
      if (p === chunk.length - 1 && next) inside += `${literal(chunk[p]!)}-${literal(next[0]!)}`;
      else inside += literal(chunk[p]!);
    }
  });
  return set(inside);
}

/** The regular expression fnmatch.translate builds, as a JavaScript RegExp (whole name, dotall). */
export function fnmatchRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let out = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      if (!out.endsWith('.*')) out += '.*';
    } else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i + 1;
      if (chars[j] === '!') j++;
      if (chars[j] === ']') j++;
      while (j < chars.length && chars[j] !== ']') j++;
      if (j >= chars.length) out += literal('[');
      else {
        out += translateSet(chars.slice(i + 1, j));
        i = j;
      }
    } else out += literal(c);
  }
  const regExp = new RegExp(`^${out}$`, 'su');
  cache.set(pattern, regExp);
  return regExp;
}

/** Python's `fnmatch.fnmatch(name, pattern)` (POSIX: case-sensitive). */
export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchRegExp(pattern).test(name);
}
