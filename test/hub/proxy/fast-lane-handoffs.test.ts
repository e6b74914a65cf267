// The proxy's fast lane (src/hub/proxy/fast-lane.ts) between real sockets, on what it hands to
// node:http's lane: a request met by a kept upstream connection the target has closed (with and
// without requests queued behind it), answer heads it does not read (duplicate Content-Length,
// bare LFs, 1xx), and request heads left to node:http's parser (obs-fold, bare LFs, over 16 KB).
// The proxy, its raw targets and clients are in fast-lane-support.ts.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  alice,
  answerWhatCame,
  AUTH,
  bodyFor,
  byNodeHttp,
  connect,
  hub,
  ok,
  plainNodeHttpStatusLine,
  request,
  useFastLaneProxy,
  within,
} from './fast-lane-support.js';

useFastLaneProxy();

describe('a kept upstream connection the target closes', () => {
  it('answers the next request when the target closed its idle connection in between', async () => {
    alice.respond = (request, socket) => {
      answerWhatCame(request, socket);
      if (request.path === '/user/alice/then-idle-close') socket.end();
    };
    const client = await connect();
    client.write(request('/user/alice/then-idle-close', AUTH));
    await client.answers(['GET']);
    const [first] = alice.seen('/user/alice/then-idle-close');
    const targetSide = alice.sockets[first!.connection]!;
    if (!targetSide.closed) await within('the idle upstream connection to close', once(targetSide, 'close'));

    client.write(request('/user/alice/after-idle-close', AUTH));
    const [, answer] = await client.answers(['GET', 'GET']);
    expect(answer!.status).toBe(200);
    expect(answer!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-idle-close' }));
    expect(byNodeHttp(answer!)).toBe(false);
    const [second] = alice.seen('/user/alice/after-idle-close');
    expect(second!.connection).not.toBe(first!.connection);
  });

  it('replays a request on node:http when the target closes the kept connection as the request arrives', async () => {
    let closedOnArrival = 0;
    alice.respond = (request, socket) => {
      // The kept connection's next request meets a server that has just closed it.
      if (request.path === '/user/alice/race' && closedOnArrival++ === 0) socket.end();
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/warm', AUTH));
    await client.answers(['GET']);
    client.write(request('/user/alice/race', AUTH));
    const [, raced] = await client.answers(['GET', 'GET']);
    expect(raced!.status).toBe(200);
    expect(raced!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/race' }));
    expect(byNodeHttp(raced!)).toBe(true);
    const seen = alice.seen('/user/alice/race');
    expect(seen).toHaveLength(2);
    // The first one came on the connection kept from the warm-up request.
    const [warm] = alice.seen('/user/alice/warm');
    expect(seen[0]!.connection).toBe(warm!.connection);
    expect(seen[0]!.onConnection).toBe(warm!.onConnection + 1);

    // The connection goes on (on node:http's lane now).
    client.write(request('/user/alice/after-race', AUTH));
    const [, , after] = await client.answers(['GET', 'GET', 'GET']);
    expect(after!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-race' }));
  });
});

describe('a kept upstream connection the target closes, with requests queued behind', () => {
  it('replays the request and the ones pipelined behind it on node:http, in order', async () => {
    let closedOnArrival = 0;
    alice.respond = (request, socket) => {
      if (request.path === '/user/alice/race-queued' && closedOnArrival++ === 0) socket.end();
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/warm-queued', AUTH));
    await client.answers(['GET']);
    const behind = ['/user/alice/behind-1', '/hub/behind-2'];
    client.write(
      [request('/user/alice/race-queued', AUTH), ...behind.map((path) => request(path, AUTH))].join(''),
    );
    const answers = await client.answers(['GET', 'GET', 'GET', 'GET']);
    expect(answers.slice(1).map((answer) => answer.body)).toEqual(
      ['/user/alice/race-queued', ...behind].map((path) => bodyFor({ method: 'GET', path })),
    );
    expect(answers.slice(1).map(byNodeHttp)).toEqual([true, true, true]);
    expect(alice.seen('/user/alice/race-queued')).toHaveLength(2);
    expect(alice.seen('/user/alice/behind-1')).toHaveLength(1);
    expect(hub.seen('/hub/behind-2')).toHaveLength(1);
  });
});

describe('answer heads the fast lane does not read', () => {
  // The fast lane leaves these to node:http's lane, which asks the target again; its HTTP client
  // refuses all three (as the client's 502 page shows: that is what node:http's lane makes of
  // them when it meets them itself).
  it.each([
    [
      'duplicate Content-Length',
      1,
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhelloXY',
    ],
    ['a bare LF inside the head', 2, 'HTTP/1.1 200 OK\r\nContent-Length: 5\nX-Smuggled: 1\r\n\r\nhello'],
    ['bare LFs only', 3, 'HTTP/1.1 200 OK\nContent-Length: 5\nX-Smuggled: 1\n\nhello'],
  ])(
    "%s: the client gets node:http's 502, never the ambiguous head, and the proxy keeps serving",
    async (_, n, answer) => {
      const path = `/user/alice/odd-head-${n}`;
      alice.respond = (request, socket) => {
        if (request.path === path) socket.write(answer, 'latin1');
        else answerWhatCame(request, socket);
      };
      const client = await connect();
      client.write(request(path, AUTH));
      const [got] = await client.answers(['GET']);
      expect(got!.status).toBe(502);
      expect(got!.body).toMatch(/alice's server is not responding/);
      expect(byNodeHttp(got!)).toBe(true);
      expect(client.text).toBe(got!.raw);
      expect(client.text).not.toMatch(/[^\r]\n|X-Smuggled|hello/);
      // Asked by the fast lane, then again by node:http's lane.
      expect(alice.seen(path)).toHaveLength(2);

      const other = await connect();
      other.write(request('/user/alice/still-serving', AUTH));
      const [fine] = await other.answers(['GET']);
      expect(fine!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/still-serving' }));
    },
  );

  it('leaves an interim (1xx) answer to node:http, which passes on the final one', async () => {
    const final = ok('after the hints');
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/hints') return answerWhatCame(request, socket);
      socket.write('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' + final, 'latin1');
    };
    const client = await connect();
    client.write(request('/user/alice/hints', AUTH));
    const [answer] = await client.answers(['GET']);
    expect(answer!.status).toBe(200);
    expect(answer!.body).toBe('after the hints');
    expect(byNodeHttp(answer!)).toBe(true);
    expect(alice.seen('/user/alice/hints')).toHaveLength(2);
  });
});

describe("request heads left to node:http's parser", () => {
  it.each([
    ['obs-fold', 'GET /hub/folded HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n 2\r\n\r\n'],
    ['a bare LF inside the head', 'GET /hub/lf HTTP/1.1\r\nHost: localhost\nX-A: 1\r\n\r\n'],
    ['bare LFs only', 'GET /hub/lf-only HTTP/1.1\nHost: localhost\n\n'],
  ])('%s: 400 from node:http, and nothing reaches the target', async (_, bytes) => {
    const path = bytes.split(' ')[1]!;
    const client = await connect();
    client.write(bytes);
    await client.until('a status line', () => client.text.includes('\r\n'));
    const statusLine = client.text.slice(0, client.text.indexOf('\r\n'));
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(statusLine).toBe(await plainNodeHttpStatusLine(bytes));
    await client.closes();
    expect(hub.seen(path)).toEqual([]);
  });

  it.each([
    ['in one write', 1, []],
    ['in 5 KB pieces', 2, [5_120, 10_240, 15_360]],
    ['as 17 KB and then the rest', 3, [17_408]],
  ])('a 20 KB head %s: 431 from node:http, and nothing reaches the target', async (_, n, cuts) => {
    const path = `/hub/big-head-${n}`;
    const bytes = request(path, `X-Big: ${'b'.repeat(20 * 1024)}\r\n`);
    const client = await connect();
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      client.write(bytes.slice(from, cut));
      from = cut;
      // Each piece arrives on its own.
      await sleep(10);
    }
    await client.until('a status line', () => client.text.includes('\r\n'));
    const statusLine = client.text.slice(0, client.text.indexOf('\r\n'));
    expect(statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(statusLine).toBe(await plainNodeHttpStatusLine(bytes));
    expect(hub.seen(path)).toEqual([]);
  });
});
