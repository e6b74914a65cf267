/**
 * Python's `difflib.get_close_matches(word, possibilities)` (n=3, cutoff=0.6), which traitlets uses
 * for its "Did you mean ...?" about a misspelt option: the similarity is SequenceMatcher's ratio,
 * 2*M/T, M being the characters of the longest common runs found recursively (Ratcliff/Obershelp).
 * The names compared are short, so the plain quadratic search is enough.
 */

/** Characters in common: the longest common run, then the same on its left and right. */
function matching(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  let best = 0;
  let atA = 0;
  let atB = 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] !== b[j - 1]) continue;
      current[j] = previous[j - 1]! + 1;
      // difflib keeps the first longest run (smallest i, then smallest j).
      if (current[j]! > best) [best, atA, atB] = [current[j]!, i - current[j]!, j - current[j]!];
    }
    previous = current;
  }
  if (best === 0) return 0;
  return (
    best + matching(a.slice(0, atA), b.slice(0, atB)) + matching(a.slice(atA + best), b.slice(atB + best))
  );
}

export function similarity(a: string, b: string): number {
  const total = a.length + b.length;
  return total === 0 ? 1 : (2 * matching(a, b)) / total;
}

/** The (at most 3) possibilities at least 60% similar to `word`, most similar first. */
export function closeMatches(word: string, possibilities: Iterable<string>, n = 3, cutoff = 0.6): string[] {
  const scored: Array<[number, string]> = [];
  for (const candidate of possibilities) {
    const score = similarity(word, candidate);
    if (score >= cutoff) scored.push([score, candidate]);
  }
  // heapq.nlargest over (score, candidate): ties go to the larger string.
  scored.sort((x, y) => y[0] - x[0] || (y[1] > x[1] ? 1 : y[1] < x[1] ? -1 : 0));
  return scored.slice(0, n).map(([, candidate]) => candidate);
}

/**
 * What to suggest for a misspelt name: the closest match alone when it stands out (as it does for
 * `code_stubb` -> `code_stub`, beside `text_stub`), else every close match.
 */
export function suggestion(word: string, possibilities: Iterable<string>): string | undefined {
  const matches = closeMatches(word, possibilities);
  if (matches.length === 0) return undefined;
  const best = similarity(word, matches[0]!);
  const near = matches.filter((m) => best - similarity(word, m) < 0.1);
  return near.length === 1 ? `Did you mean \`${near[0]}\`?` : `Did you mean one of: \`${near.join(', ')}\`?`;
}
