/**
 * `offset`/`limit` and the pagination envelope exactly as JupyterHub 4/5: with
 * `Accept: application/jupyterhub-pagination+json` a list comes as
 * `{items, _pagination: {offset, limit, total, next: {offset, limit, url} | null}}`, otherwise as a
 * bare array. Limits default to 50 with the envelope and 200 without (JupyterHub's
 * api_page_default_limit / api_page_max_limit), and are clamped to 1..200.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';

export const PAGINATION_MEDIA_TYPE = 'application/jupyterhub-pagination+json';
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export interface PageRequest {
  offset: number;
  limit: number;
  envelope: boolean;
}

/**
 * The largest offset or limit taken: PostgreSQL's `integer`, which every database and JavaScript
 * hold exactly. A larger number (`offset=99999999999999999999`) is refused rather than passed to
 * the database, which would fail on it.
 */
export const MAX_PAGE_NUMBER = 2_147_483_647;

/** A whole number; a minus sign is dropped, as JupyterHub does (`abs(int(offset))`). */
function integerParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  const number = /^-?\d{1,10}$/.test(text) ? Math.abs(Number(text)) : Number.NaN;
  if (!(number <= MAX_PAGE_NUMBER))
    throw new ApiError(400, `${name} must be a whole number from 0 to ${MAX_PAGE_NUMBER} (got "${text}").`, {
      hint: `Lists come in pages of at most ${MAX_PAGE_LIMIT}; follow _pagination.next for the rest.`,
    });
  return number;
}

export function pageRequest(request: FastifyRequest): PageRequest {
  const envelope = (request.headers.accept ?? '').includes(PAGINATION_MEDIA_TYPE);
  const query = (request.query ?? {}) as Record<string, unknown>;
  const offset = integerParam(query.offset, 'offset') ?? 0;
  const limit = integerParam(query.limit, 'limit') ?? (envelope ? DEFAULT_PAGE_LIMIT : MAX_PAGE_LIMIT);
  return { offset, limit: Math.min(Math.max(limit, 1), MAX_PAGE_LIMIT), envelope };
}

/** The body for a page of `items` out of `total`. */
export function paginated<T>(request: FastifyRequest, page: PageRequest, items: T[], total: number): unknown {
  if (!page.envelope) return items;
  const nextOffset = page.offset + page.limit;
  let next: { offset: number; limit: number; url: string } | null = null;
  if (nextOffset < total) {
    const url = new URL(request.url, `${request.protocol}://${request.host}`);
    url.searchParams.set('offset', String(nextOffset));
    url.searchParams.set('limit', String(page.limit));
    next = { offset: nextOffset, limit: page.limit, url: url.toString() };
  }
  return { items, _pagination: { offset: page.offset, limit: page.limit, total, next } };
}
