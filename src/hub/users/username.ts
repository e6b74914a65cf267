/**
 * Usernames become Unix account names (the local spawner runs each user's server as their own
 * account), so they follow the portable rule for those, like Debian's `adduser` default:
 *
 *   ^[a-z_][a-z0-9_-]{0,31}$
 *
 * lowercase ASCII letter or `_` first, then up to 31 lowercase letters, digits, `_` or `-`.
 * Names are normalized before checking: surrounding whitespace trimmed, lowercased. A GitHub login
 * that starts with a digit therefore cannot be used as is.
 */
import { InvalidNameError } from './errors.js';

export const USERNAME_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;
export const USERNAME_RULE =
  'a username is 1 to 32 characters: a lowercase letter or "_" first, then lowercase letters, digits, "_" or "-"';

export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Why `name` (already normalized) is not a valid username, or undefined when it is. */
export function usernameProblem(name: string): string | undefined {
  if (name === '') return 'the username is empty';
  if (USERNAME_PATTERN.test(name)) return undefined;
  if (name.includes('/') || name.includes('..'))
    return `"${name}" contains "/" or "..", which could escape a directory`;
  if (/\s/.test(name)) return `"${name}" contains a space`;
  if (name.length > 32) return `"${name}" is longer than 32 characters`;
  if (!/^[a-z_]/.test(name)) return `"${name}" must start with a lowercase letter or "_"`;
  return `"${name}" contains a character other than lowercase letters, digits, "_" or "-"`;
}

/** Normalizes and validates; throws InvalidNameError saying what is wrong and what is allowed. */
export function parseUsername(raw: string): string {
  const name = normalizeUsername(raw);
  const problem = usernameProblem(name);
  if (problem) throw new InvalidNameError(`Invalid username: ${problem}.`, { hint: `Use ${USERNAME_RULE}.` });
  return name;
}

/** Group names are shown, not used as accounts: anything printable without "/" or spaces. */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$/;

export function parseGroupName(raw: string): string {
  const name = raw.trim();
  if (!GROUP_NAME_PATTERN.test(name) || name.includes('..')) {
    throw new InvalidNameError(`Invalid group name "${name}".`, {
      hint: 'Use 1 to 64 characters: letters, digits, "_", ".", "@", "+" or "-", not starting with a punctuation mark.',
    });
  }
  return name;
}
