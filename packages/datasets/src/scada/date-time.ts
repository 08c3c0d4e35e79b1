// Date-times as SCADA exports write them: French local time with an explicit UTC offset
// (`2013-01-01T00:00:00+01:00`). Parsing is shared with the general CSV loader.
import { utc } from '../csv/date-time.js';

export { parseDateTime } from '../csv/date-time.js';

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
