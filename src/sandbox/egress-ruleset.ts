/**
 * THE egress rules of sandboxed accounts, as one nftables script (pure: text in, text out).
 *
 * The rules match the owner of the sending socket (`meta skuid`), so one table covers every
 * process of the covered accounts (a server, its kernels, its terminals, whatever they start) and
 * nothing else on the host: the hub, the proxy and PostgreSQL are other accounts. They decide new
 * connections only, statelessly (no conntrack): a TCP packet that is not a SYN belongs to a
 * connection that was decided when it opened, so answers to the proxy pass untouched. For each
 * new connection (TCP SYN) or datagram of a covered account, in order, first match wins:
 *
 *   1. `reach` endpoints (the hub's API)              accept (always: a server needs it)
 *   2. the allow list                                 accept (exceptions to every block below)
 *   3. the deny list, then the `protect` endpoints    refuse
 *   4. the DNS resolvers, port 53                     accept (so a resolver on loopback works)
 *   5. TCP to this host's own addresses               accept, and remember who asked: decided
 *                                                     when the listener answers (below)
 *   6. anything else to this host's own addresses     refuse (UDP, ICMP, TCP Fast Open data)
 *   7. 169.254.0.0/16 and fd00:ec2::254               refuse: cloud metadata (link-local)
 *   8. anything else                                  accept: the outside world
 *
 * Step 5 is what keeps a notebook whole: a server talks to its own kernels over loopback TCP, a
 * kernel's forked children send their output to it over loopback TCP, and students run their
 * own local services (a Dask cluster, a Flask app under test). Those connections go between
 * sockets of the same account. Owner matching cannot see who owns the listening socket when the
 * SYN leaves, but it can when the answer does: the listener's SYN-ACK carries its owner. So a
 * covered account's SYN to this host is remembered (its addresses and ports, and its uid) for a
 * few seconds, and every SYN-ACK on loopback is checked: one that answers a remembered SYN must
 * come from a socket of the same uid, or it is turned into a reset. The asker then sees
 * "connection refused" at once, whether it tried another user's server, a kernel of theirs, the
 * proxy's API or PostgreSQL; the listener's half-open request simply expires.
 *
 * "refuse" also answers at once (a TCP reset: "connection refused"; for a datagram, ICMP
 * administratively prohibited, which the sender sees as EPERM), so a client fails fast instead of
 * waiting for a timeout.
 *
 * Writing the rules again (each hub start, each server start) goes through one nft transaction,
 * which the kernel applies atomically: there is never a moment without rules, and writing twice
 * is writing once. The table is updated in place (chains flushed and filled, the account set
 * refilled) so that the remembered SYNs survive a rewrite; replacing it whole is the fallback
 * when its shape changed (a newer coursehub).
 */
import type { EgressEntry } from './egress-entries.js';

/** An address and port a rule is about (a service, not a network). */
export interface Endpoint {
  address: string;
  port: number;
  /** What it is, for the rule's comment (e.g. "hub API"). */
  name: string;
}

export interface EgressRuleset {
  /** nftables table name (family inet); a hub's own, so two hubs on one host do not meet. */
  table: string;
  /** Accounts whose sockets the rules apply to. */
  uids: readonly number[];
  reach: readonly Endpoint[];
  allow: readonly EgressEntry[];
  deny: readonly EgressEntry[];
  /** Services of the hub itself, refused wherever they are (a database on another host). */
  protect: readonly Endpoint[];
  /** Name servers of /etc/resolv.conf. */
  resolvers: readonly string[];
}

/** Link-local addresses where clouds serve instance metadata (and credentials). */
export const METADATA_NETWORKS = ['169.254.0.0/16', 'fd00:ec2::254/128'] as const;

/**
 * How long a SYN to this host is remembered. Its SYN-ACK follows within microseconds on loopback
 * (a retried SYN is remembered afresh); the size bounds the memory a connection storm can take,
 * and a SYN that finds the set full is refused rather than let through unremembered.
 */
const ASKED_TIMEOUT = '10s';
const ASKED_SIZE = 1_048_576;

const FAMILIES = [
  { name: 'ip', set: '4', addr: 'ipv4_addr', proto: 'ipv4' },
  { name: 'ip6', set: '6', addr: 'ipv6_addr', proto: 'ipv6' },
] as const;

const familyOf = (address: string) => (address.includes(':') ? 'ip6' : 'ip');
const comment = (text: string) => `comment ${JSON.stringify(text.replace(/["\\]/g, ''))}`;

function entryMatch(entry: EgressEntry): string {
  const ports = entry.port === undefined ? '' : ` meta l4proto { tcp, udp } th dport ${entry.port}`;
  return `${entry.family === 4 ? 'ip' : 'ip6'} daddr ${entry.address}/${entry.prefix}${ports}`;
}

function endpointMatch(endpoint: Endpoint): string {
  return `${familyOf(endpoint.address)} daddr ${endpoint.address} meta l4proto { tcp, udp } th dport ${endpoint.port}`;
}

