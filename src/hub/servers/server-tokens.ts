/**
 * The servers' JUPYTERHUB_API_TOKENs through the token area: JupyterHub's `server` role, i.e.
 * the owner's activity, the owner's name and access to that one server, nothing else; one token
 * per server, so that stopping a named server leaves the others' tokens working.
 */
import { createServerToken, revokeServerTokens, type TokenService } from '../tokens/index.js';
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
    issue: async (userName, serverName) => (await createServerToken(tokens, userName, serverName)).token,
    revoke: async (userName, serverName) => {
      await revokeServerTokens(tokens, userName, serverName);
      await forgetCachedLogins(userName);
    },
  };
}
