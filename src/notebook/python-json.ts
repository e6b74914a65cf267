/**
 * JSON read and written the way Python's `json` module does it for nbformat, so that notebooks we
 * write are byte-identical to nbgrader's.
 *
 * Why hand-written: `JSON.parse` forgets whether a number was written `1` or `1.0` (Python keeps
 * int and float apart and writes `1.0` back), and Node 20's `JSON.parse` has no `context.source`
 * reviver argument to recover it. So the parser below records, beside the plain values, which
 * numbers were integral floats (or integers too large for a double); the writer reads that record
 * back. The record lives in a WeakMap keyed by the containing object or array, so values stay plain
 * JSON for every other caller (deep equality, spreading, JSON.stringify all behave as usual).
 */
import type { JsonValue } from './types.js';
import { pythonFloatRepr } from './python-float.js';

/** How a number must be written back when its value was not changed since it was read. */
interface NumberSpelling {
  value: number;
  /** 'float': write with Python's float repr (1.0); 'int': write these exact digits. */
  kind: 'float' | 'int';
  digits?: string;
}

const numberSpellings = new WeakMap<object, Map<string | number, NumberSpelling>>();

function rememberSpelling(container: object, key: string | number, spelling: NumberSpelling): void {
  let map = numberSpellings.get(container);
  if (!map) numberSpellings.set(container, (map = new Map()));
  map.set(key, spelling);
}

/** Marks `container[key]` as a Python float, so an integral value is written as `2.0`. */
export function markAsFloat(container: object, key: string | number): void {
  const value = (container as Record<string | number, unknown>)[key];
  if (typeof value === 'number') rememberSpelling(container, key, { value, kind: 'float' });
}

/** Whether `container[key]` was read as (or marked as) a Python float. */
export function isPythonFloat(container: object, key: string | number): boolean {
  const value = (container as Record<string | number, unknown>)[key];
  if (typeof value !== 'number') return false;
  if (!Number.isInteger(value)) return true;
  const spelling = numberSpellings.get(container)?.get(key);
  return spelling !== undefined && spelling.kind === 'float' && Object.is(spelling.value, value);
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** Parses JSON text (plus Python's NaN/Infinity extensions), keeping the int/float distinction. */
export function parsePythonJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const holder: { value: JsonValue } = { value: null };
  holder.value = parser.value(holder, 'value');
  parser.skipWhitespace();
  if (parser.pos < text.length) throw parser.fail('unexpected data after the JSON value');
  return holder.value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * How deeply arrays and objects may nest. Python's json gives up near 1000 (its recursion limit);
 * no notebook nests more than a few dozen levels, and every walker of the result (copy, write,
 * repr) recurses too, so a file nested past this is refused here, with its line and column,
 * rather than overflowing the stack somewhere later.
 */
export const MAX_JSON_DEPTH = 500;
// eslint-disable-next-line no-control-regex -- raw control characters are invalid inside JSON strings
const STRING_PLAIN = /[^"\\\u0000-\u001f]*/y;

class Parser {
  pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH)
      throw this.fail(`arrays and objects nested too deeply (more than ${MAX_JSON_DEPTH} levels)`);
  }

  fail(what: string): JsonSyntaxError {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    return new JsonSyntaxError(`${what} at line ${line} column ${column}`, this.pos);
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(container: object, key: string | number): JsonValue {
    const t = this.text;
    const c = t[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (t.startsWith('true', this.pos)) return ((this.pos += 4), true);
    if (t.startsWith('false', this.pos)) return ((this.pos += 5), false);
    if (t.startsWith('null', this.pos)) return ((this.pos += 4), null);
    if (t.startsWith('NaN', this.pos)) return this.special(3, NaN, container, key);
    if (t.startsWith('Infinity', this.pos)) return this.special(8, Infinity, container, key);
    if (t.startsWith('-Infinity', this.pos)) return this.special(9, -Infinity, container, key);
    return this.number(container, key);
  }

  private special(length: number, value: number, container: object, key: string | number): number {
    this.pos += length;
    rememberSpelling(container, key, { value, kind: 'float' });
    return value;
  }

  private number(container: object, key: string | number): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) throw this.fail('expected a value');
    this.pos += match[0].length;
    const value = Number(match[0]);
    const isFloat = match[1] !== undefined || match[2] !== undefined;
    if (isFloat) {
      if (Number.isInteger(value) || !Number.isFinite(value))
        rememberSpelling(container, key, { value, kind: 'float' });
      return value;
    }
    if (!Number.isSafeInteger(value)) {
      // Python ints are exact at any size; keep the digits so they are written back unchanged.
      rememberSpelling(container, key, { value, kind: 'int', digits: BigInt(match[0]).toString() });
    }
    return value === 0 ? 0 : value; // Python has no int -0
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos;
    STRING_PLAIN.lastIndex = start;
    STRING_PLAIN.exec(t);
    let end = STRING_PLAIN.lastIndex;
    if (t[end] === '"') {
      this.pos = end + 1;
      return t.slice(start, end);
    }
    // Has escapes (or is broken): find the closing quote, then let JSON.parse unescape it.
    while (end < t.length) {
      const ch = t.charCodeAt(end);
      if (ch === 0x5c) end += 2;
      else if (ch === 0x22) break;
      else if (ch < 0x20) {
        this.pos = end;
        throw this.fail('invalid control character in string');
      } else end++;
    }
    if (end >= t.length) {
      this.pos = start - 1;
      throw this.fail('unterminated string');
    }
    try {
      const value = JSON.parse(t.slice(start - 1, end + 1)) as string;
      this.pos = end + 1;
      return value;
    } catch {
      // JSON.parse's own message would name a position in the slice: say it with ours.
      this.pos = start;
      throw this.fail('invalid escape in string');
    }
  }

  private array(): JsonValue[] {
    this.enter();
    this.pos++;
    const result: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') return (this.pos++, this.depth--, result);
    while (true) {
      this.skipWhitespace();
      result.push(this.value(result, result.length));
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === ']') return (this.depth--, result);
      if (c !== ',') {
        this.pos--;
        throw this.fail("expected ',' or ']'");
      }
    }
  }

  private object(): { [key: string]: JsonValue } {
    this.enter();
    this.pos++;
    const result: { [key: string]: JsonValue } = {};
    this.skipWhitespace();
    if (this.text[this.pos] === '}') return (this.pos++, this.depth--, result);
    while (true) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') throw this.fail('expected a property name in double quotes');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos++] !== ':') {
        this.pos--;
        throw this.fail("expected ':'");
      }
      this.skipWhitespace();
      // Like Python's dict, a repeated key keeps the last value.
      Object.defineProperty(result, key, {
        value: this.value(result, key),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === '}') return (this.depth--, result);
      if (c !== ',') {
        this.pos--;
        throw this.fail("expected ',' or '}'");
      }
    }
  }
}