/** The sets that remember SYNs of covered accounts to this host: with the asker's uid, and without. */
function askedSets(): string[] {
  return FAMILIES.flatMap(({ set, addr }) =>
    [
      [`asked${set}`, `${addr} . inet_service . ${addr} . inet_service . uid`],
      [`asked${set}_by_anyone`, `${addr} . inet_service . ${addr} . inet_service`],
    ].flatMap(([name, type]) => [
      `  set ${name} {`,
      `    type ${type}`,
      '    flags dynamic, timeout',
      `    timeout ${ASKED_TIMEOUT}`,
      `    size ${ASKED_SIZE}`,
      '  }',
    ]),
  );
}

/** The table as nft's declarative block: every set, chain and rule. */
export function renderEgressTable(rules: EgressRuleset): string {
  const uids = [...new Set(rules.uids)].sort((a, b) => a - b);
  const decide = [
    'tcp flags & (syn | ack) != syn accept comment "not a new connection"',
    ...rules.reach.map((e) => `${endpointMatch(e)} accept ${comment(e.name)}`),
    ...rules.allow.map((e) => `${entryMatch(e)} accept ${comment(`allow ${e.text}`)}`),
    ...rules.deny.map((e) => `${entryMatch(e)} jump refuse ${comment(`deny ${e.text}`)}`),
    ...rules.protect.map((e) => `${endpointMatch(e)} jump refuse ${comment(e.name)}`),
    ...rules.resolvers.map(
      (r) =>
        `${familyOf(r)} daddr ${r} meta l4proto { tcp, udp } th dport 53 accept ${comment('DNS resolver')}`,
    ),
    `fib daddr type local tcp option fastopen exists jump refuse ${comment('data before the listener answered')}`,
    ...FAMILIES.map(
      ({ name, set, proto }) =>
        `meta nfproto ${proto} fib daddr type local meta l4proto tcp ` +
        `update @asked${set} { ${name} saddr . tcp sport . ${name} daddr . tcp dport . meta skuid } ` +
        `update @asked${set}_by_anyone { ${name} saddr . tcp sport . ${name} daddr . tcp dport } ` +
        `accept ${comment('this host: allowed when the listener is the same account')}`,
    ),
    `fib daddr type local jump refuse ${comment("this host's own addresses")}`,
    ...METADATA_NETWORKS.map((n) => `${familyOf(n)} daddr ${n} jump refuse ${comment('cloud metadata')}`),
  ];
  const answers = FAMILIES.flatMap(({ name, set }) => {
    const asked = `${name} daddr . tcp dport . ${name} saddr . tcp sport`;
    return [
      `${asked} . meta skuid @asked${set} accept ${comment('the same account answers')}`,
      `${asked} @asked${set}_by_anyone tcp flags set rst | ack accept ${comment('another account answers: refused')}`,
    ];
  });
  return [
    `table inet ${rules.table} {`,
    '  set accounts {',
    '    type uid',
    ...(uids.length > 0 ? [`    elements = { ${uids.join(', ')} }`] : []),
    '  }',
    ...askedSets(),
    '  chain output {',
    '    type filter hook output priority filter; policy accept;',
    '    oifname "lo" tcp flags & (syn | ack) == syn | ack jump answers',
    '    meta skuid @accounts jump decide',
    '  }',
    '  chain answers {',
    ...answers.map((rule) => `    ${rule}`),
    '  }',
    '  chain decide {',
    ...decide.map((rule) => `    ${rule}`),
    '  }',
    '  chain refuse {',
    '    counter',
    '    meta l4proto tcp reject with tcp reset',
    '    reject with icmpx admin-prohibited',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Chains and sets declared empty, so that the flushes after them find them on a first write too. */
function skeleton(rules: EgressRuleset): string[] {
  const t = rules.table;
  return [
    `table inet ${t} {`,
    '  set accounts {',
    '    type uid',
    '  }',
    ...askedSets(),
    '  chain output {',
    '    type filter hook output priority filter; policy accept;',
    '  }',
    ...['answers', 'decide', 'refuse'].map((chain) => `  chain ${chain} {\n  }`),
    '}',
    ...['output', 'answers', 'decide', 'refuse'].map((chain) => `flush chain inet ${t} ${chain}`),
    `flush set inet ${t} accounts`,
  ];
}

/** The script that brings the table to `rules`, keeping what it remembers (see the top). */
export function renderEgressUpdate(rules: EgressRuleset): string {
  return [...skeleton(rules), renderEgressTable(rules)].join('\n');
}

/** The script that replaces the table whole, whatever shape it had. */
export function renderEgressReplace(rules: EgressRuleset): string {
  return [`table inet ${rules.table} {}`, `delete table inet ${rules.table}`, renderEgressTable(rules)].join(
    '\n',
  );
}

/** The script that removes the table (when the policy is turned off); fine when there is none. */
export function renderEgressRemoval(table: string): string {
  return `table inet ${table} {}\ndelete table inet ${table}\n`;
}
