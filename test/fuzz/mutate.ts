/**
 * "Near-valid, then broken": a text arbitrary made from a structured generator's output with a few
 * edits applied (characters that mean something to parsers inserted, spans deleted or repeated,
 * the text cut short). Parsers meet most of their edge cases one edit away from a valid input; a
 * purely random string rarely gets past the first character.
 */
import fc from 'fast-check';

/** Characters that start, end or escape something in CSV, JSON, YAML or Python. */
const SPECIAL = [
  '"',
  "'",
  '\\',
  '\n',
  '\r',
  '\t',
  ' ',
  ',',
  ':',
  '#',
  '[',
  ']',
  '{',
  '}',
  '(',
  ')',
  '&',
  '*',
  '!',
  '|',
  '>',
  '-',
  '=',
  '.',
  '0',
  '\u0000',
  '\ufeff',
  '\u00e9',
  '\ud83d\ude00',
  '\ud800',
  '"""',
  "'''",
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '1e999',
  '-0',
  '&a',
  '*a',
  '<<: *a',
];

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'cut'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 4, unit: 'binary' })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 6 }),
    times: fc.integer({ min: 2, max: 40 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

function apply(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    if (e.kind === 'insert') out = out.slice(0, at) + e.text + out.slice(at);
    else if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + e.length);
    else if (e.kind === 'repeat')
      out = out.slice(0, at) + out.slice(at, at + e.length).repeat(e.times) + out.slice(at);
    else out = out.slice(0, at);
  }
  return out;
}

/** `valid` as it is about a third of the time, else with one to four edits. */
export function nearly(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      valid,
      fc.oneof(
        { weight: 1, arbitrary: fc.constant<Edit[]>([]) },
        { weight: 2, arbitrary: fc.array(edit, { minLength: 1, maxLength: 4 }) },
      ),
    )
    .map(([text, edits]) => apply(text, edits));
}

/** Bytes: the text as UTF-8, sometimes re-encoded as Latin-1 or with stray bytes. */
export function asBytes(text: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      text,
      fc.constantFrom('utf8', 'utf8', 'utf8', 'latin1', 'utf16le'),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
    )
    .map(([value, encoding, stray]) => {
      const bytes = Buffer.from(value, encoding as BufferEncoding);
      for (const [at, byte] of stray) if (bytes.length > 0) bytes[at % bytes.length] = byte;
      return new Uint8Array(bytes);
    });
}
