/**
 * The egress policy of sandboxed accounts (user servers), held by nftables rules that match the
 * owner of each outgoing socket (egress-ruleset.ts says which rules, in which order, and why).
 *
 * Why owner matching on the host, and not a network namespace per server: a namespace would give
 * each server its own loopback, but then the proxy must reach the server over a veth pair with an
 * address per server, the server must reach the hub's API (which listens on loopback) through
 * NAT, and the outside through forwarding and masquerading, all of it made, found again after a
 * hub restart and removed per server. Nor kernels on Unix sockets (`ipc` transport) with loopback
 * closed: ipykernel still sends its forked children's output over loopback TCP, the debugger
 * listens on it, and students run local services (Dask, a Flask app under test) and tools that
 * start kernels of their own (papermill). One table, one set of uids, and a check of who answers
 * a loopback connection have none of those parts and break none of that: the server keeps the
 * host's network and listens on loopback for the proxy as before, and an account may open a
 * connection on this host only to a listener of its own (or the hub's API).
 *
 * Life cycle: `install` at hub start decides whether the policy applies (it needs root and nft),
 * says so in the log, and (re)writes the table; `admit` before a server starts adds its account
 * and writes the table again (the hub API's port may have changed, the table may have been
 * flushed). A stopping hub leaves the table: servers keep running without the hub, and the policy
 * must keep holding them; the next start rewrites it. With the policy `none` the table is removed.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseEgressEntry, type EgressEntry } from './egress-entries.js';
import {
  METADATA_NETWORKS,
  renderEgressRemoval,
  renderEgressReplace,
  renderEgressUpdate,
  type EgressRuleset,
  type Endpoint,
} from './egress-ruleset.js';
import { SandboxSetupError } from './errors.js';
import { findNft, runNft } from './nft.js';

/** pino-compatible: what the policy needs from a logger. */
export interface EgressLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** A service by host name or address, and port. */
export interface HostPort {
  host: string;
  port: number;
  name: string;
}

export interface EgressPolicyOptions {
  mode: 'nftables' | 'none';
  /** nftables table (family inet) the rules live in. */
  table: string;
  /** CIDR[:port] entries (egress-entries.ts). */
  allow: readonly string[];
  deny: readonly string[];
  /** What covered accounts always reach (the hub's API); read at each write, its port may come late. */
  reach: () => HostPort[];
  /** Services of the hub refused even off this host (a remote database). */
  protect: readonly HostPort[];
  /** The accounts the rules cover (besides those admitted since the start). */
  coveredAccounts: () => Promise<number[]>;
  log: EgressLogger;
  /** Whether this process is root (a test may say otherwise). */
  isRoot?: boolean;
  /** Path of nft, null when missing; default: found on the usual paths (a test may say otherwise). */
  nft?: string | null;
}

