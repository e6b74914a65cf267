/**
 * A reader for Python literals (strings, numbers, True/False/None, lists, tuples, dicts), enough to
 * read the right-hand sides of `nbgrader_config.py` without ever executing the file.
 *
 * Why hand-written: no npm package reads Python literals, and the subset is small and closed
 * (what `ast.literal_eval` accepts minus sets, bytes and complex numbers).
 */
import type { JsonValue } from '../../notebook/index.js';
import { setOwn } from '../../util/own-keys.js';

export class PythonLiteralError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** True when Python itself could not read the file (a syntax error), not just coursehub. */
    readonly syntaxError = false,
  ) {
    super(message);
  }
}

const SIMPLE_ESCAPES = new Map<string, string>([
  ['\n', ''],
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
  ['a', '\x07'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['v', '\v'],
]);

/** The names that are literals; any other name is code, which is never run. */
const NAMED_VALUES = new Map<string, JsonValue>([
  ['True', true],
  ['False', false],
  ['None', null],
]);

/** As Python's parser ("too many nested parentheses"): deeper values are refused, not recursed into. */
const MAX_DEPTH = 200;

export class PythonLiteralReader {
  pos: number;
  private depth = 0;
  constructor(
    private readonly text: string,
    start = 0,
  ) {
    this.pos = start;
  }

  private fail(message: string, syntaxError = false): PythonLiteralError {
    return new PythonLiteralError(message, this.pos, syntaxError);
  }

  /** Skips spaces, tabs, comments, and (inside brackets) newlines and line continuations. */
  skipSpace(insideBrackets: boolean): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\f') this.pos++;
      else if (c === '\\' && t[this.pos + 1] === '\n') this.pos += 2;
      else if (insideBrackets && (c === '\n' || c === '\r')) this.pos++;
      else if (insideBrackets && c === '#') while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      else break;
    }
  }

  /** Reads one literal (with implicit string concatenation, as Python does). */
  value(insideBrackets = false): JsonValue {
    this.skipSpace(insideBrackets);
    const t = this.text;
    const c = t[this.pos];
    if (c === '[') return this.sequence(']');
    if (c === '(') return this.sequence(')');
    if (c === '{') return this.dict();
    const stringStart = /^[rRuUbBfF]{0,2}['"]/.exec(t.slice(this.pos, this.pos + 3));
    if (stringStart) {
      let result = this.string();
      for (;;) {
        const save = this.pos;
        this.skipSpace(insideBrackets);
        if (!/^[rRuU]{0,2}['"]/.test(t.slice(this.pos, this.pos + 3))) {
          this.pos = save;
          return result;
        }
        result += this.string();
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(t.slice(this.pos));
    if (word) {
      if (!NAMED_VALUES.has(word[0])) throw this.fail(`'${word[0]}' is a name, not a literal value`);
      this.pos += word[0].length;
      return NAMED_VALUES.get(word[0])!;
    }
    const number =
      /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/.exec(
        t.slice(this.pos),
      );
    if (number && number[0] !== '+' && number[0] !== '-') {
      this.pos += number[0].length;
      const text = number[0].replace(/_/g, '');
      if (/^[+-]?0[xXoObB]/.test(text)) {
        const negative = text.startsWith('-');
        const magnitude = Number(text.replace(/^[+-]/, ''));
        return negative ? -magnitude : magnitude;
      }
      return Number(text);
    }
    throw this.fail(c === undefined ? 'the value is missing' : `unexpected '${c}'`);
  }

  private string(): string {
    const t = this.text;
    const prefix = /^[rRuUbBfF]*/.exec(t.slice(this.pos))![0];
    if (/[fF]/.test(prefix)) throw this.fail('f-strings are computed, not literal');
    if (/[bB]/.test(prefix)) throw this.fail('bytes are not supported');
    const raw = /[rR]/.test(prefix);
    this.pos += prefix.length;
    const quote = t.startsWith(t[this.pos]!.repeat(3), this.pos) ? t[this.pos]!.repeat(3) : t[this.pos]!;
    this.pos += quote.length;
    let out = '';
    for (;;) {
      if (this.pos >= t.length) throw this.fail('unterminated string', true);
      if (t.startsWith(quote, this.pos)) {
        this.pos += quote.length;
        return out;
      }
      const c = t[this.pos]!;
      if (c === '\n' && quote.length === 1) throw this.fail('unterminated string', true);
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const next = t[this.pos + 1] ?? '';
      if (raw) {
        out += c + next;
        this.pos += 2;
        continue;
      }
      this.pos += 2;
      const simple = SIMPLE_ESCAPES.get(next);
      if (simple !== undefined) out += simple;
      else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = t.slice(this.pos, this.pos + length);
        if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) throw this.fail(`bad \\${next} escape`);
        out += String.fromCodePoint(parseInt(hex, 16));
        this.pos += length;
      } else if (/[0-7]/.test(next)) {
        const octal = /^[0-7]{1,3}/.exec(t.slice(this.pos - 1))![0];
        out += String.fromCodePoint(parseInt(octal, 8));
        this.pos += octal.length - 1;
      } else out += '\\' + next; // Python keeps unknown escapes as they are
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.fail(`brackets nested too deeply (more than ${MAX_DEPTH})`);
  }

  /** A list or tuple; `(x)` without a comma is just x in parentheses, as in Python. */
  private sequence(close: string): JsonValue {
    this.enter();
    this.pos++;
    const items: JsonValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace(true);
      if (this.text[this.pos] === close) {
        this.pos++;
        this.depth--;
        return close === ')' && items.length === 1 && !sawComma ? items[0]! : items;
      }
      items.push(this.value(true));
      this.skipSpace(true);
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        sawComma = true;
      } else if (c !== close) throw this.fail(`expected ',' or '${close}'`);
    }
  }

  /** A dict; its keys are data ("__proto__" is a key like any other, never the prototype). */
  private dict(): { [key: string]: JsonValue } {
    this.enter();
    this.pos++;
    const result: { [key: string]: JsonValue } = {};
    for (;;) {
      this.skipSpace(true);
      if (this.text[this.pos] === '}') return (this.pos++, this.depth--, result);
      const key = this.value(true);
      if (typeof key !== 'string') throw this.fail('only string keys are supported in dicts');
      this.skipSpace(true);
      if (this.text[this.pos] !== ':') throw this.fail("expected ':' (sets are not supported)");
      this.pos++;
      setOwn(result, key, this.value(true));
      this.skipSpace(true);
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== '}') throw this.fail("expected ',' or '}'");
    }
  }
}
