/**
 * Small helpers every page route uses: sending a rendered page, and reading a form field.
 * Pages carry session-specific content (names, CSRF tokens), so they are never cached.
 */
import type { FastifyReply } from 'fastify';

export function sendHtml(reply: FastifyReply, status: number, document: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(document);
}

/** A text field of a parsed form body; '' when it is missing or not text. */
export function formField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
