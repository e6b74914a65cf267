/**
 * How the hub closes a connection while its client may still be sending: a lingering close
 * (RFC 9112 9.6), so that the proxy in front always reads the hub's answer.
 *
 * The hub refuses a body over its limit before reading it (Fastify answers 413 and closes the
 * connection). Closing a socket that still holds unread bytes makes the kernel send a reset,
 * not a clean end; the proxy, still sending the body, then fails to write (EPIPE) and drops the
 * connection before it has read the 413, so the browser got "the hub is not responding" about
 * one time in three. Here the hub ends its side only, keeps reading (and throwing away) what
 * still comes, and closes once the client has ended its side too, or after a few seconds.
 */
import type http from 'node:http';
import type net from 'node:net';

/** The longest a closing connection is read before it is closed anyway. */
const LINGER_MS = 5_000;

/** Makes `server` close connections with a lingering close. */
export function lingerBeforeClosing(server: http.Server): void {
  server.on('connection', (socket: net.Socket) => {
    // node:http closes a connection after an answer with `Connection: close` by calling this.
    socket.destroySoon = lingeringClose;
  });
}

function lingeringClose(this: net.Socket): void {
  lingerAndClose(this);
}

function lingerAndClose(socket: net.Socket): void {
  if (socket.destroyed) return;
  // Our FIN goes out after the answer; the socket closes itself once the client's FIN is in
  // (node:http's sockets are half-open: reading goes on after our end).
  if (socket.writable) socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // Read on even where the request's stream is paused: the rest is thrown away.
  socket.resume();
}
