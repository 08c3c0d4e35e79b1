// ISO 8601 date-times, parsed by hand rather than with Date.parse: engines differ on the
// formats Date.parse accepts, and a timestamp without an offset must never silently become
// the local time of the machine that happens to read it.

/**
 * Date, then optionally a time (after `T` or a space) and a UTC offset. Groups: year, month,
 * day, hour, minute, second, fraction, zone.
 */
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Milliseconds in 400 Gregorian years (146,097 days): the calendar repeats after them. */
const FOUR_CENTURIES = 146_097 * 86_400_000;

/**
 * `Date.UTC` for the year as written: `Date.UTC` itself reads years 0–99 as 1900–1999, so
 * those are computed 400 years later (same weekdays and leap years) and moved back.
 */
export function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  if (year >= 0 && year < 100) return Date.UTC(year + 400, monthIndex, day, hour, minute, second, millis) - FOUR_CENTURIES;
  return Date.UTC(year, monthIndex, day, hour, minute, second, millis);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/** How {@link parseInstant} reads a date-time that carries no offset. */
export interface InstantFormat {
  /**
   * Offset in minutes (east of UTC) of a date-time written without one; undefined refuses
   * such a date-time.
   */
  localOffset?: number;
  /** Accept a date alone (`2024-03-01`, midnight at `localOffset`). */
  dateOnly?: boolean;
}

/**
 * The UTC instant (milliseconds since the epoch) of an ISO date-time: a date, `T` or a space,
 * hours and minutes, optional seconds and fraction, and an offset (`Z`, `+01:00`, `+0100`,
 * `+01`) or, when `format.localOffset` is given, none.
 * @returns the instant, or NaN when the text is not such a date-time
 */
export function parseInstant(text: string, format: InstantFormat = {}): number {
  const m = PATTERN.exec(text.trim());
  if (m === null) return NaN;
  const hasTime = m[4] !== undefined;
  if (!hasTime && format.dateOnly !== true) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = hasTime ? Number(m[4]) : 0;
  const minute = hasTime ? Number(m[5]) : 0;
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  let offsetMinutes: number;
  const zone = m[8];
  if (zone === undefined) {
    if (format.localOffset === undefined) return NaN;
    offsetMinutes = format.localOffset;
  } else if (zone === 'Z') {
    offsetMinutes = 0;
  } else {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 14 || om > 59) return NaN;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Local wall time minus its offset is the UTC instant.
  return utc(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/**
 * The UTC instant (milliseconds since 1970-01-01T00:00:00Z) of an ISO date-time with an
 * offset (`Z`, `+01:00`, `+0100` or `+01`); the date and time may be separated by `T` or a
 * space, seconds and fractions are optional.
 * @returns the instant, or NaN when the text is not such a date-time
 */
export function parseDateTime(text: string): number {
  return parseInstant(text);
}
