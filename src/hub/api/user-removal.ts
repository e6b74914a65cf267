/**
 * Deleting a user, everywhere at once (REST API and admin console use this one function):
 * their running server is stopped first (as JupyterHub does, so no orphan process keeps running
 * under a name nobody owns), then the row goes (API tokens and group memberships go with it by
 * foreign-key cascade), then every browser session of theirs ends.
 * A server that is still starting refuses the deletion (ServerRequestError 400): try again when
 * it is up.
 */
import type { HubContext } from '../context.js';
import type { UserService } from '../users/user-service.js';

export async function deleteUserEverywhere(
  ctx: HubContext,
  users: UserService,
  name: string,
  revokeSessions: (name: string) => Promise<unknown> = (n) =>
    ctx.auth?.sessions.revokeAllForUser(n) ?? Promise.resolve(0),
): Promise<void> {
  if (ctx.servers) await (await ctx.servers.stop(name)).done;
  await users.delete(name);
  await revokeSessions(name);
}
