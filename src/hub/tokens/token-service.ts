/**
 * API tokens: create (shown once), list, look up, revoke, resolve a presented token.
 * See token-secret.ts for why only a SHA-256 is stored.
 */
import type { TokenKind, TokenRecord, TokenStore } from '../../db/stores/tokens.js';
import { expandScopes, parseScope, roleScopes, scopesBeyond } from '../scopes.js';
import { InvalidTokenError, TokenRequestError, TokenScopeError } from './errors.js';
import { hashToken, newTokenSecret, tokenPrefix } from './token-secret.js';

export type { TokenKind, TokenOwner, TokenRecord } from '../../db/stores/tokens.js';

/**
 * `last_activity` is written at most this often per token. A script polling the API several times
 * a second would otherwise turn every read into a write (and SQLite has one writer at a time);
 * "last used" only needs minute precision to spot idle or forgotten tokens.
 */
export const DEFAULT_ACTIVITY_WRITE_INTERVAL_MS = 60_000;

export interface CreateTokenOptions {
  /** Owner's name. */
  user: string;
  note?: string;
  /** Default `['inherit']`: everything the owner may do (as JupyterHub's default token role). */
  scopes?: string[];
  /**
   * Seconds until the token stops working, a whole number from 1 to MAX_TOKEN_LIFETIME_SECONDS;
   * undefined, null or 0 = never (see expiresInProblem).
   */
  expiresInSeconds?: number | null;
  kind?: TokenKind;
  /** For kind 'oauth': the client it is issued to and the public id of the login it came from. */
  oauthClientId?: string;
  sessionId?: string | null;
  /**
   * Scopes the hub itself grants with an OAuth token (access to the client that asked for it),
   * which the owner's roles need not hold: stored with `scopes`, not checked against the owner.
   */
  hubGrantedScopes?: string[];
  /**
   * Scopes of whoever asks for the token (e.g. an admin making one for a student). The new token
   * may hold neither more than its owner nor more than its requester. Omitted = the owner asks.
   */
  requesterScopes?: Set<string>;
}

/**
 * The longest lifetime a token may be given: 100 years. Far beyond any use, and far inside what a
 * date can hold (`expires_in: 1e16` would overflow one and fail the request with a 500).
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 3_155_760_000;

/**
 * Why `value` cannot be a token's `expires_in`, or undefined when it can. 0 and null mean "never
 * expires", as JupyterHub 5 documents for POST /users/{name}/tokens ("Omit, or specify null or 0
 * for no expiration"); JupyterHub also takes only whole numbers. So 0 is not refused here: a
 * client written for JupyterHub that sends it means "no expiry".
 */
export function expiresInProblem(value: unknown): string | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= MAX_TOKEN_LIFETIME_SECONDS
  )
    return undefined;
  return `"expires_in" must be null, 0 (no expiry) or a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS} (100 years); got ${JSON.stringify(value) ?? String(value)}.`;
}

