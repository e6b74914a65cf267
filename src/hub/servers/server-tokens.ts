/**
 * The servers' JUPYTERHUB_API_TOKENs through the token area: JupyterHub's `server` role, i.e.
 * the owner's activity, the owner's name and access to the owner's server, nothing else.
 */
import { createServerToken, type TokenService } from '../tokens/index.js';
import type { ServerTokens } from './collaborators.js';

/**
 * `forgetCachedLogins` tells the proxy to drop what it remembers of the user's credentials, so a
 * stopped server's token stops passing the proxy at once rather than when its cache expires. It
 * reports its own failures (services.ts logs them); a stop never fails for it.
 */
export function hubServerTokens(
  tokens: TokenService,
  forgetCachedLogins: (userName: string) => Promise<unknown> = async () => undefined,
): ServerTokens {
  return {
    issue: async (userName) => (await createServerToken(tokens, userName)).token,
    revokeAll: async (userName) => {
      await tokens.revokeAllForUser(userName, 'server');
      await forgetCachedLogins(userName);
    },
  };
}
