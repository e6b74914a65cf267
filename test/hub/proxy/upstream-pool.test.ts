// The fast lane's pool of upstream connections (src/hub/proxy/upstream-pool.ts) against a real
// TCP server on 127.0.0.1: reuse by origin, events only to the connection's current user, and
// idle connections that the server closes or that speak out of turn are not handed out again.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamPool, type UpstreamUser } from '../../../src/hub/proxy/upstream-pool.js';

let server: net.Server;
let origin: URL;
/** Server side of every accepted connection, in order. */
const accepted: net.Socket[] = [];

beforeAll(async () => {
  server = net.createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

class Recorder implements UpstreamUser {
  data: string[] = [];
  ended = 0;
  failed = 0;
  onUpstreamData(chunk: Buffer): void {
    this.data.push(chunk.toString());
  }
  onUpstreamEnd(): void {
    this.ended++;
  }
  onUpstreamFailed(): void {
    this.failed++;
  }
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function connected(socket: net.Socket): Promise<net.Socket> {
  if (socket.connecting) await once(socket, 'connect');
  return socket;
}

/** The server's end of `socket` (a connection to the main server). */
async function serverSideOf(socket: net.Socket): Promise<net.Socket> {
  await connected(socket);
  let found: net.Socket | undefined;
  await waitFor('the server to accept', () => {
    found = accepted.find((candidate) => candidate.remotePort === socket.localPort);
    return found !== undefined;
  });
  return found!;
}

describe('UpstreamPool', () => {
  it('hands a given-back connection to the next user of the same origin, and its data to that user only', async () => {
    const pool = new UpstreamPool();
    const first = new Recorder();
    const second = new Recorder();
    const before = accepted.length;
    const socket = pool.take(origin, first);
    const serverSide = await serverSideOf(socket);
    serverSide.write('for the first');
    await waitFor('data for the first user', () => first.data.length === 1);
    pool.give(socket);

    const again = pool.take(origin, second);
    expect(again).toBe(socket);
    serverSide.write('for the second');
    await waitFor('data for the second user', () => second.data.length === 1);
    expect(first.data).toEqual(['for the first']);
    expect(second.data).toEqual(['for the second']);
    expect(accepted.length).toBe(before + 1);
    pool.discard(again);
    pool.closeAll();
  });

  it('does not hand out an idle connection the server has closed', async () => {
    const pool = new UpstreamPool();
    const user = new Recorder();
    const socket = pool.take(origin, user);
    const serverSide = await serverSideOf(socket);
    pool.give(socket);
    serverSide.end();
    await waitFor('the idle connection to close', () => socket.destroyed);
    const next = pool.take(origin, new Recorder());
    expect(next).not.toBe(socket);
    // The closed connection's former user heard nothing of it.
    expect(user.ended + user.failed).toBe(0);
    pool.discard(next);
    pool.closeAll();
  });

  it('closes an idle connection on which the server speaks out of turn', async () => {
    const pool = new UpstreamPool();
    const user = new Recorder();
    const socket = pool.take(origin, user);
    const serverSide = await serverSideOf(socket);
    pool.give(socket);
    serverSide.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    await waitFor('the idle connection to be closed', () => socket.destroyed);
    expect(user.data).toEqual([]);
    const next = pool.take(origin, new Recorder());
    expect(next).not.toBe(socket);
    pool.discard(next);
    pool.closeAll();
  });

  it('tells the user when its connection fails, and nobody after discard', async () => {
    const pool = new UpstreamPool();
    const user = new Recorder();
    (await serverSideOf(pool.take(origin, user))).destroy();
    await waitFor('the failure to reach the user', () => user.ended + user.failed > 0);

    const quiet = new Recorder();
    const second = pool.take(origin, quiet);
    const serverSide = await serverSideOf(second);
    pool.discard(second);
    serverSide.write('late');
    await sleep(50);
    expect(quiet).toMatchObject({ data: [], ended: 0, failed: 0 });
    pool.closeAll();
  });

  it('keeps connections apart by origin', async () => {
    const other = net.createServer((socket) => socket.on('error', () => {}));
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const otherOrigin = new URL(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const pool = new UpstreamPool();
    const socket = await connected(pool.take(origin, new Recorder()));
    pool.give(socket);
    const elsewhere = await connected(pool.take(otherOrigin, new Recorder()));
    expect(elsewhere).not.toBe(socket);
    expect(elsewhere.remotePort).toBe(Number(otherOrigin.port));
    pool.discard(elsewhere);
    pool.closeAll();
    expect(socket.destroyed).toBe(true);
    await new Promise((resolve) => other.close(resolve));
  });
});
