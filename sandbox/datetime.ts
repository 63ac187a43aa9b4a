/**
 * Salesforce datetimes. The API returns them as `2024-05-20T20:49:32.000+0000`: always UTC with a
 * fixed width, so two of them compare chronologically as plain strings, which the sandbox relies on.
 */
export function formatSalesforceDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function parseSalesforceDatetime(text: string): number {
  return Date.parse(text.replace('+0000', 'Z'));
}

const LITERAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses a SOQL datetime literal (`...Z`, `...+0000`, `...+00:00`) to epoch ms; undefined if invalid. */
export function parseSoqlDatetime(text: string): number | undefined {
  const m = LITERAL.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const fields = [y, mo, d, h, mi, s].map(Number);
  const ms = Date.UTC(
    fields[0],
    fields[1] - 1,
    fields[2],
    fields[3],
    fields[4],
    fields[5],
    Number((frac ?? '0').padEnd(3, '0')),
  );
  // Date.UTC rolls 2024-02-30 over to March; SOQL rejects such dates, so must we.
  const c = new Date(ms);
  const roundTrip = [
    c.getUTCFullYear(),
    c.getUTCMonth() + 1,
    c.getUTCDate(),
    c.getUTCHours(),
    c.getUTCMinutes(),
    c.getUTCSeconds(),
  ];
  if (roundTrip.some((value, i) => value !== fields[i])) return undefined;
  if (zone === 'Z') return ms;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return ms - sign * offsetMinutes * 60_000;
}
