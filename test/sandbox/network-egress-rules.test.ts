// The egress policy's parts below the spawner: the CIDR[:port] lists (in the parser and in the
// configuration), the nftables script (real nft accepts it, twice is once), and the policy's
// start-up decisions with what it logs (applied, off, and why it cannot apply).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { egressEntryProblem, parseEgressEntry } from '../../src/sandbox/egress-entries.js';
import { EgressPolicy, type EgressPolicyOptions } from '../../src/sandbox/egress-policy.js';
import { renderEgressTable, renderEgressUpdate } from '../../src/sandbox/egress-ruleset.js';
import { SandboxSetupError } from '../../src/sandbox/errors.js';
import { findNft } from '../../src/sandbox/nft.js';

const TABLE = `chtest_rules_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'coursehub-egress-rules-'));

function nftList(table = TABLE): string {
  try {
    return execFileSync(findNft()!, ['list', 'table', 'inet', table], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    return '';
  }
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (nftList()) execFileSync(findNft()!, ['delete', 'table', 'inet', TABLE]);
});

describe('egress list entries (CIDR[:port])', () => {
  it.each([
    ['10.0.0.0/8', { family: 4, address: '10.0.0.0', prefix: 8, port: undefined }],
    ['192.0.2.7', { family: 4, address: '192.0.2.7', prefix: 32, port: undefined }],
    ['192.0.2.7:5432', { family: 4, address: '192.0.2.7', prefix: 32, port: 5432 }],
    ['10.0.0.0/8:443', { family: 4, address: '10.0.0.0', prefix: 8, port: 443 }],
    ['0.0.0.0/0', { family: 4, address: '0.0.0.0', prefix: 0, port: undefined }],
    ['2001:db8::/32', { family: 6, address: '2001:db8::', prefix: 32, port: undefined }],
    ['::1', { family: 6, address: '::1', prefix: 128, port: undefined }],
    ['[2001:db8::1]:443', { family: 6, address: '2001:db8::1', prefix: 128, port: 443 }],
    ['[2001:db8::/48]:53', { family: 6, address: '2001:db8::', prefix: 48, port: 53 }],
  ])('%s', (text, expected) => {
    expect(parseEgressEntry(text)).toEqual({ ...expected, text });
  });

  it.each([
    ['example.org', 'is not an IP address'],
    ['10.0.0.0/33', 'prefix length must be 0..32'],
    ['2001:db8::/129', 'prefix length must be 0..128'],
    ['10.0.0.1:0', 'port must be 1..65535'],
    ['10.0.0.1:70000', 'port must be 1..65535'],
    ['10.0.0.1:http', 'port must be 1..65535'],
    ['[::1]:', 'port must be 1..65535'],
    ['10.0.0.0/8/8', 'is not an IP address'],
    ['10.0.0.1; flush ruleset', 'is not an IP address'],
    ['', 'is not an IP address'],
  ])('refuses %j, saying why', (text, why) => {
    expect(egressEntryProblem(text)).toContain(why);
    expect(() => parseEgressEntry(text)).toThrow(SandboxSetupError);
  });

  it('a bad entry in spawner.network stops the configuration, naming the key and the entry', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'spawner:\n  network:\n    deny: ["10.0.0.0/8", "metadata.google.internal"]\n');
    let error: unknown;
    try {
      loadConfig({ file: path, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('spawner.network.deny');
    expect((error as Error).message).toContain('"metadata.google.internal" is not an IP address');
  });

  it('spawner.network defaults to the nftables policy with empty lists', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.spawner.network).toEqual({ policy: 'nftables', allow: [], deny: [], table: 'coursehub' });
  });
});

describe('the nftables script', () => {
  const rules = {
    table: TABLE,
    uids: [60123, 60124, 60123],
    reach: [{ address: '127.0.0.1', port: 8081, name: 'hub API' }],
    allow: [parseEgressEntry('127.0.0.1:5433'), parseEgressEntry('[2001:db8::1]:443')],
    deny: [parseEgressEntry('10.0.0.0/8'), parseEgressEntry('2001:db8::/32')],
    protect: [{ address: '198.51.100.5', port: 5432, name: 'hub database' }],
    resolvers: ['127.0.0.53'],
  };

  it('holds the rules in their order, the uids once each', () => {
    const script = renderEgressTable(rules);
    const order = [
      'elements = { 60123, 60124 }',
      'oifname "lo" tcp flags & (syn | ack) == syn | ack jump answers',
      'meta skuid @accounts jump decide',
      'ip daddr . tcp dport . ip saddr . tcp sport . meta skuid @asked4 accept',
      'ip daddr . tcp dport . ip saddr . tcp sport @asked4_by_anyone tcp flags set rst | ack accept',
      'tcp flags & (syn | ack) != syn accept',
      'ip daddr 127.0.0.1 meta l4proto { tcp, udp } th dport 8081 accept comment "hub API"',
      'ip daddr 127.0.0.1/32 meta l4proto { tcp, udp } th dport 5433 accept',
      'ip6 daddr 2001:db8::1/128 meta l4proto { tcp, udp } th dport 443 accept',
      'ip daddr 10.0.0.0/8 jump refuse',
      'ip6 daddr 2001:db8::/32 jump refuse',
      'ip daddr 198.51.100.5 meta l4proto { tcp, udp } th dport 5432 jump refuse',
      'ip daddr 127.0.0.53 meta l4proto { tcp, udp } th dport 53 accept',
      'fib daddr type local tcp option fastopen exists jump refuse',
      'meta nfproto ipv4 fib daddr type local meta l4proto tcp update @asked4',
      'meta nfproto ipv6 fib daddr type local meta l4proto tcp update @asked6',
      'fib daddr type local jump refuse',
      'ip daddr 169.254.0.0/16 jump refuse',
      'ip6 daddr fd00:ec2::254/128 jump refuse',
    ];
    const positions = order.map((line) => script.indexOf(line));
    expect(order.filter((_, i) => positions[i]! < 0)).toEqual([]);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('is accepted by nft, and writing it twice leaves the same table', () => {
    const nft = findNft();
    expect(nft, 'nft must be installed (Debian package nftables)').toBeDefined();
    execFileSync(nft!, ['-f', '-'], { input: renderEgressUpdate(rules) });
    const once = nftList();
    execFileSync(nft!, ['-f', '-'], { input: renderEgressUpdate(rules) });
    expect(nftList()).toBe(once);
    expect(once).toContain('meta skuid @accounts jump decide');
    expect(once).toContain('elements = { 60123, 60124 }');
    expect(once).toContain('reject with tcp reset');
  });

  it('a rewrite keeps the SYNs the table remembers, and the accounts are the new ones', () => {
    const nft = findNft()!;
    execFileSync(nft, ['-f', '-'], { input: renderEgressUpdate(rules) });
    execFileSync(nft, [
      'add',
      'element',
      'inet',
      TABLE,
      'asked4_by_anyone',
      '{ 127.0.0.1 . 40000 . 127.0.0.1 . 8888 }',
    ]);
    execFileSync(nft, ['-f', '-'], { input: renderEgressUpdate({ ...rules, uids: [60125] }) });
    const listed = nftList();
    expect(listed).toContain('127.0.0.1 . 40000 . 127.0.0.1 . 8888');
    expect(listed).toContain('elements = { 60125 }');
    expect(listed).not.toContain('60123');
  });
});

describe('EgressPolicy at hub start', () => {
  const logged: { level: string; message: string }[] = [];
  const log = {
    info: (_: object, message: string) => logged.push({ level: 'info', message }),
    warn: (_: object, message: string) => logged.push({ level: 'warn', message }),
  };
  const options = (over: Partial<EgressPolicyOptions> = {}): EgressPolicyOptions => ({
    mode: 'nftables',
    table: TABLE,
    allow: [],
    deny: ['10.0.0.0/8'],
    reach: () => [{ host: '127.0.0.1', port: 8081, name: 'hub API' }],
    protect: [{ host: '127.0.0.1', port: 8001, name: 'proxy API' }],
    coveredAccounts: async () => [60200],
    log,
    ...over,
  });

  it('applies the rules, says so, and admits accounts into them', async () => {
    logged.length = 0;
    const policy = new EgressPolicy(options());
    expect(await policy.install()).toBe('applied');
    expect(logged).toEqual([{ level: 'info', message: expect.stringContaining('egress policy: nftables') }]);
    expect(logged[0]!.message).toContain('hub API 127.0.0.1:8081');
    expect(logged[0]!.message).toContain('denied: 10.0.0.0/8');
    expect(nftList()).toContain('elements = { 60200 }');
    expect(await policy.admit(60201)).toBe(true);
    expect(nftList()).toContain('elements = { 60200, 60201 }');
  });

  it('replaces a table of another shape (an older coursehub) whole', async () => {
    const older = `table inet ${TABLE} {}\ndelete table inet ${TABLE}\ntable inet ${TABLE} { set accounts { type ipv4_addr; }; }\n`;
    execFileSync(findNft()!, ['-f', '-'], { input: older });
    expect(nftList()).toContain('type ipv4_addr');
    expect(await new EgressPolicy(options()).install()).toBe('applied');
    expect(nftList()).toContain('elements = { 60200 }');
  });

  it('puts back a table that was removed, at the next admission', async () => {
    const policy = new EgressPolicy(options());
    await policy.install();
    execFileSync(findNft()!, ['delete', 'table', 'inet', TABLE]);
    await policy.admit(60202);
    expect(nftList()).toContain('elements = { 60200, 60202 }');
  });

  it('with policy "none", removes the table an earlier start left, and admits nobody', async () => {
    await new EgressPolicy(options()).install();
    logged.length = 0;
    const policy = new EgressPolicy(options({ mode: 'none' }));
    expect(await policy.install()).toBe('off');
    expect(nftList()).toBe('');
    expect(logged[0]!.message).toContain('egress policy: none');
    expect(await policy.admit(60201)).toBe(false);
  });

  it.each([
    [{ isRoot: false }, 'the hub is not running as root', 'run the hub as root'],
    [{ nft: null }, 'the nft command is missing', 'apt-get install nftables'],
  ])('warns when it cannot apply (%j), saying what to do, and admits nobody', async (over, why, fix) => {
    logged.length = 0;
    const policy = new EgressPolicy(options(over));
    expect(await policy.install()).toBe('unavailable');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.level).toBe('warn');
    expect(logged[0]!.message).toContain('egress policy NOT applied');
    expect(logged[0]!.message).toContain(why);
    expect(logged[0]!.message).toContain(fix);
    expect(await policy.admit(60201)).toBe(false);
  });

  it('admits nobody before it was installed (a hub built without `coursehub start`)', async () => {
    expect(await new EgressPolicy(options()).admit(60201)).toBe(false);
  });

  it('refuses a table name nft would read as something else', () => {
    expect(() => new EgressPolicy(options({ table: 'x; flush ruleset' }))).toThrow(SandboxSetupError);
  });
});
