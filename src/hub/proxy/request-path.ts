/**
 * Puts a request target into one canonical form before routing, or refuses it. The proxy
 * matches, authorizes and forwards the SAME string, so no trick can make the proxy see one path
 * and the user server (or the hub) another: percent-escapes of unreserved characters are
 * decoded (`/user/%61lice/` is `/user/alice/`), and what could change meaning downstream is
 * refused outright rather than "fixed": dot segments (also as `%2e`), encoded slashes and
 * backslashes, backslashes, double slashes, NUL and control characters, absolute-form targets.
 * Browsers never send any of these for ordinary navigation, so refusing costs real users nothing.
 */
import { UnsafePathError } from './errors.js';

export interface CanonicalTarget {
  /** The path, canonical; what routes are matched against and what is forwarded. */
  path: string;
  /** `?...` or ``, passed through untouched (it does not take part in routing). */
  search: string;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function refuse(target: string, why: string): never {
  throw new UnsafePathError(`Refused request path ${JSON.stringify(target)}: ${why}.`, {
    hint: 'Request the page by its plain path, e.g. /user/NAME/tree.',
  });
}

function decodeUnreserved(path: string, target: string): string {
  return path.replace(/%(..)?/g, (escape: string, hex: string | undefined) => {
    if (hex === undefined || !/^[0-9A-Fa-f]{2}$/.test(hex)) refuse(target, 'malformed %-escape');
    const char = String.fromCharCode(parseInt(hex, 16));
    if (char === '/' || char === '\\') refuse(target, 'encoded slash or backslash');
    if (char.charCodeAt(0) < 0x20 || char === '\x7f') refuse(target, 'encoded control character');
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

export function canonicalizeTarget(target: string): CanonicalTarget {
  if (!target.startsWith('/')) refuse(target, 'only origin-form paths starting with "/" are routed');
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const search = queryAt === -1 ? '' : target.slice(queryAt);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f#\\]/.test(rawPath)) refuse(target, 'backslash, space, "#" or control character');
  const path = decodeUnreserved(rawPath, target);
  if (path.includes('//')) refuse(target, 'double slash');
  if (/\/\.\.?(?=\/|$)/.test(path)) refuse(target, 'dot segment');
  return { path, search };
}
