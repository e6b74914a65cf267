/**
 * The servers' JUPYTERHUB_API_TOKENs through the token area: JupyterHub's `server` role, i.e.
 * the owner's activity, the owner's name and access to the owner's server, nothing else.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { createServerToken, TokenService } from '../tokens/index.js';
import type { ServerTokens } from './server-manager.js';

export function hubServerTokens(db: Kysely<Database>): ServerTokens {
  return {
    issue: async (userName) => (await createServerToken(db, userName)).token,
    revokeAll: async (userName) => {
      await new TokenService(db).revokeAllForUser(userName, 'server');
    },
  };
}
