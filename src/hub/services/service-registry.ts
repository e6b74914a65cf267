/**
 * JupyterHub's services as the hub knows them: the configured list (config `services`), each
 * service's API token (from the configuration, from an environment variable, or made at start
 * for a managed service that has none, as JupyterHub does), its scopes, its proxied prefix
 * BASE/services/NAME/ and its OAuth client. The SHA-256 of each token is written to the
 * `services` table at start (`syncToDatabase`), so that a presented token is resolved with one
 * indexed lookup, as a user's token is.
 */
import type { ServiceConfig } from '../../config/schema.js';
import type { ServiceStore } from '../../db/stores/services.js';
import { expandScopes, hasScope, parseScope } from '../scopes.js';
import { hashToken, newTokenSecret } from '../tokens/token-secret.js';
import type { HubUrls } from '../urls.js';
import { ServiceConfigError } from './errors.js';

export interface HubService {
  name: string;
  /** Where it listens (http://...), if it listens at all. */
  url: string | undefined;
  /** BASE/services/NAME/ (JupyterHub's service prefix), proxied to `url`. */
  prefix: string;
  command: string[] | undefined;
  environment: Record<string, string>;
  cwd: string | undefined;
  /** The API token in clear: handed to a managed service, compared (as a hash) for others. */
  apiToken: string | undefined;
  /** The scopes its API token grants, expanded. */
  scopes: Set<string>;
  oauthClientId: string;
  oauthRedirectUri: string;
  oauthNoConfirm: boolean;
  /** What the OAuth client may ask of a user (raw scopes). */
  oauthClientAllowedScopes: string[];
  /** Every user may log in to it, not only holders of access:services (admins). */
  oauthOpenToAllUsers: boolean;
  display: boolean;
  info: Record<string, unknown>;
}

/**
 * The name a service takes in `request.identity.user`. "service:" can never begin a username
 * (src/hub/users/username.ts allows no ":"), so a service is never mistaken for a user of the
 * same name by code that looks users up by the caller's name.
 */
export const SERVICE_IDENTITY_PREFIX = 'service:';

/**
 * Checks a service's scopes at start. Its own token's scopes name no user (a service has no
 * "self"); what its OAuth client may ask for may say `!user`, the user who logs in.
 */
function checkedScopes(
  service: string,
  scopes: readonly string[],
  what: string,
  forUsers: boolean,
): string[] {
  for (const scope of scopes) {
    if (!forUsers && (scope === 'self' || scope.endsWith('!user')))
      throw new ServiceConfigError(
        `Service "${service}" has the scope "${scope}" in ${what}, which needs a user.`,
        {
          hint: 'A service has no "self": name the scopes it needs, e.g. list:users, read:users:activity.',
        },
      );
    try {
      parseScope(scope.endsWith('!user') ? `${scope}=someone` : scope);
    } catch (error) {
      throw new ServiceConfigError(`Service "${service}": ${(error as Error).message}`, {
        hint: (error as { hint?: string }).hint,
      });
    }
  }
  return [...scopes];
}

function serviceOf(
  config: ServiceConfig,
  urls: HubUrls,
  env: Record<string, string | undefined>,
): HubService {
  const prefix = urls.service(config.name);
  let apiToken = config.apiToken;
  if (config.apiTokenEnv !== undefined) {
    apiToken = env[config.apiTokenEnv];
    if (!apiToken)
      throw new ServiceConfigError(
        `Service "${config.name}" takes its API token from the environment variable ${config.apiTokenEnv}, which is not set.`,
        { hint: `Set ${config.apiTokenEnv} for the hub, or give services[].apiToken.` },
      );
  }
  // A managed service is handed its token by the hub: one it was not given is made now.
  if (apiToken === undefined && config.command !== undefined) apiToken = newTokenSecret();
  const scopes = checkedScopes(config.name, config.scopes, 'scopes', false);
  return {
    name: config.name,
    url: config.url?.replace(/\/+$/, ''),
    prefix,
    command: config.command,
    environment: config.environment,
    cwd: config.cwd,
    apiToken,
    // Every service may read its own name (JupyterHub's identify scopes for a service).
    scopes: expandScopes(
      [...scopes, `read:services:name!service=${config.name}`],
      `${SERVICE_IDENTITY_PREFIX}${config.name}`,
    ),
    oauthClientId: config.oauthClientId ?? `service-${config.name}`,
    oauthRedirectUri: config.oauthRedirectUri ?? `${prefix}oauth_callback`,
    oauthNoConfirm: config.oauthNoConfirm,
    oauthClientAllowedScopes: checkedScopes(
      config.name,
      config.oauthClientAllowedScopes,
      'oauthClientAllowedScopes',
      true,
    ),
    oauthOpenToAllUsers: config.oauthAccess === 'all',
    display: config.display,
    info: config.info,
  };
}

export class ServiceRegistry {
  private readonly services: Map<string, HubService>;

  constructor(
    configs: readonly ServiceConfig[],
    urls: HubUrls,
    private readonly store: ServiceStore,
    env: Record<string, string | undefined> = process.env,
  ) {
    this.services = new Map(configs.map((c) => [c.name, serviceOf(c, urls, env)]));
    const clientIds = new Set<string>();
    for (const service of this.services.values()) {
      if (clientIds.has(service.oauthClientId) || service.oauthClientId.startsWith('jupyterhub-user-'))
        throw new ServiceConfigError(
          `Service "${service.name}" has the OAuth client id "${service.oauthClientId}", which is taken.`,
          {
            hint: 'Give each service its own oauthClientId, not starting with jupyterhub-user- (user servers use those).',
          },
        );
      clientIds.add(service.oauthClientId);
    }
  }

  list(): HubService[] {
    return [...this.services.values()];
  }

  get(name: string): HubService | undefined {
    return this.services.get(name);
  }

  byOauthClientId(clientId: string): HubService | undefined {
    return this.list().find((s) => s.oauthClientId === clientId);
  }

  /** Writes the configured services and their tokens' hashes to the database (hub start). */
  async syncToDatabase(now = new Date()): Promise<void> {
    await this.store.replaceAll(
      this.list().map((s) => ({ name: s.name, tokenHash: s.apiToken ? hashToken(s.apiToken) : null })),
      now.toISOString(),
    );
  }

  /** The service this token belongs to, or undefined (then it may be a user's token). */
  async resolveToken(token: string, now = new Date()): Promise<HubService | undefined> {
    const row = await this.store.findByTokenHash(hashToken(token));
    const service = row && this.services.get(row.name);
    if (!row || !service) return undefined;
    // As for users' tokens: at most one write a minute.
    const last = row.lastActivity ? Date.parse(row.lastActivity) : 0;
    if (now.getTime() - last >= 60_000) await this.store.recordUse(row.name, now.toISOString());
    return service;
  }
}

/**
 * JupyterHub's Service model, with the fields `scopes` allow: `read:services` everything,
 * `read:services:name` the name. `pid` is the managed process's (0 when none runs).
 */
export function serviceModel(service: HubService, scopes: Set<string>, pid: number): Record<string, unknown> {
  const target = { service: service.name };
  const model: Record<string, unknown> = { kind: 'service', name: service.name, admin: false };
  if (!hasScope(scopes, 'read:services', target)) return model;
  return {
    ...model,
    roles: [],
    url: service.url ?? '',
    prefix: service.url ? service.prefix : '',
    command: service.command ?? '',
    pid,
    info: service.info,
    display: service.display,
  };
}
