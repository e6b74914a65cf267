/**
 * nbgrader's Grade.score (api.py): the points one graded cell earns. A manual score, when a grader
 * gave one, takes precedence over the automatic one; extra credit is added to either.
 */

export interface GradeValues {
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
}

/** The manual score if set, else the automatic one, else 0; plus extra credit. */
export function gradeScore(grade: GradeValues): number {
  const extra = grade.extraCredit === null ? 0 : grade.extraCredit;
  if (grade.manualScore !== null) return grade.manualScore + extra;
  if (grade.autoScore !== null) return grade.autoScore + extra;
  return 0;
}
