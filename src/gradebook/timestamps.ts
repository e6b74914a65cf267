/**
 * nbgrader's timestamps: `utils.parse_utc` (timestamp.txt and --duedate), and the naive-UTC text
 * form Python's `str(datetime)` gives (`YYYY-MM-DD HH:MM:SS[.ffffff]`), which is what the gradebook
 * stores and grades.csv shows.
 *
 * Written by hand rather than with a date library because nbgrader's rules are its own: with three
 * space-separated tokens a numeric third token is an offset in *seconds* (so `-0100` is -100 s),
 * otherwise an IANA zone name; the zone arithmetic uses the runtime's Intl data.
 */
import { CoursehubError } from '../util/errors.js';

export class TimestampError extends CoursehubError {}

/** Microseconds since the Unix epoch, UTC. Exact in a double until the year 2255. */
export type UtcMicros = number;

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

interface LocalParts {
  wallMicros: UtcMicros;
  offsetSeconds: number | null;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Refuses a date or time that does not exist, as Python's datetime does, rather than letting
 * Date.UTC roll it over (2024-02-30 would become 2024-03-01 without a word).
 */
function refuseImpossible(text: string, y: number, mo: number, d: number, h: number, mi: number, s: number) {
  const fail = (why: string) =>
    new TimestampError(`'${text.trim()}' is not a date and time: ${why}.`, {
      hint: 'Write it as "YYYY-MM-DD HH:MM:SS[.ffffff] [ZONE]", e.g. "2024-03-01 17:00:00 UTC".',
    });
  if (y < 1) throw fail('there is no year 0');
  if (mo < 1 || mo > 12) throw fail(`there is no month ${mo}`);
  const days = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !isLeapYear(y) ? 1 : 0);
  if (d < 1 || d > days) throw fail(`${MONTHS[mo - 1]} ${y} has ${days} days`);
  if (h > 23) throw fail(`there is no hour ${h}`);
  if (mi > 59) throw fail(`there is no minute ${mi}`);
  if (s > 59) throw fail(`there is no second ${s}`);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parseLocal(text: string): LocalParts {
  const match = DATE_TIME.exec(text.trim());
  if (!match) {
    throw new TimestampError(`Cannot read the timestamp '${text}'.`, {
      hint: 'Write it as "YYYY-MM-DD HH:MM:SS[.ffffff] [ZONE]", e.g. "2024-03-01 17:00:00 UTC".',
    });
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = match;
  refuseImpossible(text, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  const wallMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const wallMicros = wallMs * 1000 + Number(frac.padEnd(6, '0') || '0');
  let offsetSeconds: number | null = null;
  if (zone) {
    if (zone.toUpperCase() === 'Z') offsetSeconds = 0;
    else {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      offsetSeconds = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60);
    }
  }
  return { wallMicros, offsetSeconds };
}

/** The offset (seconds east of UTC) of an IANA zone at a UTC instant. */
function zoneOffsetAt(zone: string, utcMs: number): number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 1000);
}

/** Converts a wall-clock time in `zone` to UTC (two passes settle DST transitions, as dateutil does). */
function wallToUtc(wallMicros: UtcMicros, zone: string): UtcMicros {
  const wallMs = Math.floor(wallMicros / 1000);
  let offset = zoneOffsetAt(zone, wallMs);
  offset = zoneOffsetAt(zone, wallMs - offset * 1000);
  return wallMicros - offset * 1_000_000;
}

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false; // the caller refuses the zone, naming it
  }
}

/** nbgrader's `parse_utc`: any accepted timestamp text -> UTC microseconds. */
export function parseUtc(text: string): UtcMicros {
  const parts = text.trim().split(' ');
  if (parts.length === 3) {
    const [date, time, zone] = parts as [string, string, string];
    const local = parseLocal(`${date} ${time}`);
    if (/^[+-]?\d+$/.test(zone)) return local.wallMicros - Number(zone) * 1_000_000;
    if (!isValidZone(zone)) {
      throw new TimestampError(`Unknown time zone '${zone}' in '${text}'.`, {
        hint: 'Use an IANA zone name such as UTC or America/New_York, or a numeric offset.',
      });
    }
    return wallToUtc(local.wallMicros, zone);
  }
  const local = parseLocal(text);
  return local.wallMicros - (local.offsetSeconds ?? 0) * 1_000_000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Python's `str(datetime)` of a naive UTC datetime: the fraction only when it is not zero. */
export function formatNaiveUtc(micros: UtcMicros): string {
  const ms = Math.floor(micros / 1000);
  const fraction = micros - ms * 1000 + (ms % 1000) * 1000;
  const date = new Date(ms - (ms % 1000));
  const base =
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return fraction === 0 ? base : `${base}.${pad(fraction, 6)}`;
}

/** Reads back what formatNaiveUtc wrote (the gradebook's stored form). */
export function parseNaiveUtc(text: string): UtcMicros {
  return parseLocal(text).wallMicros;
}
