/**
 * Removing a user: the one way, used by the REST API, the admin console and the roster prune
 * (`users import --prune` and the import at start). In this order:
 *   1. their servers stop (as JupyterHub does, so no process keeps running under a name nobody
 *      owns), and the spawner deletes what it keeps for them for good (delete_forever: their
 *      account, their home archived); a server that is still starting refuses the removal
 *      (ServerRequestError 400);
 *   2. their API tokens and browser sessions are revoked. This happens while the user's row still
 *      exists: the session store tells its listeners (the proxy) which session ids ended, which
 *      the foreign-key cascade of step 5 could not (see migration 0020);
 *   3. the proxy forgets what it cached of their logins;
 *   4. their proxy route goes (stopping the server removed it already; a route left over from a
 *      crash goes too);
 *   5. the row goes, and with it (by cascade) their password and group memberships.
 * Steps 3 and 4 are best effort: a proxy that cannot be reached forgets the logins within its
 * cache TTL anyway, and has no route for a stopped server to keep.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { UserStore } from '../../db/stores/users.js';
import { UserNotFoundError } from './errors.js';

/** What removal needs of the other areas (the ServerManager, TokenService, SessionStore, ProxyClient fit). */
export interface UserRemovalDeps {
  users: UserStore;
  servers: { stopAndDeleteAllOf(userName: string): Promise<void> };
  tokens: { revokeAllForUser(userName: string): Promise<number> };
  sessions: { revokeAllForUser(userName: string): Promise<number> };
  proxy: {
    revoke(revocation: { users: string[] }): Promise<unknown>;
    deleteUserServer(user: string): Promise<void>;
  };
  log: FastifyBaseLogger;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class UserRemoval {
  constructor(private readonly deps: UserRemovalDeps) {}

  /** Removes the user everywhere; returns their (normalized) name. UserNotFoundError if none. */
  async remove(rawName: string): Promise<string> {
    const { users, servers, tokens, sessions, proxy, log } = this.deps;
    const name = rawName.trim().toLowerCase();
    if (!(await users.findByName(name)))
      throw new UserNotFoundError(`No user named ${name}.`, {
        hint: 'Check the name; `coursehub users import` and the admin console list who exists.',
      });
    await servers.stopAndDeleteAllOf(name);
    const revoked = {
      tokens: await tokens.revokeAllForUser(name),
      sessions: await sessions.revokeAllForUser(name),
    };
    // The reason only, not the stack: `users import --prune` prints these lines on a terminal, and
    // a proxy that is not running (no hub started yet) is no bug.
    await proxy
      .revoke({ users: [name] })
      .catch((err: unknown) =>
        log.warn(
          { user: name, reason: reasonOf(err) },
          'could not tell the proxy to forget a removed user; its cache expires',
        ),
      );
    await proxy
      .deleteUserServer(name)
      .catch((err: unknown) =>
        log.debug({ user: name, reason: reasonOf(err) }, 'no proxy route removed for a removed user'),
      );
    await users.delete(name);
    log.info({ user: name, ...revoked }, 'user removed');
    return name;
  }
}
