/**
 * A request head too large to read (over node:http's 16 KiB, which the fast lane keeps too): the
 * answer says which part is at fault. node:http answers 431 "Request Header Fields Too Large"
 * with no body for both, and a browser user with a very long link is better told "URI too long"
 * (414), with the limit, than that the headers are too large.
 */
import type { Duplex } from 'node:stream';
import { answerOnSocket } from './answers.js';

/** node:http's limit on a request head (request line and headers), which both lanes keep. */
export const MAX_REQUEST_HEAD = 16 * 1024;
/** A request line longer than this in an oversized head is what made it too large. */
const MAX_REQUEST_LINE = 8 * 1024;

/** A header field line: a token, then a colon. */
const FIELD_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/;

/**
 * Whether the request line made an oversized head too large. `bytes` is the start of the head
 * (the fast lane's), or what node:http's parser held when it gave up, which may begin with an
 * earlier request on the connection; `end` is where the parser stopped. True when the head
 * starts with a request line over 8 KiB, or when the line being read at `end` is over 8 KiB and
 * is not a header field.
 */
export function requestLineTooLong(bytes: Buffer | undefined, end = bytes?.length ?? 0): boolean {
  if (!bytes) return false;
  const text = bytes.toString('latin1', 0, Math.min(end, bytes.length));
  const firstEnd = text.indexOf('\n');
  if (/^[A-Z]+ /.test(text) && (firstEnd === -1 ? text.length : firstEnd) > MAX_REQUEST_LINE) return true;
  const current = text.slice(text.lastIndexOf('\n') + 1);
  return current.length > MAX_REQUEST_LINE && !FIELD_LINE.test(current);
}

/** Answers 414 on the raw connection and closes it: the rest of the request is never read. */
export function answerUriTooLong(socket: Duplex): void {
  answerOnSocket(
    socket,
    414,
    `The request's URI is too long (request heads may be ${MAX_REQUEST_HEAD / 1024} KiB at most). ` +
      'Use a shorter link, or send long data in a request body.',
  );
}

/**
 * node:http's own answers to a request it could not parse (its 'clientError' default), with a
 * JSON body, and 414 for an oversized head whose request line is at fault (`rawPacket`: the
 * bytes its parser held; `bytesParsed`: how far it read them).
 */
export function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number },
  socket: Duplex,
): void {
  if (!socket.writable || (socket as Duplex & { bytesWritten?: number }).bytesWritten !== 0) {
    socket.destroy();
    return;
  }
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      if (requestLineTooLong(error.rawPacket, error.bytesParsed)) return answerUriTooLong(socket);
      return answerOnSocket(
        socket,
        431,
        `The request's headers are too large (${MAX_REQUEST_HEAD / 1024} KiB at most).`,
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return answerOnSocket(socket, 413, 'The request body has chunk extensions too large to read.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return answerOnSocket(socket, 408, 'The request took too long to arrive.');
    case 'ECONNRESET':
      socket.destroy();
      return;
    default:
      return answerOnSocket(socket, 400, 'The request is not well-formed HTTP/1.1.');
  }
}
