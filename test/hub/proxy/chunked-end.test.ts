// The fast lane's chunked-body end finder (src/hub/proxy/chunked-end.ts): however the body is cut
// into pieces it reports the same last byte, never counts what follows the body, says NOT_YET
// until the end has arrived, and reports MALFORMED for framing that breaks the strict rules.
import { describe, expect, it } from 'vitest';
import { ChunkedEnd, MALFORMED, NOT_YET } from '../../../src/hub/proxy/chunked-end.js';

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/**
 * Feeds `pieces` one after another to a fresh ChunkedEnd; returns every result and where in the
 * whole input the body ended (-1 if it did not), stopping at the first non-NOT_YET result.
 */
function feedPieces(pieces: Buffer[]): { results: number[]; endAt: number } {
  const scanner = new ChunkedEnd();
  const results: number[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const result = scanner.feed(piece);
    results.push(result);
    if (result === MALFORMED) return { results, endAt: MALFORMED };
    if (result !== NOT_YET) return { results, endAt: offset + result };
    offset += piece.length;
  }
  return { results, endAt: NOT_YET };
}

// Data bytes that look like framing (CRLF, a last chunk, a trailer, control characters): the
// scanner must skip them by the chunk size, not read them.
const DATA_LIKE_FRAMING = '0\r\n\r\nX: y\r\n\x00\x7f\n\r';
const BODIES: [string, string][] = [
  ['the last chunk alone', '0\r\n\r\n'],
  ['one chunk', '5\r\nhello\r\n0\r\n\r\n'],
  [
    'several chunks, hex sizes in both cases',
    'a\r\n0123456789\r\nA\r\nabcdefghij\r\n1F\r\n' + 'x'.repeat(31) + '\r\n0\r\n\r\n',
  ],
  [
    'data that looks like framing',
    `${DATA_LIKE_FRAMING.length.toString(16)}\r\n${DATA_LIKE_FRAMING}\r\n0\r\n\r\n`,
  ],
  [
    'extensions (with quotes, tabs and obs-text)',
    '5;name=value\r\nhello\r\n6;a;b="x y";\tc=\xe9\r\n world\r\n0;last=1\r\n\r\n',
  ],
  ['a trailer', '5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n'],
  ['several trailers', '3\r\nabc\r\n0\r\nX-One: 1\r\nX-Two:\t2 two\r\nServer-Timing: db;dur=53\r\n\r\n'],
  ['extension and trailer', '4;ext=1\r\nwxyz\r\n0;end\r\nX-Trailer: t\r\n\r\n'],
  ['8 hex digits (leading zeros)', '00000004\r\nabcd\r\n00000000\r\n\r\n'],
  ['an empty trailer value', '2\r\nab\r\n0\r\nX-Empty:\r\n\r\n'],
];