/** Python's `sorted()` order for str keys: by code point, not by UTF-16 unit. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function writeNumber(value: number, container: object, key: string | number): string {
  const spelling = numberSpellings.get(container)?.get(key);
  const unchanged = spelling !== undefined && Object.is(spelling.value, value);
  if (unchanged && spelling.kind === 'int') return spelling.digits!;
  if ((unchanged && spelling.kind === 'float') || !Number.isInteger(value)) return pythonFloatRepr(value);
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/**
 * `json.dumps(value, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)`.
 * JSON.stringify escapes strings exactly as Python does with ensure_ascii=False (quote, backslash,
 * \n \r \t \b \f, other control characters as lowercase \u00XX), so it is used for strings.
 */
export function writePythonJson(value: unknown): string {
  const parts: string[] = [];
  writeValue(value, '', parts, { v: value }, 'v');
  return parts.join('');
}

function writeValue(value: unknown, indent: string, out: string[], container: object, key: string | number) {
  if (value === null) out.push('null');
  else if (typeof value === 'string') out.push(JSON.stringify(value));
  else if (typeof value === 'boolean') out.push(value ? 'true' : 'false');
  else if (typeof value === 'number') out.push(writeNumber(value, container, key));
  else if (Array.isArray(value)) {
    if (value.length === 0) return void out.push('[]');
    const inner = indent + ' ';
    out.push('[');
    value.forEach((item, index) => {
      out.push(index === 0 ? '\n' : ',\n', inner);
      writeValue(item === undefined ? null : item, inner, out, value, index);
    });
    out.push('\n', indent, ']');
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort(compareCodePoints);
    if (keys.length === 0) return void out.push('{}');
    const inner = indent + ' ';
    out.push('{');
    keys.forEach((k, index) => {
      out.push(index === 0 ? '\n' : ',\n', inner, JSON.stringify(k), ': ');
      writeValue(record[k], inner, out, record, k);
    });
    out.push('\n', indent, '}');
  } else {
    throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}

/** A deep copy that keeps the int/float record, for steps that must not change their input. */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const source = value as unknown as Record<string | number, unknown>;
  const copy = (Array.isArray(value) ? [] : {}) as Record<string | number, unknown>;
  for (const key of Object.keys(source)) {
    const item = source[key];
    // defineProperty, not assignment: a "__proto__" key must stay an ordinary own property.
    if (item !== undefined)
      Object.defineProperty(copy, key, {
        value: cloneJson(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  const spellings = numberSpellings.get(value as object);
  if (spellings) {
    const keyOf = (k: string | number) => (Array.isArray(value) ? Number(k) : k);
    numberSpellings.set(copy, new Map([...spellings].map(([k, s]) => [keyOf(k), s])));
  }
  return copy as T;
}
