/**
 * Scores as nbgrader's feedback template prints them: `{{ value | float | round(2) }}`, that is
 * Python's `str(round(float(value), 2))`: `1.0`, `0.5`, `0.33`, `10.0`.
 */
import { pythonFloatRepr } from '../notebook/index.js';

/** Python's round(value, 2): the nearest hundredth of the exact binary value, ties to even. */
export function roundToHundredths(value: number): number {
  if (!Number.isFinite(value)) return value;
  const scaled = value * 100;
  // An exact tie (x.xx5 exactly representable, e.g. 0.125): Python rounds half to even,
  // toFixed rounds it away from zero.
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled)) {
    const down = Math.floor(scaled);
    return (down % 2 === 0 ? down : down + 1) / 100;
  }
  return Number(value.toFixed(2));
}

export function scoreText(value: number): string {
  return pythonFloatRepr(roundToHundredths(value));
}
