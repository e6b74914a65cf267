/**
 * The fast lane's connections to user servers and the hub, kept open between requests and shared
 * by origin. A browser connection holds one only while a request of its own is in flight: with
 * six idle connections per browser and a class of students, holding one per browser connection
 * would double the proxy's file descriptors and give the hub one connection per open tab.
 *
 * A socket's events go to whichever fast-lane connection is using it now; an idle one that
 * speaks or ends is simply closed. The listeners are shared functions, not closures per socket.
 */
import net from 'node:net';
import { socketAddressOf } from './route-table.js';

/** What uses an upstream connection: a fast-lane client connection with a request in flight. */
export interface UpstreamUser {
  onUpstreamData(chunk: Buffer): void;
  onUpstreamEnd(): void;
  onUpstreamFailed(): void;
}

const USER = Symbol('upstream user');
const ORIGIN = Symbol('upstream origin');
type Upstream = net.Socket & { [USER]?: UpstreamUser | undefined; [ORIGIN]: string };

/** Idle connections kept per origin; more are closed (servers are reached over loopback). */
const MAX_IDLE_PER_ORIGIN = 64;

export class UpstreamPool {
  private readonly idle = new Map<string, Upstream[]>();

  /** An idle connection to `target`'s origin, or a new one; its events go to `user`. */
  take(target: URL, user: UpstreamUser): net.Socket {
    const idle = this.idle.get(target.origin);
    let socket = idle?.pop();
    while (socket?.destroyed) socket = idle?.pop();
    if (!socket) socket = this.connect(target);
    socket[USER] = user;
    return socket;
  }

  /** Takes back a connection whose last answer ended cleanly. */
  give(connection: net.Socket): void {
    const socket = connection as Upstream;
    socket[USER] = undefined;
    if (socket.destroyed) return;
    let idle = this.idle.get(socket[ORIGIN]);
    if (!idle) this.idle.set(socket[ORIGIN], (idle = []));
    if (idle.length >= MAX_IDLE_PER_ORIGIN) return void socket.destroy();
    // Paused for a slow reader earlier: it is idle now, and must notice the server closing it.
    socket.resume();
    idle.push(socket);
  }

  /** Closes a connection that is not to be used again; its user hears nothing more from it. */
  discard(connection: net.Socket): void {
    (connection as Upstream)[USER] = undefined;
    connection.destroy();
  }

  closeAll(): void {
    for (const idle of this.idle.values()) for (const socket of idle) socket.destroy();
    this.idle.clear();
  }

  private connect(target: URL): Upstream {
    const socket = net.connect({ ...socketAddressOf(target), noDelay: true }) as Upstream;
    socket[ORIGIN] = target.origin;
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onFailure);
    socket.on('close', onFailure);
    socket.once('close', () => this.forget(socket));
    return socket;
  }

  private forget(socket: Upstream): void {
    const idle = this.idle.get(socket[ORIGIN]);
    const at = idle?.indexOf(socket) ?? -1;
    if (at >= 0) idle!.splice(at, 1);
  }
}

function onData(this: Upstream, chunk: Buffer): void {
  const user = this[USER];
  // Bytes while idle: nobody asked, so the connection no longer speaks HTTP as expected.
  if (user) user.onUpstreamData(chunk);
  else this.destroy();
}

function onEnd(this: Upstream): void {
  const user = this[USER];
  if (user) user.onUpstreamEnd();
  else this.destroy();
}

function onFailure(this: Upstream): void {
  const user = this[USER];
  this[USER] = undefined;
  user?.onUpstreamFailed();
}
