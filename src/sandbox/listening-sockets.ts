/**
 * Which processes hold the TCP sockets listening on a loopback port, from /proc: the socket
 * tables of this process's network namespace (/proc/net/tcp and tcp6, the namespace the proxy
 * connects from) give each listening socket's inode, and a process's /proc/PID/fd links name the
 * socket inodes it holds. A hub uses it to know that what answers on a server's port is that
 * server, not a process that took the port first.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';

/**
 * Local addresses (as /proc/net/tcp{,6} write them: hex, in host byte order per 32-bit word) at
 * which a socket takes connections made to 127.0.0.1: 127.0.0.1 and 0.0.0.0, and in tcp6 `::`
 * (dual-stack), ::ffff:127.0.0.1 and ::ffff:0.0.0.0.
 */
const REACHES_LOOPBACK = new Set([
  '0100007F',
  '00000000',
  '00000000000000000000000000000000',
  '0000000000000000FFFF00000100007F',
  '0000000000000000FFFF000000000000',
]);

/** Inodes of the sockets listening on `port` that take connections made to 127.0.0.1:`port`. */
export function loopbackListeners(port: number): number[] {
  const inodes: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 on this host
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN) continue;
      const [address, portHex] = fields[1]!.split(':');
      if (parseInt(portHex!, 16) !== port || !REACHES_LOOPBACK.has(address!)) continue;
      inodes.push(Number(fields[9]));
    }
  }
  return inodes;
}

/** The socket inodes that process `pid` holds open (none if it is gone or not ours to look at). */
export function socketInodesOf(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(Number(match[1]));
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

/**
 * True when something listens on 127.0.0.1:`port` and every such listening socket is held by one
 * of `pids`; false when nothing listens, or any of them belongs to another process.
 */
export function loopbackPortHeldBy(port: number, pids: number[]): boolean {
  const listeners = loopbackListeners(port);
  if (listeners.length === 0) return false;
  const held = new Set<number>();
  for (const pid of pids) for (const inode of socketInodesOf(pid)) held.add(inode);
  return listeners.every((inode) => held.has(inode));
}
