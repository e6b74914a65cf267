// Bad input through the proxy (issue 17, item 1): a body over the hub's limit is answered 413 in
// JupyterHub's JSON error shape every time, never "hub not responding"; a request line the proxy
// will not read is answered 414 saying the URI is too long. Nothing in the database changes.
// The real hub app (src/app/build-hub.ts) behind the real proxy.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';

const ADMIN = 'chbad_admin';
const TRIES = 40;
let hub: TestHub;
let admin: Record<string, string>;

beforeAll(async () => {
  hub = await startTestHub({ users: [], admins: [ADMIN] });
  admin = { authorization: `token ${await hub.token(ADMIN)}` };
});
afterAll(async () => hub?.dispose());

/** Every row the requests below could have touched: users (and their groups) and tokens. */
async function rows() {
  const { users } = await hub.services.users.list();
  return {
    users: users.map((u) => ({ name: u.name, admin: u.admin, groups: u.groups })),
    tokens: (await hub.services.tokens.list(ADMIN)).map((t) => t.id),
  };
}

/** A 2 MB body, sent with Content-Length or chunked, straight from a socket. */
function postTooLarge(chunked: boolean): Promise<{ status: number; body: string }> {
  const body = Buffer.from(JSON.stringify({ usernames: ['x'.repeat(2 * 1024 * 1024)] }));
  const url = new URL(hub.proxy.publicUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      answer += text;
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(answer.slice(0, end))?.[1] ?? NaN);
      if (answer.length >= end + 4 + length) {
        socket.destroy();
        resolve({ status: Number(answer.slice(9, 12)), body: answer.slice(end + 4, end + 4 + length) });
      }
    });
    socket.on('error', () => undefined); // the answer may come while the body is still going out
    socket.on('close', () => reject(new Error(`closed after: ${JSON.stringify(answer.slice(0, 300))}`)));
    const framing = chunked ? 'transfer-encoding: chunked' : `content-length: ${body.length}`;
    socket.write(
      `POST /hub/api/users HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: ${admin.authorization}\r\n` +
        `content-type: application/json\r\n${framing}\r\n\r\n`,
    );
    if (!chunked) return void socket.write(body);
    for (let at = 0; at < body.length; at += 64 * 1024) {
      const piece = body.subarray(at, at + 64 * 1024);
      socket.write(`${piece.length.toString(16)}\r\n`);
      socket.write(piece);
      socket.write('\r\n');
    }
    socket.write('0\r\n\r\n');
  });
}

describe('a body over the hub limit, through the proxy', () => {
  for (const chunked of [false, true]) {
    it(`is 413 in JupyterHub's JSON shape, ${TRIES} times out of ${TRIES} (${chunked ? 'chunked' : 'Content-Length'})`, async () => {
      const before = await rows();
      const answers = new Map<string, number>();
      for (let i = 0; i < TRIES; i++) {
        const { status, body } = await postTooLarge(chunked);
        const key = `${status} ${body}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
      expect([...answers.keys()], JSON.stringify([...answers])).toHaveLength(1);
      const [only] = answers.keys();
      expect(Number(only!.slice(0, 3))).toBe(413);
      expect(JSON.parse(only!.slice(4))).toEqual({
        status: 413,
        message: expect.stringMatching(/request body is too large \(the limit is 1 MiB\)/),
      });
      expect(await rows()).toEqual(before);
    });
  }
});

/** A raw request on one connection; resolves with every answer head + body text received. */
function rawExchange(text: string): Promise<string> {
  const url = new URL(hub.proxy.publicUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
    socket.write(text);
    setTimeout(() => socket.end(), 500);
  });
}

describe('a request line the proxy will not read', () => {
  const long = `/hub/home?q=${'a'.repeat(20_000)}`;

  it('is 414 saying the URI is too long, on the first request of a connection', async () => {
    const before = await rows();
    const answer = await rawExchange(`GET ${long} HTTP/1.1\r\nhost: x\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n/);
    expect(answer).toMatch(/"status":414,"message":"The request's URI is too long/);
    expect(await rows()).toEqual(before);
  });

  it('is 414 too on a connection already handed to node:http (after a request with a body)', async () => {
    const answer = await rawExchange(
      'POST /hub/api/nothing HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}' +
        `GET ${long} HTTP/1.1\r\nhost: x\r\n\r\n`,
    );
    expect(answer).toMatch(/HTTP\/1\.1 414 URI Too Long\r\n/);
    expect(answer).toMatch(/"status":414,"message":"The request's URI is too long/);
  });

  it('is still 431 when the headers, not the URI, are too large', async () => {
    const answer = await rawExchange(
      `GET /hub/home HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });
});
