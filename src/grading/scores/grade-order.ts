/**
 * The order a notebook's grades are listed and added up in. Sums of fractions depend on their
 * order in the last bit, so every reader of the gradebook takes them in this one order, on every
 * database.
 */

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function isSortedByName<T extends { name: string }>(rows: T[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1]!.name > rows[i]!.name) return false;
  return true;
}

/**
 * Rows in grade-id order. Grade ids are ASCII (nbgrader allows [A-Za-z0-9_-]), so this is SQLite's
 * binary order, the one its index on (notebook, name) gave the gradebook's queries before they
 * were set-based. Rows that are in order already (SQLite's usually are) are not copied.
 */
export function inGradeIdOrder<T extends { name: string }>(rows: T[]): T[] {
  return isSortedByName(rows) ? rows : [...rows].sort(byName);
}

/** A name JavaScript orders as an integer key of an object (`Object.values` lists those first). */
function isIndexKey(name: string): boolean {
  const first = name.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  return /^(0|[1-9]\d{0,9})$/.test(name) && Number(name) < 2 ** 32 - 1;
}

/**
 * Grades in the order a notebook lists and adds them up: the order of `Object.values` over grades
 * keyed by grade id and inserted in grade-id order, which is how the totals were always taken (ids
 * that are integers, such as `7`, come first, by value).
 */
export function inListingOrder<T extends { name: string }>(rows: T[]): T[] {
  const ordered = inGradeIdOrder(rows);
  if (!ordered.some((r) => isIndexKey(r.name))) return ordered;
  const integers = ordered.filter((r) => isIndexKey(r.name)).sort((a, b) => Number(a.name) - Number(b.name));
  return [...integers, ...ordered.filter((r) => !isIndexKey(r.name))];
}
