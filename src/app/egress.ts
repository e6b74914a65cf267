/**
 * The user servers' egress policy (src/sandbox/egress-policy.ts) from the configuration: what
 * `spawner.network` says, the hub's API as the servers are told to reach it, and the hub's own
 * services that servers must not reach wherever they run (the proxy's API, PostgreSQL).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CoursehubConfig } from '../config/schema.js';
import { EgressPolicy, type HostPort } from '../sandbox/egress-policy.js';
import { userAccountUids } from '../sandbox/unix-accounts.js';

/** Host and port of an http(s) or postgresql URL (default port by scheme), or undefined. */
function hostPortOf(url: string, name: string): HostPort | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const defaults: Record<string, number> = {
    'http:': 80,
    'https:': 443,
    'postgres:': 5432,
    'postgresql:': 5432,
  };
  const port = parsed.port ? Number(parsed.port) : defaults[parsed.protocol];
  if (!parsed.hostname || port === undefined) return undefined;
  return { host: parsed.hostname, port, name };
}

export function egressPolicyFromConfig(
  config: CoursehubConfig,
  hubApiUrl: () => string,
  log: FastifyBaseLogger,
): EgressPolicy {
  const { network, local } = config.spawner;
  const { apiIp, apiPort } = config.proxy;
  const database = config.db.url ? hostPortOf(config.db.url, 'hub database') : undefined;
  return new EgressPolicy({
    mode: network.policy,
    table: network.table,
    allow: network.allow,
    deny: network.deny,
    reach: () => [hostPortOf(hubApiUrl(), 'hub API')].filter((e): e is HostPort => e !== undefined),
    // On this host they are refused with every local address; named, they stay refused elsewhere.
    protect: [
      ...(['0.0.0.0', '::'].includes(apiIp) ? [] : [{ host: apiIp, port: apiPort, name: 'proxy API' }]),
      ...(database ? [database] : []),
    ],
    coveredAccounts: () => userAccountUids(local.homeRoot),
    log,
  });
}
