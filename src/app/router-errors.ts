/**
 * Answers for requests Fastify's router refuses before any route or hook runs: a path parameter
 * longer than the router takes (414) and a URL that does not decode (400). Fastify's own answers
 * say "Bad Request" for both and echo the whole URL; under the REST API these are JupyterHub's
 * JSON error shape, elsewhere plain text.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SECURITY_HEADERS } from '../web/security-headers.js';

export function routerErrorHandler(apiPrefix: string) {
  return (error: { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const [status, message] =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [
            414,
            'The URL is too long: a name in it is longer than any user, group or token name can be. Check the link.',
          ]
        : [400, 'The URL is not valid: it has a percent sign that is not followed by two hex digits.'];
    request.log.info({ status, code: error.code }, 'request refused by the router');
    // No hook runs for these requests: the security headers are added here.
    void reply.headers(SECURITY_HEADERS);
    if (request.url.startsWith(apiPrefix)) void reply.code(status).send({ status, message });
    else void reply.code(status).type('text/plain; charset=utf-8').send(message);
  };
}
