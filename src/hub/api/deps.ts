/**
 * What the API routes work with, built once per app from the HubContext.
 */
import type { HubContext } from '../context.js';
import { TokenService } from '../tokens/index.js';
import { UserService } from '../users/user-service.js';

export interface ApiDeps {
  ctx: HubContext;
  users: UserService;
  tokens: TokenService;
  /**
   * Ends every browser session of a user (deleting a user must log them out everywhere). The
   * login area's SessionStore.revokeAllForUser; absent when no session store is running.
   */
  revokeSessions?: (userName: string) => Promise<unknown>;
}

export function apiDeps(ctx: HubContext, extra: Partial<ApiDeps> = {}): ApiDeps {
  return {
    ctx,
    users: extra.users ?? ctx.users ?? new UserService(ctx.db),
    tokens: extra.tokens ?? new TokenService(ctx.db),
    // Looked up at call time: ctx.auth is set when the login area registers, which may be later.
    revokeSessions:
      extra.revokeSessions ?? ((name) => ctx.auth?.sessions.revokeAllForUser(name) ?? Promise.resolve(0)),
  };
}
