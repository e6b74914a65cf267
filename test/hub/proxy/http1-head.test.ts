// The fast lane's strict head reader (src/hub/proxy/http1-head.ts): what it accepts must come out
// as node:http would give it (rawHeaders, headers), and everything whose meaning could be in
// doubt must be refused (undefined), so that node:http's own parser gets it instead.
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequestHead, parseResponseHead } from '../../../src/hub/proxy/http1-head.js';

/** A head as the fast lane passes it: its lines joined with CRLF, without the blank line. */
function head(...lines: string[]): string {
  return lines.join('\r\n');
}

const BROWSER_LINES = [
  'GET /user/alice/lab/tree/notebooks?reset=1&x=%20y HTTP/1.1',
  'Host: course.example.org:8443',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language: en-GB,en;q=0.5',
  'Accept-Encoding: gzip, deflate, br, zstd',
  'Referer: https://course.example.org:8443/hub/home',
  'Connection: keep-alive',
  'Cookie: _xsrf=2|abc|def|123; coursehub-session=s1.sig',
  'Upgrade-Insecure-Requests: 1',
  'Sec-Fetch-Dest: document',
  'Sec-Fetch-Mode: navigate',
  'Sec-Fetch-Site: same-origin',
  'Sec-Fetch-User: ?1',
  'Priority: u=0, i',
  // Repeated headers, as a client may send them: node:http joins them.
  'Cookie: theme=dark',
  'X-Forwarded-For: 203.0.113.7',
  'x-forwarded-for: 198.51.100.2',
  'Set-Cookie: odd=1',
  'Set-Cookie: odder=2',
  // Optional whitespace around values (SP and HTAB) is not part of them.
  'X-Padded: \t  padded value \t ',
  'X-Tight:tight',
  'X-Empty:',
  // obs-text (bytes 0x80-0xff, read as latin1) is allowed in values.
  'X-Latin: caf\xe9',
];

