/**
 * Python's `repr(float)` (which is also `str(float)` and what `json.dumps` writes): the shortest
 * digits that round-trip, in fixed notation when the decimal exponent is in [-4, 16), otherwise
 * as `d.ddde+XX` with at least two exponent digits; integral values keep a trailing `.0`.
 * nbgrader hashes `str(float(points))` into every checksum, so this must match exactly.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';

  // toExponential() without an argument gives the shortest round-tripping digits, as repr does.
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';

  if (exponent >= -4 && exponent < 16) {
    let text: string;
    if (exponent < 0) text = '0.' + '0'.repeat(-exponent - 1) + digits;
    else if (digits.length <= exponent + 1) text = digits + '0'.repeat(exponent + 1 - digits.length) + '.0';
    else text = digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
    return sign + text;
  }
  const fraction = digits.length > 1 ? '.' + digits.slice(1) : '';
  const exponentSign = exponent < 0 ? '-' : '+';
  return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
