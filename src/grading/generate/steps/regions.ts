/**
 * The line scan nbgrader uses for delimited regions (solutions, hidden tests, mark schemes): a line
 * containing the begin delimiter opens a region, one containing the end delimiter closes it, and
 * the delimiter lines themselves are dropped.
 */
export interface RegionScan {
  /** The lines outside every region, plus whatever `replaceRegion` put in place of each region. */
  lines: string[];
  /** Whether at least one region was found. */
  found: boolean;
}

export interface RegionProblem {
  kind: 'nested' | 'unterminated';
}

export function scanRegions(
  source: string,
  begin: string,
  end: string,
  options: {
    /** Lines that replace a region, given its begin line (ClearSolutions puts the stub here). */
    replaceRegion?: (beginLine: string) => string[];
    /** Called for every line inside a region (ClearMarkScheme checks for attachments). */
    insideLine?: (line: string) => void;
  } = {},
): RegionScan | RegionProblem {
  const lines: string[] = [];
  let inside = false;
  let found = false;
  for (const line of source.split('\n')) {
    if (line.includes(begin)) {
      if (inside) return { kind: 'nested' };
      inside = true;
      found = true;
      if (options.replaceRegion) lines.push(...options.replaceRegion(line));
    } else if (line.includes(end)) {
      inside = false;
    } else if (inside) {
      options.insideLine?.(line);
    } else {
      lines.push(line);
    }
  }
  if (inside) return { kind: 'unterminated' };
  return { lines, found };
}

export function isRegionProblem(scan: RegionScan | RegionProblem): scan is RegionProblem {
  return 'kind' in scan;
}
