/**
 * The receipts of one's own submissions, for the student page: every submission of the actor in
 * the course (oldest first) with its time stamp, checksum, size and the warnings nbgrader would
 * have printed when it was made. Never anyone else's.
 */
import { ANY_ROLE, courseFor, type Actor, type ExchangeContext } from './exchange-context.js';

export interface Receipt {
  assignment: string;
  timestamp: string;
  checksum: string;
  files: number;
  bytes: number;
  warnings: string[];
}

export async function ownReceipts(
  context: ExchangeContext,
  courseId: string,
  actor: Actor,
): Promise<Receipt[]> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  const rows = await context.stores.exchange.submissions(course.id, { student: actor.name });
  return rows.map((row) => ({
    assignment: row.assignment,
    timestamp: row.timestamp,
    checksum: row.checksum,
    files: row.files,
    bytes: row.bytes,
    warnings: row.warnings,
  }));
}
