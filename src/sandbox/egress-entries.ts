/**
 * The entries of an egress policy's allow and deny lists: `CIDR[:port]`, as an admin writes them.
 *
 *   10.0.0.0/8           a network, every port
 *   192.0.2.7            one address (a /32)
 *   192.0.2.7:5432       one address, one port (TCP and UDP)
 *   10.0.0.0/8:443       a network, one port
 *   2001:db8::/32        IPv6 without a port
 *   [2001:db8::1]:443    IPv6 with a port: brackets, as in a URL
 */
import { isIP } from 'node:net';
import { SandboxSetupError } from './errors.js';

export interface EgressEntry {
  family: 4 | 6;
  /** The address part as written (nftables masks any host bits of a network). */
  address: string;
  prefix: number;
  /** undefined: every port. */
  port?: number;
  /** As the admin wrote it, for messages and rule comments. */
  text: string;
}

/** `text` cut into its address part and its port, before either is checked. */
function cut(text: string): { host: string; port?: string; bracketed: boolean } {
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2], bracketed: true };
  const parts = text.split(':');
  // One colon: IPv4 with a port. None, or several: IPv4 or IPv6 without a port.
  if (parts.length === 2) return { host: parts[0]!, port: parts[1]!, bracketed: false };
  return { host: text, bracketed: false };
}

/** Why `text` is not a `CIDR[:port]` entry, or undefined when it is one. */
export function egressEntryProblem(text: string): string | undefined {
  const { host, port } = cut(text);
  const [address, prefixText, extra] = host.split('/');
  const family = isIP(address ?? '');
  if (!address || family === 0 || extra !== undefined)
    return `"${text}" is not an IP address or network (CIDR) with an optional :port`;
  if (prefixText !== undefined) {
    const prefix = /^\d+$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128)))
      return `"${text}": the prefix length must be 0..${family === 4 ? 32 : 128}`;
  }
  if (port !== undefined) {
    const number = /^\d+$/.test(port) ? Number(port) : NaN;
    if (!(number >= 1 && number <= 65535)) return `"${text}": the port must be 1..65535`;
  }
  return undefined;
}

export function parseEgressEntry(text: string): EgressEntry {
  const problem = egressEntryProblem(text);
  if (problem)
    throw new SandboxSetupError(`Bad egress list entry: ${problem}.`, {
      hint: 'Write CIDR[:port]: 10.0.0.0/8, 192.0.2.7:5432, 2001:db8::/32 or [2001:db8::1]:443.',
    });
  const { host, port } = cut(text);
  const [address, prefixText] = host.split('/') as [string, string | undefined];
  const family = isIP(address) === 4 ? 4 : 6;
  return {
    family,
    address,
    prefix: prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText),
    port: port === undefined ? undefined : Number(port),
    text,
  };
}
