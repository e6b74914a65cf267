/**
 * Finds where a chunked body (RFC 9112 7.1) ends, without decoding it: the fast lane passes the
 * bytes on as they came and needs only to know which byte is the last one of this answer, so
 * that the next answer on the same connection starts clean. Strict, like http1-head.ts: hex
 * sizes of at most 8 digits, extensions and trailer lines without control characters, CRLF
 * everywhere. A body that breaks a rule is reported, and the caller drops both connections.
 */

const enum State {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  EndLf,
}

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/** A byte allowed inside a chunk extension or trailer line: no control characters but tab. */
function isLineByte(byte: number): boolean {
  return byte === TAB || (byte >= 0x20 && byte !== 0x7f);
}

export const MALFORMED = -2;
export const NOT_YET = -1;

export class ChunkedEnd {
  private state = State.Size;
  private digits = 0;
  private size = 0;

  /**
   * Reads `chunk`; returns the offset just past the body's last byte when the body ends in it,
   * NOT_YET when it goes on, MALFORMED when the framing is broken.
   */
  feed(chunk: Buffer): number {
    let i = 0;
    while (i < chunk.length) {
      const byte = chunk[i]!;
      switch (this.state) {
        case State.Size: {
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (++this.digits > 8) return MALFORMED;
            this.size = this.size * 16 + digit;
          } else if (this.digits === 0) return MALFORMED;
          else if (byte === CR) this.state = State.SizeLf;
          else if (byte === 0x3b /* ; */) this.state = State.Extension;
          else return MALFORMED;
          break;
        }
        case State.Extension:
          if (byte === CR) this.state = State.SizeLf;
          else if (!isLineByte(byte)) return MALFORMED;
          break;
        case State.SizeLf:
          if (byte !== LF) return MALFORMED;
          this.state = this.size === 0 ? State.TrailerStart : State.Data;
          break;
        case State.Data: {
          // Skip the chunk's data in one step.
          const take = Math.min(this.size, chunk.length - i);
          this.size -= take;
          i += take;
          if (this.size === 0) this.state = State.DataCr;
          continue;
        }
        case State.DataCr:
          if (byte !== CR) return MALFORMED;
          this.state = State.DataLf;
          break;
        case State.DataLf:
          if (byte !== LF) return MALFORMED;
          this.state = State.Size;
          this.digits = 0;
          break;
        case State.TrailerStart:
          if (byte === CR) this.state = State.EndLf;
          else if (isLineByte(byte) && byte !== 0x20 && byte !== TAB) this.state = State.TrailerLine;
          else return MALFORMED;
          break;
        case State.TrailerLine:
          if (byte === CR) this.state = State.TrailerLf;
          else if (!isLineByte(byte)) return MALFORMED;
          break;
        case State.TrailerLf:
          if (byte !== LF) return MALFORMED;
          this.state = State.TrailerStart;
          break;
        case State.EndLf:
          if (byte !== LF) return MALFORMED;
          return i + 1;
      }
      i++;
    }
    return NOT_YET;
  }
}