/** What the hub start found: the policy applies, is off, or cannot apply here. */
export type EgressState = 'not-installed' | 'applied' | 'off' | 'unavailable';

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export class EgressPolicy {
  private stateNow: EgressState = 'not-installed';
  private readonly allow: EgressEntry[];
  private readonly deny: EgressEntry[];
  private readonly admitted = new Set<number>();
  private readonly nft: string | undefined;
  /** Writes one after another: two servers starting at once must not interleave. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EgressPolicyOptions) {
    if (!TABLE_NAME.test(options.table))
      throw new SandboxSetupError(`"${options.table}" cannot name an nftables table.`, {
        hint: 'Use letters, digits and "_" (at most 32, starting with a letter).',
      });
    this.nft = options.nft === undefined ? findNft() : (options.nft ?? undefined);
    this.allow = options.allow.map(parseEgressEntry);
    this.deny = options.deny.map(parseEgressEntry);
  }

  /** At hub start: applies the policy where it can, and logs which policy holds (or why none does). */
  async install(): Promise<EgressState> {
    const { mode, table, log } = this.options;
    const isRoot = this.options.isRoot ?? process.getuid?.() === 0;
    if (mode === 'none') {
      // Rules an earlier start left go: "none" means none, also for servers still running.
      if (isRoot && this.nft)
        await this.serially(() => runNft(this.nft!, renderEgressRemoval(table))).catch((error: Error) =>
          log.warn(
            { err: error },
            `could not remove the egress rules of an earlier start (table inet ${table})`,
          ),
        );
      log.info(
        { egressPolicy: 'none' },
        'egress policy: none. User servers can connect to everything this host can: the hub, the proxy API, the database, other users\' servers, cloud metadata (spawner.network.policy is "none")',
      );
      return (this.stateNow = 'off');
    }
    const cannot = !isRoot
      ? {
          why: "the hub is not running as root: user servers run as the hub's own account, which no rule can tell apart from the hub",
          fix: 'run the hub as root (each user then gets an account of their own), or set spawner.network.policy to "none" to accept this',
        }
      : !this.nft
        ? {
            why: 'the nft command is missing',
            fix: 'install nftables (apt-get install nftables) and restart the hub, or set spawner.network.policy to "none" to accept this',
          }
        : undefined;
    if (cannot) {
      log.warn(
        { egressPolicy: 'unavailable' },
        `egress policy NOT applied: ${cannot.why}. User servers can connect to the hub's internal port, the proxy API, the database, other users' servers and cloud metadata. To fix: ${cannot.fix}`,
      );
      return (this.stateNow = 'unavailable');
    }
    try {
      const rules = await this.write();
      log.info({ egressPolicy: 'nftables', table: `inet ${table}` }, `egress policy: ${describe(rules)}`);
      return (this.stateNow = 'applied');
    } catch (error) {
      log.warn(
        { egressPolicy: 'unavailable', err: error },
        `egress policy NOT applied: the rules could not be written (${(error as Error).message}). User servers can connect to every address this host can. To fix: check that the kernel has nf_tables (modprobe nf_tables) and that the hub API's host name resolves, then restart the hub; or set spawner.network.policy to "none" to accept this`,
      );
      return (this.stateNow = 'unavailable');
    }
  }

  /**
   * Before a server of account `uid` starts: puts the account under the policy, rewriting the
   * table. True when the policy holds the server; false when no policy applies. Throws when the policy applies but cannot take the account: the server
   * must not start unrestricted.
   */
  async admit(uid: number): Promise<boolean> {
    if (this.stateNow !== 'applied') return false;
    this.admitted.add(uid);
    try {
      await this.write();
    } catch (error) {
      throw new SandboxSetupError(
        `Could not put account ${uid} under the egress policy: ${(error as Error).message}`,
        {
          hint: `Check \`nft list table inet ${this.options.table}\` as root; restarting the hub rewrites the rules.`,
          cause: error,
        },
      );
    }
    return true;
  }

  /** The rules as they are to be written now. */
  private async ruleset(): Promise<EgressRuleset> {
    const [accounts, reach, protect, resolvers] = await Promise.all([
      this.options.coveredAccounts(),
      resolveAll(this.options.reach(), this.options.log),
      resolveAll(this.options.protect, this.options.log),
      nameServers('/etc/resolv.conf'),
    ]);
    return {
      table: this.options.table,
      uids: [...new Set([...accounts, ...this.admitted])],
      reach,
      allow: this.allow,
      deny: this.deny,
      protect,
      resolvers,
    };
  }

  private async write(): Promise<EgressRuleset> {
    return this.serially(async () => {
      const rules = await this.ruleset();
      // In place, keeping what the table remembers; whole, when an older shape is in the way.
      await runNft(this.nft!, renderEgressUpdate(rules)).catch(() =>
        runNft(this.nft!, renderEgressReplace(rules)),
      );
      return rules;
    });
  }

  private serially<T>(job: () => Promise<T>): Promise<T> {
    const next = this.writing.then(job);
    this.writing = next.catch(() => undefined); // the caller gets the failure through `next`
    return next;
  }
}

/** Every address of each service (a host name may have several); one that does not resolve is left out, said. */
async function resolveAll(services: readonly HostPort[], log: EgressLogger): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  for (const { host, port, name } of services) {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(bare)
      ? [bare]
      : await lookup(bare, { all: true }).then(
          (found) => found.map((a) => a.address),
          (error: Error) => {
            log.warn({ err: error }, `egress policy: ${name} ${host} does not resolve; no rule for it`);
            return [];
          },
        );
    for (const address of addresses) endpoints.push({ address, port, name });
  }
  return endpoints;
}

/** The `nameserver` addresses of resolv.conf (none when it cannot be read). */
async function nameServers(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)]
    .map((m) => m[1]!.replace(/%.*$/, ''))
    .filter((address) => isIP(address) !== 0);
}

function describe(rules: EgressRuleset): string {
  const list = (items: readonly { text: string }[]) => items.map((i) => i.text).join(', ');
  const where = (e: Endpoint) => `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
  return [
    `nftables (table inet ${rules.table}, ${rules.uids.length} user account(s) covered).`,
    ` User servers reach: ${rules.reach.map((e) => `${e.name} ${where(e)}`).join(', ') || 'no hub API'}`,
    rules.resolvers.length > 0 ? `, DNS at ${rules.resolvers.join(', ')}` : '',
    rules.allow.length > 0 ? `, allowed: ${list(rules.allow)}` : '',
    ", their own account's services on this host, and every address off this host.",
    " Refused: other services of this host, loopback or not (the proxy API, a local database, other users' servers)",
    `, ${METADATA_NETWORKS.join(', ')} (cloud metadata)`,
    rules.protect.length > 0
      ? `, the hub's ${rules.protect.map((e) => `${e.name} ${where(e)}`).join(', ')}`
      : '',
    rules.deny.length > 0 ? `, denied: ${list(rules.deny)}` : '',
    '.',
  ].join('');
}
