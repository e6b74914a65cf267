/**
 * Public face of the token area. The spawner gives each server a narrow `JUPYTERHUB_API_TOKEN`
 * with `createServerToken`.
 */
import { ROLES } from '../scopes.js';
import type { TokenRecord, TokenService } from './token-service.js';

export {
  TokenService,
  DEFAULT_ACTIVITY_WRITE_INTERVAL_MS,
  MAX_TOKEN_LIFETIME_SECONDS,
  expiresInProblem,
} from './token-service.js';
export type { CreateTokenOptions, TokenRecord, TokenOwner } from './token-service.js';
export { InvalidTokenError, TokenRequestError, TokenScopeError } from './errors.js';
export { hashToken } from './token-secret.js';

/**
 * A token for USER's own Jupyter server: it may report activity and reach only USER's server
 * (JupyterHub's `server` role), nothing else on the hub. Revoke it when the server stops with
 * `tokens.revokeAllForUser(user, 'server')`.
 */
export async function createServerToken(
  tokens: TokenService,
  user: string,
): Promise<{ token: string; record: TokenRecord }> {
  return tokens.create({
    user,
    kind: 'server',
    note: `Server token for ${user}`,
    scopes: [...ROLES.server!].map((s) => `${s}=${user}`),
  });
}
