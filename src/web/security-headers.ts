/**
 * Security headers on every answer of the hub (its pages, the REST API, error pages), as
 * JupyterHub sets a Content-Security-Policy on its own pages:
 *
 * - Content-Security-Policy: scripts, styles, images, fonts, fetches and form targets from the
 *   hub's own origin only, and nothing inline: an attacker who slipped markup past the escaping
 *   of src/web/layout.ts could not run a script with it. `frame-ancestors 'self'`: no page of
 *   another origin may frame the hub (clickjacking); `base-uri 'none'` and `object-src 'none'`
 *   close the remaining ways to load code.
 * - X-Content-Type-Options: nosniff, so a browser never runs a JSON answer or an upload as a script.
 * - Referrer-Policy: same-origin, so the hub's URLs (user names, ?next=) never leave for other
 *   sites in a Referer header.
 *
 * The users' own Jupyter servers are not the hub's answers (the proxy forwards them): Jupyter sets
 * its own policy there.
 */
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Adds the headers to every answer of `app` (before any route runs, so error answers get them too). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    void reply.headers(SECURITY_HEADERS);
  });
}
