/**
 * Anonymous grading's pseudonyms: `anon-` and 10 hex digits of HMAC-SHA256(course secret,
 * student id). Stable (the same student, the same name in every page, until the secret changes),
 * not guessable without the secret (which never leaves the hub), and per course (one student has
 * different pseudonyms in two courses).
 */
import { createHmac, randomBytes } from 'node:crypto';

export const newPseudonymSecret = (): string => randomBytes(32).toString('hex');

export function pseudonymOf(secret: string, studentId: string): string {
  return `anon-${createHmac('sha256', Buffer.from(secret, 'hex')).update(studentId, 'utf8').digest('hex').slice(0, 10)}`;
}
