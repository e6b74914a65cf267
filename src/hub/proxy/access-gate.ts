/**
 * Decides whether a credential may open a given server of a user (named servers are decided
 * each on its own: a token for alice's default server does not open her server 'x'), without
 * asking the hub on every request. The hub is asked once per (credential, owner, server); its answer is kept for a short TTL,
 * after which the next request asks again. When the hub cannot be reached (it is restarting),
 * answers that ALLOWED access stay usable for up to `maxStaleMs`, so open notebooks keep working
 * through a hub restart; the hub pushes revocations (logout, password change, user deletion,
 * token revocation) through the proxy API so they take effect at once, not after the TTL.
 *
 * Session cookies are checked for their HMAC signature locally first: a forged or mangled cookie
 * never costs a hub round trip.
 */
import { createHash } from 'node:crypto';
import type { Credential } from './credentials.js';

export interface AccessDecision {
  allowed: boolean;
  /** Who the credential belongs to (null: it belongs to nobody, e.g. an unknown token). */
  user: string | null;
  reason?: string;
}

/**
 * Asks the hub about OWNER's server SERVER ('' = the default one). Throws when the hub cannot be
 * reached or does not answer properly.
 */
export type AccessOracle = (
  credential: { kind: 'session'; cookie: string } | { kind: 'token'; token: string },
  owner: string,
  serverName: string,
) => Promise<AccessDecision>;

export type GateResult =
  | { status: 'allowed'; user: string }
  | { status: 'denied'; user: string | null; reason?: string }
  | { status: 'unauthenticated' }
  | { status: 'hub-unreachable' };

export interface AccessGateOptions {
  oracle: AccessOracle;
  /** Pure signature check of the session cookie; returns the session id or null. */
  verifySessionCookie: (value: string) => string | null;
  ttlMs: number;
  maxStaleMs: number;
  /** Refusals are kept only briefly, so a just-granted permission shows up quickly. */
  deniedTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  credentialKey: string;
  decision: AccessDecision;
  /** The decision as a gate result, made once when stored rather than on every cache hit. */
  result: GateResult;
  fetchedAt: number;
}

const UNAUTHENTICATED: GateResult = Object.freeze({ status: 'unauthenticated' });

export interface Revocation {
  /** Session ids (the part of the cookie before the signature). */
  sessions?: string[];
  /** sha256 hex digests of API tokens. */
  tokens?: string[];
  /** Users: every cached answer about their credentials goes. */
  users?: string[];
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class AccessGate {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<GateResult>>();
  private readonly verified = new Map<string, string | null>();
  private readonly options: Required<Omit<AccessGateOptions, 'now'>> & { now: () => number };
  /** Bumped by every revocation, so an answer fetched before it is not stored after it. */
  private generation = 0;

  constructor(options: AccessGateOptions) {
    this.options = {
      deniedTtlMs: Math.min(5_000, options.ttlMs),
      maxEntries: 50_000,
      now: Date.now,
      ...options,
    };
  }

  /**
   * Synchronous when the answer is cached (nearly every request of an open notebook): no promise
   * and no microtask hop per request; a promise only when the hub has to be asked.
   */
  check(credential: Credential, owner: string, serverName = ''): GateResult | Promise<GateResult> {
    if (credential.kind === 'none') return UNAUTHENTICATED;
    let credentialKey: string;
    if (credential.kind === 'session') {
      const sessionId = this.verifiedSessionId(credential.cookie);
      if (sessionId === null) return UNAUTHENTICATED;
      credentialKey = `s:${sessionId}`;
    } else {
      credentialKey = `t:${tokenDigest(credential.token)}`;
    }
    // Usernames have no "/" and server names neither: the key names one server unambiguously.
    const key = `${credentialKey} ${owner}/${serverName}`;
    const cached = this.entries.get(key);
    if (cached) {
      const ttl = cached.decision.allowed ? this.options.ttlMs : this.options.deniedTtlMs;
      if (this.options.now() - cached.fetchedAt < ttl) return cached.result;
    }
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const asked = this.ask(credential, owner, serverName, key, credentialKey).finally(() =>
      this.inflight.delete(key),
    );
    this.inflight.set(key, asked);
    return asked;
  }

  /**
   * The HMAC check, remembered per cookie value: a browser sends the same cookie on every request,
   * and the signature of a given value never changes, so computing it again is pure cost.
   */
  private verifiedSessionId(cookie: string): string | null {
    const known = this.verified.get(cookie);
    if (known !== undefined) return known;
    const sessionId = this.options.verifySessionCookie(cookie);
    if (this.verified.size >= this.options.maxEntries) this.verified.clear();
    this.verified.set(cookie, sessionId);
    return sessionId;
  }

  private async ask(
    credential: Exclude<Credential, { kind: 'none' }>,
    owner: string,
    serverName: string,
    key: string,
    credentialKey: string,
  ): Promise<GateResult> {
    const generation = this.generation;
    try {
      const decision = await this.options.oracle(credential, owner, serverName);
      if (generation === this.generation)
        this.store(key, {
          credentialKey,
          decision,
          result: resultOf(decision),
          fetchedAt: this.options.now(),
        });
      return resultOf(decision);
    } catch {
      const stale = this.entries.get(key);
      if (stale?.decision.allowed && this.options.now() - stale.fetchedAt < this.options.maxStaleMs) {
        return stale.result;
      }
      return { status: 'hub-unreachable' };
    }
  }

  private store(key: string, entry: Entry): void {
    // Re-inserting moves the key to the end, so the Map's order is oldest-first for eviction.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Forgets every cached answer about the given sessions, tokens or users. */
  revoke(revocation: Revocation): number {
    this.generation++;
    const keys = new Set([
      ...(revocation.sessions ?? []).map((id) => `s:${id}`),
      ...(revocation.tokens ?? []).map((digest) => `t:${digest.toLowerCase()}`),
    ]);
    const users = new Set(revocation.users ?? []);
    let removed = 0;
    for (const [key, entry] of this.entries) {
      const user = entry.decision.user;
      if (keys.has(entry.credentialKey) || (user !== null && users.has(user))) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.entries.size;
  }
}

function resultOf(decision: AccessDecision): GateResult {
  if (decision.allowed && decision.user) return { status: 'allowed', user: decision.user };
  if (decision.user === null) return { status: 'unauthenticated' };
  return { status: 'denied', user: decision.user, ...(decision.reason ? { reason: decision.reason } : {}) };
}