describe('parseRequestHead', () => {
  it("accepts a browser's head, with rawHeaders and headers as node:http gives them", () => {
    const parsed = parseRequestHead(head(...BROWSER_LINES));
    expect(parsed).toBeDefined();
    expect(parsed!.method).toBe('GET');
    expect(parsed!.url).toBe('/user/alice/lab/tree/notebooks?reset=1&x=%20y');
    // Names as sent, values trimmed of the whitespace around them.
    const expectedRaw = BROWSER_LINES.slice(1).flatMap((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')];
    });
    expect(parsed!.rawHeaders).toEqual(expectedRaw);
    expect(parsed!.headers).toEqual({
      host: 'course.example.org:8443',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'en-GB,en;q=0.5',
      'accept-encoding': 'gzip, deflate, br, zstd',
      referer: 'https://course.example.org:8443/hub/home',
      connection: 'keep-alive',
      cookie: '_xsrf=2|abc|def|123; coursehub-session=s1.sig; theme=dark',
      'upgrade-insecure-requests': '1',
      'sec-fetch-dest': 'document',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-site': 'same-origin',
      'sec-fetch-user': '?1',
      priority: 'u=0, i',
      'x-forwarded-for': '203.0.113.7, 198.51.100.2',
      'set-cookie': ['odd=1', 'odder=2'],
      'x-padded': 'padded value',
      'x-tight': 'tight',
      'x-empty': '',
      'x-latin': 'caf\xe9',
    });
  });

  describe('agrees with node:http on the same bytes', () => {
    let server: http.Server;
    let port: number;
    let seen: http.IncomingMessage | undefined;

    beforeAll(async () => {
      server = http.createServer((request, response) => {
        seen = request;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('gives the same method, url, rawHeaders and headers', async () => {
      const text = head(...BROWSER_LINES);
      seen = undefined;
      const socket = net.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(Buffer.from(`${text}\r\n\r\n`, 'latin1'));
      await once(socket, 'data');
      socket.destroy();
      expect(seen).toBeDefined();
      const parsed = parseRequestHead(text)!;
      expect(parsed.method).toBe(seen!.method);
      expect(parsed.url).toBe(seen!.url);
      expect(parsed.rawHeaders).toEqual(seen!.rawHeaders);
      expect(parsed.headers).toEqual({ ...seen!.headers });
    });
  });

  it('accepts a request line alone, and HEAD', () => {
    expect(parseRequestHead('HEAD /x HTTP/1.1')).toEqual({
      method: 'HEAD',
      url: '/x',
      rawHeaders: [],
      headers: {},
    });
  });

  const host = 'Host: example.org';
  it.each([
    ['bare LF ending the request line', `GET / HTTP/1.1\n${host}`],
    ['bare LF ending a field line', `GET / HTTP/1.1\r\n${host}\nX-A: 1`],
    ['bare LF ending the last field line', `GET / HTTP/1.1\r\n${host}\n`],
    ['bare CR ending a field line', `GET / HTTP/1.1\r\n${host}\rX-A: 1`],
    ['bare CR inside a value', `GET / HTTP/1.1\r\nX-A: a\rb\r\n${host}`],
    ['obs-fold (continuation line starting with SP)', `GET / HTTP/1.1\r\n${host}\r\nX-A: 1\r\n 2`],
    ['obs-fold (continuation line starting with TAB)', `GET / HTTP/1.1\r\n${host}\r\nX-A: 1\r\n\t2`],
    ['space before the colon', `GET / HTTP/1.1\r\nHost : example.org`],
    ['tab before the colon', `GET / HTTP/1.1\r\n${host}\r\nX-A\t: 1`],
    ['empty name', `GET / HTTP/1.1\r\n${host}\r\n: value`],
    ['a line without a colon', `GET / HTTP/1.1\r\n${host}\r\nX-A 1`],
    ['a name that is not a token', `GET / HTTP/1.1\r\n${host}\r\nX(A): 1`],
    ['NUL in a value', `GET / HTTP/1.1\r\n${host}\r\nX-A: a\x00b`],
    ['DEL in a value', `GET / HTTP/1.1\r\n${host}\r\nX-A: a\x7fb`],
    ['ESC in a value', `GET / HTTP/1.1\r\n${host}\r\nX-A: a\x1bb`],
    ['duplicate Host', `GET / HTTP/1.1\r\n${host}\r\nHost: evil.example.org`],
    ['duplicate Host, other case', `GET / HTTP/1.1\r\n${host}\r\nhOST: example.org`],
    ['duplicate Content-Length', `GET / HTTP/1.1\r\n${host}\r\nContent-Length: 0\r\nContent-Length: 0`],
    [
      'duplicate Transfer-Encoding',
      `GET / HTTP/1.1\r\n${host}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked`,
    ],
    [
      'duplicate Authorization',
      `GET / HTTP/1.1\r\n${host}\r\nAuthorization: token a\r\nauthorization: token b`,
    ],
    ['HTTP/1.0', `GET / HTTP/1.0\r\n${host}`],
    ['HTTP/2.0 in a request line', `GET / HTTP/2.0\r\n${host}`],
    ['lower-case method', `get / HTTP/1.1\r\n${host}`],
    ['a space in the target', `GET /a b HTTP/1.1\r\n${host}`],
    ['two spaces after the method', `GET  / HTTP/1.1\r\n${host}`],
    ['a space after the version', `GET / HTTP/1.1 \r\n${host}`],
    ['a control character in the target', `GET /a\x01b HTTP/1.1\r\n${host}`],
    ['an empty line inside the head', `GET / HTTP/1.1\r\n${host}\r\n\r\nX-A: 1`],
  ])('refuses %s', (_, text) => {
    expect(parseRequestHead(text)).toBeUndefined();
  });
});

describe('parseResponseHead', () => {
  it('reads status, reason and headers', () => {
    const parsed = parseResponseHead(
      head(
        'HTTP/1.1 404 Not Found Here',
        'Content-Type: text/html; charset=utf-8',
        'Content-Length: 12',
        'Set-Cookie: a=1; Path=/',
        'Set-Cookie: b=2; Path=/',
        'Vary:  Accept ',
        'vary: Cookie',
      ),
    );
    expect(parsed).toEqual({
      status: 404,
      reason: 'Not Found Here',
      rawHeaders: [
        'Content-Type',
        'text/html; charset=utf-8',
        'Content-Length',
        '12',
        'Set-Cookie',
        'a=1; Path=/',
        'Set-Cookie',
        'b=2; Path=/',
        'Vary',
        'Accept',
        'vary',
        'Cookie',
      ],
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-length': '12',
        'set-cookie': 'a=1; Path=/, b=2; Path=/',
        vary: 'Accept, Cookie',
      },
    });
  });

  it.each([
    ['HTTP/1.1 204 ', 204],
    ['HTTP/1.1 204', 204],
  ])('gives an empty reason for %j', (statusLine, status) => {
    const parsed = parseResponseHead(head(statusLine, 'X-A: 1'));
    expect(parsed).toMatchObject({ status, reason: '', rawHeaders: ['X-A', '1'] });
  });

  it('accepts a status line alone, and 1xx', () => {
    expect(parseResponseHead('HTTP/1.1 100 Continue')).toEqual({
      status: 100,
      reason: 'Continue',
      rawHeaders: [],
      headers: {},
    });
  });

  it.each([
    ['HTTP/1.0', 'HTTP/1.0 200 OK\r\nContent-Length: 1'],
    ['HTTP/2 status line', 'HTTP/2 200 OK'],
    ['two-digit status', 'HTTP/1.1 20 OK'],
    ['four-digit status', 'HTTP/1.1 2000 OK'],
    ['status with a leading zero', 'HTTP/1.1 099 OK'],
    ['non-digit in the status', 'HTTP/1.1 2x0 OK'],
    ['no status', 'HTTP/1.1  OK'],
    ['duplicate Content-Length (same value)', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5'],
    ['duplicate Content-Length (other case)', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 7'],
    [
      'duplicate Transfer-Encoding',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked',
    ],
    ['bare LF after the status line', 'HTTP/1.1 200 OK\nContent-Length: 5'],
    ['bare LF between fields', 'HTTP/1.1 200 OK\r\nContent-Length: 5\nX-A: 1'],
    ['bare CR in the reason', 'HTTP/1.1 200 O\rK'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n 2'],
    ['space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 5'],
    ['NUL in a value', 'HTTP/1.1 200 OK\r\nX-A: a\x00'],
  ])('refuses %s', (_, text) => {
    expect(parseResponseHead(text)).toBeUndefined();
  });
});
