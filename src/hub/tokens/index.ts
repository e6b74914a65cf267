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
 * A token for one of USER's Jupyter servers (SERVER '' = the default one): it may report USER's
 * activity and reach only that server (JupyterHub's `server` role, whose `access:servers!server`
 * names the server the token is for), nothing else on the hub. Revoke it when the server stops
 * with `revokeServerTokens`.
 */
export async function createServerToken(
  tokens: TokenService,
  user: string,
  serverName = '',
): Promise<{ token: string; record: TokenRecord }> {
  return tokens.create({
    user,
    kind: 'server',
    note: `Server token for ${user}${serverName ? `/${serverName}` : ''}`,
    scopes: [...ROLES.server!].map((s) =>
      s.endsWith('!server') ? `${s}=${user}/${serverName}` : `${s}=${user}`,
    ),
  });
}

/**
 * Whether a server token is the one of USER's server SERVER: by the server its access scope
 * names. A token made before servers had their own (its access scope names the user) counts as
 * the default server's.
 */
function isTokenOfServer(record: TokenRecord, user: string, serverName: string): boolean {
  if (record.kind !== 'server') return false;
  const own = record.scopes.find((s) => s.startsWith('access:servers!server='));
  return own === undefined ? serverName === '' : own === `access:servers!server=${user}/${serverName}`;
}

/** Revokes the tokens of one of USER's servers (those of their other servers keep working). */
export async function revokeServerTokens(
  tokens: TokenService,
  user: string,
  serverName: string,
): Promise<void> {
  for (const record of await tokens.list(user))
    if (isTokenOfServer(record, user, serverName)) await tokens.revoke(user, record.id);
}
