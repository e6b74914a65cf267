/**
 * JupyterHub's scope model (RBAC): scope names, which scopes imply which, roles as named scope
 * sets, `!user=NAME` / `!group=NAME` / `!server=USER/NAME` filters, and the one check every route
 * makes. Pure: no database; group membership of a target comes in as an argument.
 *
 * A scope string is `BASE` (everything of that kind) or `BASE!KIND=VALUE` (only that object).
 * Filters on the same base are additive, as in JupyterHub.
 */
import { CoursehubError } from '../util/errors.js';

export class UnknownScopeError extends CoursehubError {}

/** Every scope coursehub knows, with the scopes it implies (JupyterHub's hierarchy). */
const SUBSCOPES: Record<string, readonly string[]> = {
  'admin:users': ['users', 'admin:auth_state', 'admin:server_state', 'read:roles:users'],
  users: ['read:users', 'list:users', 'users:activity'],
  'read:users': ['read:users:name', 'read:users:groups', 'read:users:activity'],
  'list:users': ['read:users:name'],
  'read:users:name': [],
  'read:users:groups': [],
  'read:users:activity': [],
  'users:activity': ['read:users:activity'],
  'admin:auth_state': [],
  'admin:server_state': [],
  'read:roles:users': [],
  'read:roles:groups': [],
  'admin:servers': ['servers', 'admin:server_state'],
  servers: ['read:servers', 'delete:servers'],
  'read:servers': ['read:users:name'],
  'delete:servers': [],
  'access:servers': [],
  tokens: ['read:tokens'],
  'read:tokens': [],
  'admin:groups': ['groups', 'read:roles:groups'],
  groups: ['read:groups', 'list:groups'],
  'read:groups': ['read:groups:name'],
  'list:groups': ['read:groups:name'],
  'read:groups:name': [],
  'read:metrics': [],
  // JupyterHub's services (src/hub/services/).
  'admin:services': ['list:services', 'read:services'],
  'list:services': ['read:services:name'],
  'read:services': ['read:services:name'],
  'read:services:name': [],
  'access:services': [],
  'read:hub': [],
  'admin-ui': [],
  proxy: [],
  shutdown: [],
  // Courses and the exchange. A scope says what a token may do in the course API; the caller's
  // role in each course (instructor, grader, student) then says in which course.
  'admin:courses': ['courses'],
  courses: ['read:courses', 'courses:submit', 'courses:grade', 'courses:manage'],
  'read:courses': [],
  'courses:submit': [],
  'courses:grade': [],
  'courses:manage': [],
};

/**
 * Scopes that `self` stands for, each limited to the user's own objects. Like JupyterHub's
 * `self`: a user may read and act on their own model, servers and tokens, never change their
 * own admin flag (that needs `admin:users`).
 */
const SELF_SCOPES = ['read:users', 'users:activity', 'servers', 'access:servers', 'tokens'] as const;

/** The built-in roles (JupyterHub's `user`, `admin`, `server`, `token`). */
export const ROLES: Record<string, readonly string[]> = {
  // `courses!user`: the course API acting as the user (their course roles decide the rest).
  user: ['self', 'courses!user'],
  admin: [
    'admin-ui',
    'admin:users',
    'admin:servers',
    'tokens',
    'admin:groups',
    'access:servers',
    'list:services',
    'read:services',
    'access:services',
    'read:metrics',
    'read:hub',
    'proxy',
    'shutdown',
    'admin:courses',
  ],
  // What a user's own Jupyter server gets in JUPYTERHUB_API_TOKEN (see createServerToken): with
  // `courses!user`, the nbgrader commands work from a terminal in the user's server. Access to
  // that server only (`!server`, as JupyterHub's role), not to the user's other named servers.
  server: ['users:activity!user', 'access:servers!server', 'read:users:name!user', 'courses!user'],
};

export const KNOWN_SCOPES: readonly string[] = Object.keys(SUBSCOPES);

export interface ParsedScope {
  base: string;
  /** `undefined` = every object; otherwise e.g. `{kind: 'user', value: 'alice'}`. */
  filter?: { kind: 'user' | 'group' | 'server' | 'service'; value: string };
}

export function parseScope(scope: string): ParsedScope {
  const bang = scope.indexOf('!');
  const base = bang < 0 ? scope : scope.slice(0, bang);
  // Own keys only: "constructor" or "toString" are not scopes because SUBSCOPES is an object.
  if (!Object.hasOwn(SUBSCOPES, base) && base !== 'self' && base !== 'inherit')
    throw new UnknownScopeError(`Unknown scope "${base}".`, {
      hint: `Known scopes: self, inherit, ${KNOWN_SCOPES.join(', ')}.`,
    });
  if (bang < 0) return { base };
  const match = /^(user|group|server|service)=(.+)$/.exec(scope.slice(bang + 1));
  if (!match)
    throw new UnknownScopeError(`Scope filter in "${scope}" is not understood.`, {
      hint: 'Write a filter as !user=NAME, !group=NAME, !server=USER/NAME or !service=NAME.',
    });
  return { base, filter: { kind: match[1] as 'user' | 'group' | 'server' | 'service', value: match[2]! } };
}

