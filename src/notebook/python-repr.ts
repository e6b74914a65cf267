/**
 * Python's `repr()` and `str()` of JSON values, for reproducing nbgrader's and jsonschema's
 * messages word for word ("'2' is not of type 'number'") and the checksum's `str(True)`.
 */
import { isPythonFloat } from './python-json.js';
import { pythonFloatRepr } from './python-float.js';

function reprString(text: string): string {
  // Python prefers single quotes, switching to double quotes only when that avoids escaping.
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

function reprNumber(value: number, container?: object, key?: string | number): string {
  const float =
    container !== undefined && key !== undefined ? isPythonFloat(container, key) : !Number.isInteger(value);
  if (float) {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return pythonFloatRepr(value);
  }
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/** `repr(value)` for a value read from JSON; pass its container and key to know int from float. */
export function pythonRepr(value: unknown, container?: object, key?: string | number): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return reprString(value);
  if (typeof value === 'number') return reprNumber(value, container, key);
  if (Array.isArray(value)) return '[' + value.map((v, i) => pythonRepr(v, value, i)).join(', ') + ']';
  const record = value as Record<string, unknown>;
  return (
    '{' +
    Object.keys(record)
      .map((k) => `${reprString(k)}: ${pythonRepr(record[k], record, k)}`)
      .join(', ') +
    '}'
  );
}

/** `str(value)`: like repr, except that a string is itself. */
export function pythonStr(value: unknown, container?: object, key?: string | number): string {
  return typeof value === 'string' ? value : pythonRepr(value, container, key);
}
