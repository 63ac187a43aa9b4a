/**
 * Strict parsing of the datetimes Salesforce returns (`2024-05-20T20:49:32.000+0000`) and of
 * ISO-8601 UTC times (`2024-05-20T20:49:32.000Z`). Strict because these strings end up in
 * SOQL and in checkpoints: anything that is not exactly a datetime must be rejected, not
 * leniently coerced the way `Date.parse` would.
 */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; pure arithmetic, no clock.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Milliseconds since the epoch, or null when `text` is not a valid datetime. */
export function parseInstant(text: string): number | null {
  const match = DATETIME.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  // Checkpoints have millisecond precision; extra digits are truncated, which can only move
  // a cursor earlier (re-reading a record is harmless, skipping one is not).
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), millis);
  return utc - offsetMinutes * 60_000;
}
