/** The caller of a course route as the exchange and the course services see them. */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../exchange/exchange.js';
import { hasScope } from '../scopes.js';
import { requireScope } from './authorize.js';

/** The caller, once the token holds `scope` for acting as themselves. */
export function actorFor(request: FastifyRequest, scope: string): Actor {
  const probe = request.identity?.user.name ?? '';
  const identity = requireScope(request, scope, { user: probe });
  return { name: identity.user.name, admin: hasScope(identity.scopes, 'admin:courses') };
}
