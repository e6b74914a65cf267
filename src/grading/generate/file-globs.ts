/**
 * Python's `fnmatch.fnmatch` on a file's base name, which nbgrader uses for CourseDirectory.ignore
 * (e.g. "*.pyc", ".ipynb_checkpoints"). Why hand-written: fnmatch's rules are a dozen lines
 * (*, ?, [seq], [!seq]) and a glob library would add ** and brace rules nbgrader does not have.
 */
function fnmatchToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        out += `[${body}]`;
        i = close;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

export function matchesAnyGlob(name: string, patterns: string[]): boolean {
  return patterns.some((pattern) => fnmatchToRegExp(pattern).test(name));
}
