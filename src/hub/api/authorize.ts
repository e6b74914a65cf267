/**
 * The one check every API route makes: does the caller hold the scope for this object?
 * Anonymous callers and callers without the scope both get 403, as in JupyterHub; the message
 * names the scope that would have been needed.
 */
import type { FastifyRequest } from 'fastify';
import type { Identity } from '../identity.js';
import { hasScope, type ScopeTarget } from '../scopes.js';
import { ApiError } from './api-error.js';

export function requireIdentity(request: FastifyRequest): Identity {
  if (!request.identity)
    throw new ApiError(
      403,
      'Missing or invalid credentials. Log in, or send an API token as "Authorization: token TOKEN".',
    );
  return request.identity;
}

/** Throws 403 unless the caller holds one of `scopes` for `target`; returns the caller. */
export function requireScope(
  request: FastifyRequest,
  scopes: string | string[],
  target: ScopeTarget = {},
): Identity {
  const identity = requireIdentity(request);
  const needed = Array.isArray(scopes) ? scopes : [scopes];
  if (needed.some((scope) => hasScope(identity.scopes, scope, target))) return identity;
  const what = target.user ? ` for user ${target.user}` : target.group ? ` for group ${target.group}` : '';
  throw new ApiError(
    403,
    `Action is not authorized with current scopes; requires any of [${needed.join(', ')}]${what}.`,
  );
}
