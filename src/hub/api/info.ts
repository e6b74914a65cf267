/**
 * /hub/api (version), /hub/api/info (what the hub runs) and /hub/api/user (who am I).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { requireIdentity, requireScope } from './authorize.js';
import type { ApiDeps } from './deps.js';
import { ApiError } from './api-error.js';
import { userModel } from './user-model.js';
import { serviceModel } from '../services/service-registry.js';

/**
 * The JupyterHub REST API version whose shapes this API follows. Clients such as
 * jupyterhub-singleuser compare it with their own and only warn on a mismatch, so it names the
 * API we are compatible with rather than coursehub's own version (reported as `coursehub`).
 */
export const JUPYTERHUB_API_VERSION = '5.0.0';

// Same relative path from src/hub/api/ and from the build output dist/hub/api/.
const COURSEHUB_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function registerInfoRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/', async () => ({ version: JUPYTERHUB_API_VERSION, coursehub: COURSEHUB_VERSION }));

  api.get('/info', async (request) => {
    requireScope(request, 'read:hub');
    const config = deps.config as unknown as Record<string, Record<string, unknown> | undefined>;
    return {
      version: JUPYTERHUB_API_VERSION,
      coursehub: COURSEHUB_VERSION,
      node: process.version,
      sys_executable: process.execPath,
      authenticator: { class: String(config.auth?.authenticator ?? 'unknown'), version: COURSEHUB_VERSION },
      spawner: {
        class: String(config.spawner?.kind ?? config.spawner?.name ?? 'unknown'),
        version: COURSEHUB_VERSION,
      },
    };
  });

  api.get('/user', async (request) => {
    const identity = requireIdentity(request);
    // A service's token: JupyterHub's Service model with kind 'service' (always its own name).
    const service = identity.service === undefined ? undefined : deps.services.get(identity.service);
    if (service)
      return {
        ...serviceModel(service, identity.scopes, deps.servicePid(service.name)),
        scopes: [...identity.scopes].sort(),
        token_id: null,
        session_id: null,
      };
    const user = await deps.users.get(identity.user.name);
    if (!user) throw new ApiError(404, `No such user: ${identity.user.name}.`);
    // Any token may identify its owner: name and groups are shown whatever its scopes (as
    // JupyterHub's identify scopes), but not listed among the token's scopes.
    const identify = [`read:users:name!user=${user.name}`, `read:users:groups!user=${user.name}`];
    const model = await userModel(deps.serverFields, user, new Set([...identity.scopes, ...identify]));
    return {
      ...model,
      scopes: [...identity.scopes].sort(),
      token_id: identity.tokenId === undefined ? null : `a${identity.tokenId}`,
      // The login an OAuth token was issued under (JupyterHub 2+); null for other credentials.
      session_id: identity.sessionId ?? null,
    };
  });
}
