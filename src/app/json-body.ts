/**
 * The hub's JSON body parser. Objects in a request body are made with a null prototype, so
 * `__proto__`, `constructor` or `toString` sent as keys are plain keys like any other: looking up
 * a field the client did not send finds nothing (not Object.prototype's members), and no value
 * from a body can reach an object's prototype, whatever code later copies or merges it. (Fastify's
 * default parser refuses `__proto__` keys with a message that calls valid JSON invalid, and leaves
 * inherited members visible.)
 */
import type { FastifyInstance } from 'fastify';

/** A body that is not JSON: 400, with the parser's reason (the REST API words it, see api-error.ts). */
export class JsonBodyError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: 'FST_ERR_CTP_EMPTY_JSON_BODY' | 'FST_ERR_CTP_INVALID_JSON_BODY',
    message: string,
  ) {
    super(message);
  }
}

/** Copies a parsed object into one without a prototype; arrays and scalars are kept. */
function withoutPrototype(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.assign(Object.create(null) as object, value);
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '')
    throw new JsonBodyError(
      'FST_ERR_CTP_EMPTY_JSON_BODY',
      'the body is empty but its type is application/json',
    );
  try {
    return JSON.parse(text, withoutPrototype);
  } catch (error) {
    throw new JsonBodyError('FST_ERR_CTP_INVALID_JSON_BODY', (error as Error).message);
  }
}

/** Replaces Fastify's JSON parser on `app` with parseJsonBody. */
export function useNullPrototypeJson(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as JsonBodyError, undefined);
    }
  });
}