export class TokenService {
  constructor(
    private readonly store: TokenStore,
    private readonly activityWriteIntervalMs = DEFAULT_ACTIVITY_WRITE_INTERVAL_MS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Makes a token and returns its secret: the only time the secret exists outside the caller. */
  async create(options: CreateTokenOptions): Promise<{ token: string; record: TokenRecord }> {
    const owner = await this.owner(options.user);
    const scopes = [...new Set(options.scopes ?? ['inherit'])];
    for (const scope of scopes) {
      try {
        parseScope(scope);
      } catch (error) {
        throw new TokenRequestError((error as Error).message, { hint: (error as { hint?: string }).hint });
      }
    }
    for (const [who, held] of [
      [`user ${owner.name}`, roleScopes(owner)],
      ['you', options.requesterScopes],
    ] as const) {
      if (!held) continue;
      // Checked per requested scope so the message names what was asked for, not its expansion.
      const beyond = scopes.filter((s) => scopesBeyond(expandScopes([s], owner.name), held).length > 0);
      if (beyond.length > 0)
        throw new TokenScopeError(
          `Not assigning requested scopes ${beyond.sort().join(', ')}: ${who} does not hold them.`,
          { hint: 'Ask only for scopes the token owner (and you) already have.' },
        );
    }
    scopes.push(...(options.hubGrantedScopes ?? []).filter((s) => !scopes.includes(s)));
    const expires = options.expiresInSeconds;
    const expiryProblem = expiresInProblem(expires);
    if (expiryProblem) throw new TokenRequestError(expiryProblem);
    const note = options.note ?? '';
    if (note.length > 1000) throw new TokenRequestError('The token note is longer than 1000 characters.');

    const token = newTokenSecret();
    const created = this.now().toISOString();
    const expiresAt = expires ? new Date(this.now().getTime() + expires * 1000).toISOString() : null;
    const kind = options.kind ?? 'api';
    const oauthClientId = options.oauthClientId ?? null;
    const sessionId = options.sessionId ?? null;
    const id = await this.store.insert({
      oauthClientId,
      sessionId,
      ownerId: owner.id,
      hash: hashToken(token),
      prefix: tokenPrefix(token),
      note,
      scopes,
      kind,
      created,
      expiresAt,
    });
    return {
      token,
      record: {
        id,
        owner,
        prefix: tokenPrefix(token),
        note,
        scopes,
        kind,
        created,
        expiresAt,
        lastActivity: null,
        oauthClientId,
        sessionId,
      },
    };
  }

  /** The token's owner and record, or throws InvalidTokenError (unknown, revoked or expired). */
  async resolve(token: string): Promise<TokenRecord> {
    const record = await this.store.findByHash(hashToken(token));
    if (!record)
      throw new InvalidTokenError('The API token is not valid: it is unknown or has been revoked.', {
        hint: 'Create a new token (coursehub token create NAME, or the REST API) and use that.',
      });
    const now = this.now();
    if (record.expiresAt && new Date(record.expiresAt) <= now)
      throw new InvalidTokenError(`The API token expired at ${record.expiresAt}.`, {
        hint: 'Create a new token and use that.',
      });
    await this.touch(record, now);
    return record;
  }

  async list(userName: string): Promise<TokenRecord[]> {
    return this.store.listOfUser(userName);
  }

  async get(userName: string, id: number): Promise<TokenRecord | undefined> {
    return this.store.findOfUser(userName, id);
  }

  /** Deletes one of the user's tokens; false if there was none with that id. */
  async revoke(userName: string, id: number): Promise<boolean> {
    return this.store.deleteOfUser(userName, id);
  }

  /** Revokes all of a user's tokens of one kind (e.g. a stopped server's) or of every kind. */
  async revokeAllForUser(userName: string, kind?: TokenKind): Promise<number> {
    return this.store.deleteAllOfUser(userName, kind);
  }

  /** Revokes the OAuth tokens issued under these hub logins (JupyterHub does so at logout). */
  async revokeOfSessions(sessionIds: readonly string[]): Promise<number> {
    return this.store.deleteOfSessions(sessionIds);
  }

  /** Every scope list this user already granted this OAuth client (in tokens still alive). */
  async scopesGrantedTo(userId: number, oauthClientId: string): Promise<string[][]> {
    return this.store.scopesGrantedTo(userId, oauthClientId);
  }

  private async touch(record: TokenRecord, now: Date): Promise<void> {
    const last = record.lastActivity ? new Date(record.lastActivity).getTime() : 0;
    if (now.getTime() - last < this.activityWriteIntervalMs) return;
    record.lastActivity = now.toISOString();
    await this.store.recordUse(record, record.lastActivity);
  }

  private async owner(name: string): Promise<TokenRecord['owner']> {
    const owner = await this.store.owner(name);
    if (!owner)
      throw new TokenRequestError(`No user named "${name}".`, {
        hint: 'Create the user first (coursehub users import, or the admin console).',
      });
    return owner;
  }
}
