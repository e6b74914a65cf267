// The proxy's fast lane (src/hub/proxy/fast-lane.ts) between real sockets, on how it frames what
// it passes on: pipelined requests answered in order, chunked, close-delimited and HEAD answers,
// requests with bodies handed to node:http mid-connection, connection: close; bytes a target sends
// beyond its answer, answers cut short or broken mid-body, and a 4 MB answer byte for byte. The
// proxy, its raw targets and clients are in fast-lane-support.ts.
import { once } from 'node:events';
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  alice,
  answerWhatCame,
  AUTH,
  bodyFor,
  byNodeHttp,
  connect,
  expectNoTargetProblems,
  hub,
  ok,
  readAnswers,
  request,
  type Respond,
  useFastLaneProxy,
  values,
  within,
} from './fast-lane-support.js';

useFastLaneProxy();

describe('requests on one connection', () => {
  it('answers pipelined GETs sent in one write, all of them, in order', async () => {
    const paths = [
      '/user/alice/p/1',
      '/hub/p/2',
      '/user/alice/p/3',
      '/user/alice/p/4',
      '/hub/p/5',
      '/hub/p/6',
    ];
    // Earlier requests take longer: answers in order cannot come from answering as they finish.
    const delayed: Respond = (request, socket) => {
      const index = paths.indexOf(request.path);
      setTimeout(() => answerWhatCame(request, socket), (paths.length - index) * 5);
    };
    hub.respond = delayed;
    alice.respond = delayed;
    const client = await connect();
    client.write(paths.map((path) => request(path, AUTH)).join(''));

    const answers = await client.answers(paths.map(() => 'GET'));
    expect(answers.map((answer) => answer.status)).toEqual(paths.map(() => 200));
    expect(answers.map((answer) => answer.body)).toEqual(
      paths.map((path) => bodyFor({ method: 'GET', path })),
    );
    expect(answers.filter(byNodeHttp)).toEqual([]);
    // Nothing but the answers.
    expect(client.text).toBe(answers.map((answer) => answer.raw).join(''));
    for (const path of paths) expect([...hub.seen(path), ...alice.seen(path)], path).toHaveLength(1);
    expectNoTargetProblems();
  });

  it('passes a chunked answer (extensions, trailer) on intact and answers the next request on the same upstream connection', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body =
      '5;name="v a l"\r\nhello\r\n7;x\r\n, world\r\n1a\r\n' +
      'z'.repeat(26) +
      '\r\n0;end\r\nX-Trailer: done\r\n\r\n';
    const whole = head + body;
    // Written in pieces cut inside the head, an extension, the data and the trailer.
    const cuts = [20, head.length + 3, head.length + 12, head.length + 40, whole.length - 8, whole.length];
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/chunked') return answerWhatCame(request, socket);
      void (async () => {
        let from = 0;
        for (const cut of cuts) {
          socket.write(whole.slice(from, cut), 'latin1');
          from = cut;
          await sleep(10);
        }
      })();
    };
    const client = await connect();
    client.write(request('/user/alice/chunked', AUTH));
    await client.until('the chunked answer', () => client.text.length >= whole.length);
    expect(client.text).toBe(whole);
    const connectionsAfterFirst = alice.sockets.length;

    client.write(request('/user/alice/after-chunked', AUTH));
    const [, next] = await client.answers(['GET', 'GET']);
    expect(next!.status).toBe(200);
    expect(next!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-chunked' }));
    expect(byNodeHttp(next!)).toBe(false);
    expect(client.text).toBe(whole + next!.raw);
    // The upstream connection that carried the chunked answer carried the next request too:
    // the target accepted no other.
    expect(alice.sockets.length).toBe(connectionsAfterFirst);
    const [first] = alice.seen('/user/alice/chunked');
    const [second] = alice.seen('/user/alice/after-chunked');
    expect(second!.connection).toBe(first!.connection);
    expect(second!.onConnection).toBe(first!.onConnection + 1);
    expectNoTargetProblems();
  });

  it('passes a close-delimited answer on whole, says connection: close, then closes', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n';
    const parts = Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + i).repeat(16_384 + i));
    alice.respond = (_request, socket) => {
      void (async () => {
        socket.write(head, 'latin1');
        for (const part of parts) {
          socket.write(part, 'latin1');
          await sleep(5);
        }
        socket.end();
      })();
    };
    const client = await connect();
    client.write(request('/user/alice/until-close', AUTH));
    await client.closes();
    expect(client.text).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nconnection: close\r\n\r\n' +
        parts.join(''),
    );
  });

  it('answers a HEAD with Content-Length and no body, and the connection stays usable', async () => {
    const headAnswer =
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1234\r\nETag: "v1"\r\n\r\n';
    alice.respond = (request, socket) => {
      if (request.method === 'HEAD') socket.write(headAnswer, 'latin1');
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/file', AUTH, 'HEAD'));
    await client.until('the HEAD answer', () => client.text.length >= headAnswer.length);
    client.write(request('/user/alice/file', AUTH));
    const [first, second] = await client.answers(['HEAD', 'GET']);
    expect(first!.raw).toBe(headAnswer);
    expect(second!.status).toBe(200);
    expect(second!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/file' }));
    // Not one byte between the HEAD's head and the next answer.
    expect(client.text).toBe(headAnswer + second!.raw);
    expect(byNodeHttp(second!)).toBe(false);

    // Pipelined too.
    client.write(request('/user/alice/file', AUTH, 'HEAD') + request('/user/alice/file2', AUTH));
    const all = await client.answers(['HEAD', 'GET', 'HEAD', 'GET']);
    expect(all[2]!.raw).toBe(headAnswer);
    expect(all[3]!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/file2' }));
    expect(client.text).toBe(all.map((answer) => answer.raw).join(''));
  });

  it('answers GET, POST with a body, GET in one write: the POST and what follows go to node:http', async () => {
    const form = 'name=value&other=%20x';
    const post =
      request(
        '/hub/form',
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n`,
        'POST',
      ) + form;
    const client = await connect();
    client.write(request('/hub/one') + post + request('/hub/three'));
    const answers = await client.answers(['GET', 'POST', 'GET']);
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
      [200, bodyFor({ method: 'GET', path: '/hub/one' })],
      [200, bodyFor({ method: 'POST', path: '/hub/form', body: form })],
      [200, bodyFor({ method: 'GET', path: '/hub/three' })],
    ]);
    expect(answers.map(byNodeHttp)).toEqual([false, true, true]);
    expect(hub.seen('/hub/form').map((seen) => seen.body)).toEqual([form]);
    expectNoTargetProblems();
  });

  it('hands off a POST whose head and body come in separate writes, between two GETs', async () => {
    const form = 'a=1&b=2';
    const client = await connect();
    client.write(request('/hub/before-post'));
    await client.answers(['GET']);
    client.write(request('/hub/split-post', `Content-Length: ${form.length}\r\n`, 'POST'));
    // The body follows in a write of its own, so the head arrives alone.
    await sleep(20);
    client.write(form);
    await client.answers(['GET', 'POST']);
    client.write(request('/hub/after-post'));
    const answers = await client.answers(['GET', 'POST', 'GET']);
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
      [200, bodyFor({ method: 'GET', path: '/hub/before-post' })],
      [200, bodyFor({ method: 'POST', path: '/hub/split-post', body: form })],
      [200, bodyFor({ method: 'GET', path: '/hub/after-post' })],
    ]);
    expect(answers.map(byNodeHttp)).toEqual([false, true, true]);
    expectNoTargetProblems();
  });

  it('ends the connection after an answer when the client asked for connection: close', async () => {
    const client = await connect();
    client.write(request('/hub/last', 'Connection: close\r\n'));
    await client.closes();
    const [answer] = readAnswers(client.text, ['GET'], true);
    expect(answer!.body).toBe(bodyFor({ method: 'GET', path: '/hub/last' }));
    expect(values(answer!, 'connection')).toEqual(['close']);
    expect(client.text).toBe(answer!.raw);
  });
});

describe('bytes the target sends beyond its answer', () => {
  it.each([
    ['after a Content-Length body, in the same write', 'GET', (extra: string) => ok('hello', '') + extra],
    [
      'as a body of a HEAD answer',
      'HEAD',
      (extra: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${extra.length}\r\n\r\n${extra}`,
    ],
    ['as a body of a 204', 'GET', (extra: string) => `HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n${extra}`],
    [
      'after a chunked body',
      'GET',
      (extra: string) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n${extra}`,
    ],
  ])('never reach the client: %s', async (_, method, answerWith) => {
    const extra = 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nEXTRA-BYTES';
    const answer = answerWith(extra);
    const expected = answer.slice(0, answer.length - extra.length);
    alice.respond = (request, socket) => {
      if (request.path === '/user/alice/extra') socket.write(answer, 'latin1');
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/extra', AUTH, method));
    await client.answers([method]);
    client.write(request('/user/alice/after-extra', AUTH));
    const [first, second] = await client.answers([method, 'GET']);
    expect(first!.raw).toBe(expected);
    expect(second!.status).toBe(200);
    expect(second!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-extra' }));
    expect(client.text).toBe(expected + second!.raw);
    expect(client.text).not.toContain('EXTRA');
  });

  it('never reach the client when they come later, on the idle connection', async () => {
    let targetSide: net.Socket | undefined;
    alice.respond = (request, socket) => {
      answerWhatCame(request, socket);
      if (request.path === '/user/alice/late-extra') targetSide = socket;
    };
    const client = await connect();
    client.write(request('/user/alice/late-extra', AUTH));
    await client.answers(['GET']);
    targetSide!.write('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nEXTRA-BYTES');
    // The proxy gives up a connection that speaks out of turn.
    if (!targetSide!.closed)
      await within('the proxy to drop the upstream connection', once(targetSide!, 'close'));
    client.write(request('/user/alice/after-late-extra', AUTH));
    const [, second] = await client.answers(['GET', 'GET']);
    expect(second!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-late-extra' }));
    expect(client.text).not.toContain('EXTRA');
  });
});

describe('answers cut short or broken mid-body', () => {
  it.each([
    // The target closes its connection after the first two; the malformed one stays open: the
    // proxy must not wait for more.
    ['Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + 'c'.repeat(100), true],
    [
      'chunked',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n' + 'c'.repeat(100) + '\r\n',
      true,
    ],
    [
      'chunked, with a malformed size line',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n',
      false,
    ],
  ])('%s: the client is cut off too, never given a complete answer', async (_, answer, targetCloses) => {
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/cut-short') return answerWhatCame(request, socket);
      socket.write(answer, 'latin1');
      if (targetCloses) setTimeout(() => socket.end(), 20);
    };
    const client = await connect();
    client.write(request('/user/alice/cut-short', AUTH));
    await client.closes();
    expect(readAnswers(client.text, ['GET'], false)).toEqual([]);
    expect(answer.startsWith(client.text)).toBe(true);

    const other = await connect();
    other.write(request('/user/alice/after-cut', AUTH));
    const [fine] = await other.answers(['GET']);
    expect(fine!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-cut' }));
  });

  it('passes a 4 MB answer with Content-Length on byte for byte', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 11)) & 0xff;
    const head = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/big') return answerWhatCame(request, socket);
      socket.write(head, 'latin1');
      socket.write(body);
    };
    const client = await connect();
    client.write(request('/user/alice/big', AUTH) + request('/user/alice/after-big', AUTH));
    const [big, next] = await client.answers(['GET', 'GET'], 20_000);
    expect(big!.raw).toBe(head + body.toString('latin1'));
    expect(next!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-big' }));
  });
});
