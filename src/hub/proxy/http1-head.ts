/**
 * Reads HTTP/1.1 message heads for the proxy's fast lane (fast-lane.ts), strictly: a head is
 * accepted only when its meaning cannot be in doubt (CRLF line ends, token header names, no
 * obsolete line folding, no control characters, no repeated framing or identity headers).
 * Anything else gets `undefined`, and the fast lane then leaves the message to node:http, whose
 * parser (llhttp) handles the whole protocol and answers malformed input.
 *
 * Written here rather than taken from a library: Node's own parser is not public API
 * (`process.binding('http_parser')` is deprecated), and a pure-JS parser such as
 * http-parser-js costs more per request than the whole fast lane is allowed to. Refusing is
 * always safe here, because the full parser is one hand-off away.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestHead {
  method: string;
  /** The request target exactly as sent. */
  url: string;
  /** Names and values as sent, alternating (as node:http's `rawHeaders`). */
  rawHeaders: string[];
  /** Lower-case names; repeated headers joined as node:http joins them. */
  headers: IncomingHttpHeaders;
}

export interface ResponseHead {
  status: number;
  reason: string;
  rawHeaders: string[];
  /** Lower-case names; repeated headers joined with ", " (Set-Cookie is left to rawHeaders). */
  headers: Record<string, string>;
}

// One pass of one expression over the whole head decides whether it is strict (start line,
// then `\r\n name:value` lines; names are tokens, values visible ASCII, space, tab or obs-text,
// so no CR, LF or other control character anywhere but the line ends); only then is it cut up.
const FIELDS = "(?:\\r\\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\\t\\x20-\\x7e\\x80-\\xff]*)*$";
const STRICT_REQUEST = new RegExp(`^[A-Z]+ [\\x21-\\x7e]+ HTTP/1\\.1${FIELDS}`);
const STRICT_RESPONSE = new RegExp(`^HTTP/1\\.1 [1-9]\\d\\d(?: [\\t\\x20-\\x7e\\x80-\\xff]*)?${FIELDS}`);

// Headers whose repetition changes who the message is for or where it ends: a second copy is
// refused outright, not resolved by a rule that another parser might resolve differently.
const SINGLE = new Set(['host', 'content-length', 'transfer-encoding', 'authorization', 'upgrade', 'expect']);

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Cuts the (already checked) field lines that follow `text[at]` (a CRLF) into name/value pairs. */
function fieldsOf(text: string, at: number): string[] {
  const raw: string[] = [];
  while (at < text.length) {
    const start = at + 2;
    let end = text.indexOf('\r\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    let valueStart = colon + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && isBlank(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    raw.push(text.slice(start, colon), text.slice(valueStart, valueEnd));
    at = end;
  }
  return raw;
}

function lineEnd(text: string): number {
  const end = text.indexOf('\r\n');
  return end < 0 ? text.length : end;
}

/** The request head `text` (up to, not including, the blank line), or undefined if not strict. */
export function parseRequestHead(text: string): RequestHead | undefined {
  if (!STRICT_REQUEST.test(text)) return undefined;
  const firstSpace = text.indexOf(' ');
  const secondSpace = text.indexOf(' ', firstSpace + 1);
  const method = text.slice(0, firstSpace);
  const url = text.slice(firstSpace + 1, secondSpace);
  const rawHeaders = fieldsOf(text, lineEnd(text));
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    const previous = headers[name];
    if (previous === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (SINGLE.has(name)) return undefined;
    else if (Array.isArray(previous)) previous.push(value);
    else headers[name] = `${previous}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return { method, url, rawHeaders, headers };
}

/** The response head `text` (without the blank line), or undefined if not strict HTTP/1.1. */
export function parseResponseHead(text: string): ResponseHead | undefined {
  if (!STRICT_RESPONSE.test(text)) return undefined;
  const statusEnd = lineEnd(text);
  const rawHeaders = fieldsOf(text, statusEnd);
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const previous = headers[name];
    if (previous === undefined) headers[name] = rawHeaders[i + 1]!;
    else if (SINGLE.has(name)) return undefined;
    else headers[name] = `${previous}, ${rawHeaders[i + 1]!}`;
  }
  return { status: Number(text.slice(9, 12)), reason: text.slice(13, statusEnd), rawHeaders, headers };
}