function formatScope(s: ParsedScope): string {
  return s.filter ? `${s.base}!${s.filter.kind}=${s.filter.value}` : s.base;
}

/**
 * Expands scopes (and `self` for `userName`) into the full set they imply; filters are carried
 * down to implied scopes. A bare `!user` filter (as in the `server` role) means the owner.
 * `inherit` is resolved by `intersectScopes`, not here.
 */
export function expandScopes(scopes: Iterable<string>, userName: string): Set<string> {
  const out = new Set<string>();
  const visit = (s: ParsedScope): void => {
    const key = formatScope(s);
    if (out.has(key)) return;
    out.add(key);
    for (const sub of SUBSCOPES[s.base] ?? []) visit({ base: sub, filter: s.filter });
  };
  for (const raw of scopes) {
    // A bare `!server` (the `server` role given to a token by name) is the default server.
    const scope = raw.endsWith('!user')
      ? `${raw}=${userName}`
      : raw.endsWith('!server')
        ? `${raw}=${userName}/`
        : raw;
    const parsed = parseScope(scope);
    if (parsed.base === 'inherit') {
      out.add('inherit');
      continue;
    }
    if (parsed.base === 'self') {
      for (const selfScope of SELF_SCOPES)
        visit({ base: selfScope, filter: { kind: 'user', value: userName } });
      continue;
    }
    visit(parsed);
  }
  return out;
}

/** The scopes of a user's roles: admins get the admin role, everyone the user role. */
export function roleScopes(user: { name: string; admin: boolean }): Set<string> {
  const roles = user.admin ? ['user', 'admin'] : ['user'];
  return expandScopes(
    roles.flatMap((r) => ROLES[r] ?? []),
    user.name,
  );
}

export function roleNames(user: { admin: boolean }): string[] {
  return user.admin ? ['admin', 'user'] : ['user'];
}

/**
 * What a token may do: its own scopes, but never more than its owner has now (the owner may have
 * lost admin since the token was made). `inherit` (the default for a token) = all of the owner's.
 * A token scope survives if the owner holds the same base unfiltered, or holds exactly that
 * filter; an unfiltered token scope narrows to the owner's filtered ones.
 */
export function intersectScopes(tokenScopes: Set<string>, ownerScopes: Set<string>): Set<string> {
  if (tokenScopes.has('inherit')) return new Set(ownerScopes);
  const out = new Set<string>();
  for (const scope of tokenScopes) {
    const t = parseScope(scope);
    if (ownerScopes.has(t.base)) out.add(scope);
    else if (ownerScopes.has(scope)) out.add(scope);
    // One server of a user is within that user: `!server=alice/x` under `!user=alice`.
    else if (t.filter?.kind === 'server' && ownerScopes.has(`${t.base}!user=${t.filter.value.split('/')[0]}`))
      out.add(scope);
    else if (!t.filter)
      for (const owned of ownerScopes) if (parseScope(owned).base === t.base) out.add(owned);
  }
  return out;
}

/** Scopes in `requested` that `owner` does not hold (empty = the request is allowed). */
export function scopesBeyond(requested: Set<string>, ownerScopes: Set<string>): string[] {
  const allowed = intersectScopes(requested, ownerScopes);
  return [...requested].filter((s) => s !== 'inherit' && !allowed.has(s));
}

/** The object a route acts on, so filters can be matched. */
export interface ScopeTarget {
  user?: string;
  /** Groups `user` belongs to (for `!group=` filters on user scopes). */
  userGroups?: readonly string[];
  group?: string;
  server?: string;
  service?: string;
}

/**
 * True if `scopes` grant `needed` on `target`. With no target, only an unfiltered scope counts
 * (e.g. listing every user needs `list:users` itself).
 */
export function hasScope(scopes: Set<string>, needed: string, target: ScopeTarget = {}): boolean {
  if (scopes.has(needed)) return true;
  if (target.user !== undefined) {
    if (scopes.has(`${needed}!user=${target.user}`)) return true;
    for (const g of target.userGroups ?? []) if (scopes.has(`${needed}!group=${g}`)) return true;
  }
  if (target.group !== undefined && scopes.has(`${needed}!group=${target.group}`)) return true;
  if (target.server !== undefined && scopes.has(`${needed}!server=${target.server}`)) return true;
  if (target.service !== undefined && scopes.has(`${needed}!service=${target.service}`)) return true;
  return false;
}

/** The objects a filtered scope is limited to, e.g. users for `list:users!user=...`. */
export function filteredNames(scopes: Set<string>, base: string, kind: 'user' | 'group'): string[] {
  const names: string[] = [];
  for (const s of scopes) {
    const p = parseScope(s);
    if (p.base === base && p.filter?.kind === kind) names.push(p.filter.value);
  }
  return names;
}

/** True if any scope (filtered or not) with this base is held. */
export function hasAnyScope(scopes: Set<string>, base: string): boolean {
  for (const s of scopes) if (s === base || s.startsWith(`${base}!`)) return true;
  return false;
}
