/**
 * Making and hashing token secrets.
 *
 * A token is 32 random bytes (256 bits) from the OS CSPRNG, base64url-encoded. Only its SHA-256 is
 * stored. A fast, unsalted hash is enough here, unlike for passwords: slow salted hashes exist to
 * make guessing low-entropy secrets expensive, but nobody can enumerate 2^256 candidates whatever
 * the hash costs, and a precomputed table cannot cover that space either. A fast deterministic
 * hash also lets the hub find a presented token with one indexed lookup instead of a slow hash per
 * request. A database leak therefore reveals no usable token.
 */
import { createHash, randomBytes } from 'node:crypto';

/** How many leading characters are kept in clear so a user can tell their tokens apart. */
export const TOKEN_PREFIX_LENGTH = 4;

export function newTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX_LENGTH);
}