describe('ChunkedEnd', () => {
  describe.each(BODIES)('%s', (_, text) => {
    const body = bytes(text);

    it('ends at the last byte when fed whole', () => {
      expect(new ChunkedEnd().feed(body)).toBe(body.length);
    });

    it('ends at the same byte when split at every boundary', () => {
      for (let cut = 0; cut <= body.length; cut++) {
        const { results, endAt } = feedPieces([body.subarray(0, cut), body.subarray(cut)]);
        expect(endAt, `cut at ${cut}`).toBe(body.length);
        // The first piece ends the body only when it holds all of it.
        expect(results[0], `cut at ${cut}`).toBe(cut === body.length ? body.length : NOT_YET);
      }
    });

    it('ends at the same byte when split at every pair of boundaries', () => {
      for (let first = 0; first <= body.length; first++) {
        for (let second = first; second <= body.length; second++) {
          const pieces = [body.subarray(0, first), body.subarray(first, second), body.subarray(second)];
          expect(feedPieces(pieces).endAt, `cuts at ${first} and ${second}`).toBe(body.length);
        }
      }
    });

    it('ends at the same byte when fed one byte at a time', () => {
      const pieces = Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
      const { results, endAt } = feedPieces(pieces);
      expect(endAt).toBe(body.length);
      expect(results).toEqual([...Array<number>(body.length - 1).fill(NOT_YET), 1]);
    });

    it('says NOT_YET for every proper prefix', () => {
      for (let length = 0; length < body.length; length++)
        expect(new ChunkedEnd().feed(body.subarray(0, length)), `prefix of ${length}`).toBe(NOT_YET);
    });

    it('does not count bytes after the end', () => {
      const after = bytes('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
      expect(new ChunkedEnd().feed(Buffer.concat([body, after]))).toBe(body.length);
      for (let cut = 0; cut <= body.length; cut++) {
        const pieces = [body.subarray(0, cut), Buffer.concat([body.subarray(cut), after])];
        expect(feedPieces(pieces).endAt, `cut at ${cut}`).toBe(body.length);
      }
    });
  });

  it('treats an empty piece as nothing new', () => {
    const scanner = new ChunkedEnd();
    expect(scanner.feed(Buffer.alloc(0))).toBe(NOT_YET);
    expect(scanner.feed(bytes('3\r\nabc\r\n'))).toBe(NOT_YET);
    expect(scanner.feed(Buffer.alloc(0))).toBe(NOT_YET);
    expect(scanner.feed(bytes('0\r\n\r\n'))).toBe(5);
  });

  it('finds the end of a large chunk fed in many pieces', () => {
    const size = 3 * 1024 * 1024 + 17;
    const body = Buffer.concat([
      bytes(`${size.toString(16)}\r\n`),
      Buffer.alloc(size, 'q'),
      bytes('\r\n0\r\n\r\n'),
    ]);
    const pieces: Buffer[] = [];
    for (let at = 0; at < body.length; at += 65_536) pieces.push(body.subarray(at, at + 65_536));
    expect(feedPieces(pieces).endAt).toBe(body.length);
  });

  describe('malformed framing', () => {
    it.each([
      ['a non-hex size', 'g\r\nhello\r\n0\r\n\r\n'],
      ['a size with a non-hex digit after hex ones', '5x\r\nhello\r\n0\r\n\r\n'],
      ['an empty size', '\r\nhello\r\n0\r\n\r\n'],
      ['an extension without a size', ';a=1\r\nhello\r\n0\r\n\r\n'],
      ['more than 8 hex digits', '100000000\r\n'],
      ['more than 8 hex digits, all zeros', '000000000\r\n\r\n'],
      ['a sign before the size', '+5\r\nhello\r\n0\r\n\r\n'],
      ['a space after the size', '5 \r\nhello\r\n0\r\n\r\n'],
      ['data longer than its size (no CRLF after the data)', '5\r\nhello!\r\n0\r\n\r\n'],
      ['data shorter than its size', '5\r\nhell\r\n0\r\n\r\n'],
      ['only CR after the data', '5\r\nhello\r0\r\n\r\n'],
      ['bare LF after the size', '5\nhello\r\n0\r\n\r\n'],
      ['bare LF after the data', '5\r\nhello\n0\r\n\r\n'],
      ['bare LF after the last chunk', '5\r\nhello\r\n0\n\r\n'],
      ['bare LF ending the body', '5\r\nhello\r\n0\r\n\n'],
      ['bare LF after a trailer', '0\r\nX-A: 1\n\r\n'],
      ['bare CR after the size', '5\rhello\r\n0\r\n\r\n'],
      ['a control character in an extension', '5;a=\x01\r\nhello\r\n0\r\n\r\n'],
      ['DEL in an extension', '5;a\x7f\r\nhello\r\n0\r\n\r\n'],
      ['NUL in an extension of the last chunk', '0;\x00\r\n\r\n'],
      ['bare LF in an extension', '5;a\nb\r\nhello\r\n0\r\n\r\n'],
      ['a control character in a trailer', '0\r\nX-A: \x01\r\n\r\n'],
      ['a trailer line starting with SP (obs-fold)', '0\r\nX-A: 1\r\n 2\r\n\r\n'],
      ['a trailer line starting with TAB', '0\r\n\tX-A: 1\r\n\r\n'],
    ])('reports %s', (_, text) => {
      const body = bytes(text);
      expect(new ChunkedEnd().feed(body)).toBe(MALFORMED);
      // And the same however it is split.
      for (let cut = 0; cut <= body.length; cut++)
        expect(feedPieces([body.subarray(0, cut), body.subarray(cut)]).endAt, `cut at ${cut}`).toBe(
          MALFORMED,
        );
    });

    it('accepts exactly 8 hex digits of size', () => {
      const body = '00000003\r\nabc\r\n0\r\n\r\n';
      expect(new ChunkedEnd().feed(bytes(body))).toBe(body.length);
      expect(new ChunkedEnd().feed(bytes('FFFFFFFF\r\n'))).toBe(NOT_YET);
    });

    it('reports a 9th hex digit only when it arrives', () => {
      const scanner = new ChunkedEnd();
      expect(scanner.feed(bytes('1234'))).toBe(NOT_YET);
      expect(scanner.feed(bytes('5678'))).toBe(NOT_YET);
      expect(scanner.feed(bytes('9'))).toBe(MALFORMED);
    });
  });
});
