/**
 * nbgrader's times as SQLAlchemy stores them in SQLite (`YYYY-MM-DD HH:MM:SS.ffffff`, always with
 * microseconds) and as coursehub keeps them (Python's `str(datetime)`: microseconds only when not
 * zero). An extension is a DATETIME too: 1970-01-01 plus the interval.
 */
const STORED = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/;

export class NbgraderTimeError extends Error {}

/** A stored DATETIME as coursehub keeps it; null stays null. */
export function fromStoredTime(value: string | null): string | null {
  if (value === null) return null;
  const match = STORED.exec(value.trim());
  if (!match) throw new NbgraderTimeError(`not a time nbgrader writes: ${JSON.stringify(value)}`);
  const micro = (match[3] ?? '').padEnd(6, '0');
  return micro === '000000' ? `${match[1]} ${match[2]}` : `${match[1]} ${match[2]}.${micro}`;
}

/** A coursehub time as SQLAlchemy writes it in SQLite. */
export function toStoredTime(value: string | null): string | null {
  if (value === null) return null;
  const match = STORED.exec(value.trim());
  if (!match) throw new NbgraderTimeError(`not a naive UTC time: ${JSON.stringify(value)}`);
  return `${match[1]} ${match[2]}.${(match[3] ?? '').padEnd(6, '0')}`;
}

const EPOCH_MS = Date.UTC(1970, 0, 1);

/** The stored extension (1970-01-01 + interval) in seconds. */
export function extensionSeconds(value: string | null): number | null {
  const time = fromStoredTime(value);
  if (time === null) return null;
  const [date, clock] = time.split(' ');
  const [whole, micro = '0'] = clock!.split('.');
  const ms = Date.parse(`${date}T${whole}Z`);
  return Math.round((ms - EPOCH_MS) / 1000) + Number(micro.padEnd(6, '0')) / 1e6;
}

/** Seconds as nbgrader stores an extension. */
export function storedExtension(seconds: number | null): string | null {
  if (seconds === null) return null;
  const whole = Math.floor(seconds);
  const micro = Math.round((seconds - whole) * 1e6);
  const iso = new Date(EPOCH_MS + whole * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micro).padStart(6, '0')}`;
}
