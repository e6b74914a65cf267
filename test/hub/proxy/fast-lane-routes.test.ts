// The proxy's fast lane (src/hub/proxy/fast-lane.ts) between real sockets, on what a route does to
// a request: the header rewriting the target sees (hub cookies out, server token in,
// X-Forwarded-*) and the Set-Cookie filter on the way back, the route's last activity, verdicts
// and failures left to node:http (login redirect, 502 for a server that is down), and a client
// that goes away. The proxy, its raw targets and clients are in fast-lane-support.ts.
import { once } from 'node:events';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  alice,
  answerWhatCame,
  AUTH,
  bodyFor,
  byNodeHttp,
  connect,
  hub,
  LET_ME_IN,
  ALICE_SERVER_TOKEN,
  ok,
  proxy,
  request,
  type Respond,
  useFastLaneProxy,
  values,
  waitFor,
  within,
} from './fast-lane-support.js';

useFastLaneProxy();

describe('what the target sees and what comes back, on the fast lane', () => {
  it("strips the hub's cookies, puts the server token in and sets X-Forwarded-*", async () => {
    const path = '/user/alice/api/contents?type=directory&x=%2F';
    const client = await connect();
    client.write(
      `GET ${path} HTTP/1.1\r\n` +
        'Host: course.example.org:8443\r\n' +
        'User-Agent: fast-lane-test\r\n' +
        `Authorization: token ${LET_ME_IN}\r\n` +
        'Cookie: coursehub-session=s1.sig; _xsrf=2|ab|cd|99; coursehub-oauth-state=zz; theme=dark\r\n' +
        'X-Coursehub-User: mallory\r\n' +
        'Connection: keep-alive, X-Hop\r\n' +
        'X-Hop: hop-value\r\n' +
        'Keep-Alive: timeout=5\r\n' +
        'X-Forwarded-For: 203.0.113.9\r\n' +
        'Accept: application/json\r\n' +
        '\r\n',
    );
    const [answer] = await client.answers(['GET']);
    expect(byNodeHttp(answer!)).toBe(false);
    const [seen] = alice.seen('/user/alice/api/contents?type=directory&x=%2F');
    expect(seen!.raw).toBe(
      `GET ${path} HTTP/1.1\r\n` +
        'host: course.example.org:8443\r\n' +
        'user-agent: fast-lane-test\r\n' +
        'accept: application/json\r\n' +
        `authorization: token ${ALICE_SERVER_TOKEN}\r\n` +
        'cookie: _xsrf=2|ab|cd|99; theme=dark\r\n' +
        // Set from the connection: the client's X-Forwarded-For is dropped, not appended to.
        'x-forwarded-for: 127.0.0.1\r\n' +
        'x-forwarded-proto: http\r\n' +
        'x-forwarded-host: course.example.org:8443\r\n' +
        `x-forwarded-port: ${new URL(proxy.publicUrl).port}\r\n` +
        '\r\n',
    );
  });

  it("passes the hub's own route its cookies untouched, with no credential rewrite", async () => {
    const client = await connect();
    client.write(
      'GET /hub/home HTTP/1.1\r\nHost: course.example.org\r\nCookie: coursehub-session=s1.sig; theme=dark\r\n\r\n',
    );
    const [answer] = await client.answers(['GET']);
    expect(byNodeHttp(answer!)).toBe(false);
    expect(hub.seen('/hub/home').at(-1)!.raw).toBe(
      'GET /hub/home HTTP/1.1\r\n' +
        'host: course.example.org\r\n' +
        'cookie: coursehub-session=s1.sig; theme=dark\r\n' +
        'x-forwarded-for: 127.0.0.1\r\n' +
        'x-forwarded-proto: http\r\n' +
        'x-forwarded-host: course.example.org\r\n' +
        `x-forwarded-port: ${new URL(proxy.publicUrl).port}\r\n` +
        '\r\n',
    );
  });

  it("filters a user server's Set-Cookie of coursehub-* cookies, and not the hub's", async () => {
    const cookies =
      'Set-Cookie: coursehub-session=planted; Path=/\r\nSet-Cookie: own=1; Path=/user/alice/\r\nSet-Cookie: coursehub-other=x\r\n';
    const answerWithCookies: Respond = (_request, socket) => socket.write(ok('ok', cookies), 'latin1');
    alice.respond = answerWithCookies;
    hub.respond = answerWithCookies;
    const client = await connect();
    client.write(request('/user/alice/set-cookies', AUTH) + request('/hub/set-cookies'));
    const [fromAlice, fromHub] = await client.answers(['GET', 'GET']);
    expect([byNodeHttp(fromAlice!), byNodeHttp(fromHub!)]).toEqual([false, false]);
    expect(values(fromAlice!, 'set-cookie')).toEqual(['own=1; Path=/user/alice/']);
    expect(fromAlice!.head).not.toMatch(/coursehub-/);
    expect(fromAlice!.body).toBe('ok');
    expect(values(fromHub!, 'set-cookie')).toEqual([
      'coursehub-session=planted; Path=/',
      'own=1; Path=/user/alice/',
      'coursehub-other=x',
    ]);
  });

  it("moves the route's last activity", async () => {
    const route = proxy.routes.get('/user/alice/')!;
    const longAgo = Date.now() - 3_600_000;
    route.lastActivity = longAgo;
    const before = Date.now();
    const client = await connect();
    client.write(request('/user/alice/activity', AUTH));
    const [answer] = await client.answers(['GET']);
    expect(byNodeHttp(answer!)).toBe(false);
    expect(route.lastActivity).toBeGreaterThanOrEqual(before);
  });
});

describe('verdicts and failures left to node:http', () => {
  it('sends a visitor without a credential to the login page, and the connection goes on', async () => {
    const client = await connect();
    client.write(request('/user/alice/tree?x=1'));
    const [redirect] = await client.answers(['GET']);
    expect(redirect!.status).toBe(302);
    expect(values(redirect!, 'location')).toEqual([
      `/hub/login?next=${encodeURIComponent('/user/alice/tree?x=1')}`,
    ]);
    expect(alice.seen('/user/alice/tree?x=1')).toEqual([]);
    client.write(request('/user/alice/tree', AUTH));
    const [, answer] = await client.answers(['GET', 'GET']);
    expect(answer!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/tree' }));
  });

  it("answers node:http's 502 page when the user's server is down, and keeps serving", async () => {
    const client = await connect();
    client.write(request('/user/dora/lab', AUTH));
    const [answer] = await client.answers(['GET']);
    expect(answer!.status).toBe(502);
    expect(answer!.body).toMatch(/dora's server is not responding/);
    client.write(request('/hub/after-down'));
    const [, after] = await client.answers(['GET', 'GET']);
    expect(after!.body).toBe(bodyFor({ method: 'GET', path: '/hub/after-down' }));
  });
});

describe('a client that goes away', () => {
  it("closes the target's connection when the client disconnects while its request is there", async () => {
    let targetSide: net.Socket | undefined;
    alice.respond = (request, socket) => {
      if (request.path === '/user/alice/never') targetSide = socket;
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/never', AUTH));
    await waitFor('the request at the target', () => targetSide !== undefined);
    const closed: Promise<unknown> = targetSide!.closed ? Promise.resolve() : once(targetSide!, 'close');
    client.destroy();
    await within("the target's connection to close", closed);
  });
});
