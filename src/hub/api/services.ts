/**
 * GET /hub/api/services and /hub/api/services/{name}: JupyterHub's Service model of each
 * configured service, with the fields the caller's `read:services` / `read:services:name` scopes
 * allow (per service: `!service=NAME` filters count). A caller with no services scope gets 403; a
 * service the caller may not see is left out of the list and answered 404 by name, as in JupyterHub.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Identity } from '../identity.js';
import { hasAnyScope, hasScope } from '../scopes.js';
import { serviceModel, type HubService, type ServiceRegistry } from '../services/service-registry.js';
import { ApiError } from './api-error.js';
import { requireIdentity } from './authorize.js';

export interface ServiceApiDeps {
  services: ServiceRegistry;
  /** The pid of a managed service's process, 0 when none runs. */
  servicePid: (name: string) => number;
}

const READ_SCOPES = ['read:services', 'read:services:name', 'list:services'];

function visible(scopes: Set<string>, service: HubService): boolean {
  return READ_SCOPES.some((scope) => hasScope(scopes, scope, { service: service.name }));
}

/** 403 for a caller with no services scope at all (as JupyterHub's needs_scope); then filtered. */
function requireAnyServiceScope(request: FastifyRequest): Identity {
  const identity = requireIdentity(request);
  if (!READ_SCOPES.some((scope) => hasAnyScope(identity.scopes, scope)))
    throw new ApiError(
      403,
      'Action is not authorized with current scopes; requires any of [list:services, read:services].',
    );
  return identity;
}

export function registerServiceRoutes(api: FastifyInstance, deps: ServiceApiDeps): void {
  api.get('/services', async (request) => {
    const identity = requireAnyServiceScope(request);
    const shown = deps.services.list().filter((s) => visible(identity.scopes, s));
    return shown.map((s) => serviceModel(s, identity.scopes, deps.servicePid(s.name)));
  });

  api.get<{ Params: { name: string } }>('/services/:name', async (request) => {
    const identity = requireAnyServiceScope(request);
    const service = deps.services.get(request.params.name);
    if (!service || !visible(identity.scopes, service))
      throw new ApiError(404, `No such service: ${request.params.name}.`);
    return serviceModel(service, identity.scopes, deps.servicePid(service.name));
  });
}
