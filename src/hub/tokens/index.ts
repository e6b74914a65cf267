/**
 * Public face of the token area. `createToken` is what other areas call (the spawner gives each
 * server a narrow `JUPYTERHUB_API_TOKEN` with `createServerToken`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ROLES } from '../scopes.js';
import { TokenService, type CreateTokenOptions, type TokenRecord } from './token-service.js';

export { TokenService, DEFAULT_ACTIVITY_WRITE_INTERVAL_MS } from './token-service.js';
export type { CreateTokenOptions, TokenRecord, TokenOwner } from './token-service.js';
export { InvalidTokenError, TokenRequestError, TokenScopeError } from './errors.js';
export { hashToken } from './token-secret.js';

export async function createToken(
  db: Kysely<Database>,
  options: CreateTokenOptions,
): Promise<{ token: string; record: TokenRecord }> {
  return new TokenService(db).create(options);
}

/**
 * A token for USER's own Jupyter server: it may report activity and reach only USER's server
 * (JupyterHub's `server` role), nothing else on the hub. Revoke it when the server stops with
 * `new TokenService(db).revokeAllForUser(user, 'server')`.
 */
export async function createServerToken(
  db: Kysely<Database>,
  user: string,
): Promise<{ token: string; record: TokenRecord }> {
  return new TokenService(db).create({
    user,
    kind: 'server',
    note: `Server token for ${user}`,
    scopes: [...ROLES.server!].map((s) => `${s}=${user}`),
  });
}
