/**
 * nbgrader's SubmittedAssignment.total_seconds_late: how far past its due date (moved by the
 * student's extension) a submission came in. Times are microseconds since the epoch, UTC, so this
 * stays free of any text format; the caller parses what it stores.
 */

/** Seconds past the due date plus extension; 0 without a timestamp or a due date. */
export function secondsLate(
  submittedAt: number | null,
  dueAt: number | null,
  extensionSeconds: number,
): number {
  if (submittedAt === null || dueAt === null) return 0;
  const late = (submittedAt - dueAt) / 1_000_000 - extensionSeconds;
  return Math.max(0, late);
}
