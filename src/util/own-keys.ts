/**
 * Keys that come from files (notebooks, configuration, rosters) are data, never an object's
 * machinery: `obj[key] = value` with the key "__proto__" replaces the object's prototype instead of
 * storing anything, and `obj[key]` with "constructor" or "toString" finds Object's own functions.
 * These two helpers store and read such keys as plain own properties.
 */

/** Stores `value` under `key` as an own property, whatever the key is ("__proto__" included). */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The own property `key` of `source`, or undefined: never something inherited. */
export function getOwn<T>(source: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}
