// ISO 8601 date-times with an explicit UTC offset, as SCADA exports write them
// (`2013-01-01T00:00:00+01:00`). Parsed by hand rather than with Date.parse: engines differ
// on the formats Date.parse accepts, and a timestamp without an offset must be an error,
// not silently local time.

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** Milliseconds in 400 Gregorian years (146,097 days): the calendar repeats after them. */
const FOUR_CENTURIES = 146_097 * 86_400_000;

/**
 * `Date.UTC` for the year as written: `Date.UTC` itself reads years 0–99 as 1900–1999, so
 * those are computed 400 years later (same weekdays and leap years) and moved back.
 */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  if (year >= 0 && year < 100) return Date.UTC(year + 400, monthIndex, day, hour, minute, second, millis) - FOUR_CENTURIES;
  return Date.UTC(year, monthIndex, day, hour, minute, second, millis);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/**
 * The UTC instant (milliseconds since 1970-01-01T00:00:00Z) of an ISO date-time with an
 * offset (`Z`, `+01:00`, `+0100` or `+01`); the date and time may be separated by `T` or a
 * space, seconds and fractions are optional.
 * @returns the instant, or NaN when the text is not such a date-time
 */
export function parseDateTime(text: string): number {
  const m = PATTERN.exec(text.trim());
  if (m === null) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  let offsetMinutes = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 14 || om > 59) return NaN;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Local wall time minus its offset is the UTC instant.
  return utc(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Writes an instant as local time at an offset: `formatDateTime(0, 60)` is `1970-01-01T01:00:00+01:00`. */
export function formatDateTime(instant: number, offsetMinutes: number): string {
  const local = new Date(instant + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** The UTC instant of the last Sunday of a month at 01:00 UTC (when EU summer time switches). */
function lastSundayAtOneUtc(year: number, month: number): number {
  const last = new Date(utc(year, month, 0, 1)); // last day of `month` (1-based), 01:00Z
  return last.getTime() - last.getUTCDay() * 86_400_000;
}

/**
 * Offset of Central European time (France) at an instant, in minutes: +120 from the last
 * Sunday of March to the last Sunday of October (01:00 UTC both), +60 otherwise.
 */
export function centralEuropeanOffset(instant: number): number {
  const year = new Date(instant).getUTCFullYear();
  return instant >= lastSundayAtOneUtc(year, 3) && instant < lastSundayAtOneUtc(year, 10) ? 120 : 60;
}
