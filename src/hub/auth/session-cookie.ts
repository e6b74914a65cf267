/**
 * The session cookie's value: `<sessionId>.<base64url(HMAC-SHA256(cookieSecret, sessionId))>`.
 * Pure functions with no database, so the proxy (a separate process) can check a cookie on every
 * request and websocket upgrade without a round trip; the hub then resolves the id server-side.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE_NAME = 'coursehub-session';

function mac(sessionId: string, secret: string): string {
  return createHmac('sha256', secret).update(sessionId).digest('base64url');
}

/** The cookie value for a session id. */
export function signSessionCookie(sessionId: string, secret: string): string {
  if (!secret) throw new Error('signSessionCookie needs a non-empty cookie secret');
  return `${sessionId}.${mac(sessionId, secret)}`;
}

/** The session id if `value` carries a valid signature for it, else null. Timing-safe. */
export function verifySessionCookie(value: string | undefined | null, secret: string): string | null {
  if (!value || !secret) return null;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const sessionId = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'utf8');
  const expected = Buffer.from(mac(sessionId, secret), 'utf8');
  if (given.length !== expected.length) return null;
  return timingSafeEqual(given, expected) ? sessionId : null;
}
