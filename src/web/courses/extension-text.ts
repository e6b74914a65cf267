/** How the course pages say an extension's length. */

/** Seconds as days, hours and minutes ("1 day 2 hours"), for the page's messages. */
export function extensionText(seconds: number): string {
  const parts: string[] = [];
  const units: [string, number][] = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  let left = seconds;
  for (const [unit, size] of units) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count > 0) parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
  }
  return parts.join(' ') || '0 seconds';
}
