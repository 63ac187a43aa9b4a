import Decimal from 'decimal.js';
import type { PerformanceRecord, SubPeriod } from './record';
import type { DateFormat, VendorMapping } from './vendors';

/** One cell as the file readers hand it over: text (CSV, JSON strings), numbers (xlsx, JSON), booleans. */
export type CellValue = string | number | boolean | null;
export type RowValues = Record<string, CellValue>;

/** A problem with one row, named by the file's own column so a person can find it in the file. */
export interface RowIssue {
  field: string;
  message: string;
  /** The cell as read, when there was one. */
  value?: string;
}

export type NormaliseResult = { ok: true; record: PerformanceRecord } | { ok: false; issues: RowIssue[] };

/** Parsing is never limited by precision, but the percent-to-fraction division is. */
const Exact = Decimal.clone({ precision: 40 });

/** Active ISO 4217 codes, plus the precious metals custodians report holdings in. */
const CURRENCY_CODES = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD ' +
    'GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT ' +
    'LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR ' +
    'NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP ' +
    'STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XAG XAU ' +
    'XCD XCG XOF XPD XPF XPT YER ZAR ZMW ZWG'
  ).split(' '),
);

export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODES.has(code);
}

/** The text of a cell, trimmed; '' when blank or absent. */
function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).trim();
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Where year, month and day are among each format's captured groups. */
const DATE_PATTERNS: Record<DateFormat, { pattern: RegExp; year: number; month: number; day: number }> = {
  'YYYY-MM-DD': { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, year: 1, month: 2, day: 3 },
  'MM/DD/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, year: 3, month: 1, day: 2 },
  'DD/MM/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, year: 3, month: 2, day: 1 },
  'DD.MM.YYYY': { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, year: 3, month: 2, day: 1 },
};

const EXAMPLE_DATES: Record<DateFormat, string> = {
  'YYYY-MM-DD': '2026-10-31',
  'MM/DD/YYYY': '10/31/2026',
  'DD/MM/YYYY': '31/10/2026',
  'DD.MM.YYYY': '31.10.2026',
};

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A date in the vendor's format as an ISO date. Spreadsheet date cells arrive as ISO dates
 * whatever the vendor types elsewhere, so xlsx mappings accept those too.
 */
function parseDate(text: string, mapping: VendorMapping): Parsed<string> {
  const formats: DateFormat[] =
    mapping.format === 'xlsx' ? [mapping.dateFormat, 'YYYY-MM-DD'] : [mapping.dateFormat];
  for (const format of formats) {
    const { pattern, year, month, day } = DATE_PATTERNS[format];
    const match = pattern.exec(text);
    if (!match) continue;
    const [y, m, d] = [year, month, day].map((group) => Number(match[group]));
    if (m < 1 || m > 12) return { ok: false, message: `is not a date: there is no month ${m}` };
    if (d < 1 || d > daysIn(y, m)) {
      return { ok: false, message: `is not a date: ${MONTHS[m - 1]} ${y} has ${daysIn(y, m)} days` };
    }
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    return { ok: true, value: `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` };
  }
  return {
    ok: false,
    message: `must be a date as ${mapping.dateFormat}, such as ${EXAMPLE_DATES[mapping.dateFormat]}`,
  };
}

/**
 * A decimal's shape for each decimal separator: a sign or accounting parentheses, the whole part
 * grouped in thousands (1,234.56; 1.234,56 or 1 234,56, the same separator throughout) or not.
 */
const DECIMAL_SHAPES: Record<VendorMapping['decimalSeparator'], RegExp> = {
  '.': /^(?<sign>[-+]?)(?<open>\()?(?<whole>\d{1,3}(?:(?<group>,)\d{3}(?:\k<group>\d{3})*)?|\d*)(?:\.(?<fraction>\d+))?(?<close>\))?$/,
  ',': /^(?<sign>[-+]?)(?<open>\()?(?<whole>\d{1,3}(?:(?<group>[. \u00a0\u202f])\d{3}(?:\k<group>\d{3})*)?|\d*)(?:,(?<fraction>\d+))?(?<close>\))?$/,
};

/**
 * A decimal as vendors write it: optional sign or accounting parentheses for negatives, digits
 * grouped in thousands or not, the mapping's decimal separator. Scientific notation is refused in
 * text: a spreadsheet that shows 1.23E+15 has usually already dropped digits. Numbers from
 * spreadsheets are binary doubles already, so they are taken as their shortest decimal text.
 */
function parseDecimal(value: CellValue, separator: VendorMapping['decimalSeparator']): Parsed<Decimal> {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { ok: true, value: new Exact(String(value)) } : notANumber(separator);
  }
  if (typeof value !== 'string') return notANumber(separator);
  const text = value.trim();
  if (/\p{Sc}/u.test(text)) {
    return {
      ok: false,
      message: 'must be a number without a currency symbol (the currency has its own column)',
    };
  }
  const { sign, open, whole, group, fraction, close } = DECIMAL_SHAPES[separator].exec(text)?.groups ?? {};
  if (whole === undefined || (whole === '' && fraction === undefined) || !open !== !close || (open && sign)) {
    return notANumber(separator);
  }
  const digits = `${group ? whole.split(group).join('') : whole || '0'}${fraction ? `.${fraction}` : ''}`;
  const negative = sign === '-' || open !== undefined;
  return { ok: true, value: new Exact(`${negative ? '-' : ''}${digits}`) };
}

function notANumber(separator: VendorMapping['decimalSeparator']): Parsed<Decimal> {
  const example = separator === '.' ? '1,234.56 or (1,234.56)' : '1.234,56 or (1.234,56)';
  return { ok: false, message: `must be a number such as ${example}` };
}

/** Printable, and no '/': the id becomes part of the record key vendor/account/period. */
const ACCOUNT_ID = /^[^\p{C}/]+$/u;

const HUNDRED = new Exact(100);
const LOWEST_RETURN = new Exact(-1);
const HIGHEST_RETURN = new Exact(10);

/**
 * One row of a vendor's file as a canonical performance record, or every problem found in it,
 * each naming the file's column. Blank cells are "no value": a blank flow is no flow, a blank
 * trailing group of sub-period columns is a period with fewer sub-periods, a blank currency is
 * the mapping's default currency.
 */
export function normaliseRow(mapping: VendorMapping, values: RowValues): NormaliseResult {
  const issues: RowIssue[] = [];
  const { columns } = mapping;

  const issue = (field: string, message: string) => {
    const text = cellText(values[field]);
    issues.push(text === '' ? { field, message } : { field, message, value: text });
  };

  /** The cell's text, or undefined (with a "required" issue) when blank. */
  const required = (field: string): string | undefined => {
    const text = cellText(values[field]);
    if (text === '') issue(field, 'required');
    return text === '' ? undefined : text;
  };

  const date = (field: string): string | undefined => {
    const text = required(field);
    if (text === undefined) return undefined;
    const parsed = parseDate(text, mapping);
    if (!parsed.ok) issue(field, parsed.message);
    return parsed.ok ? parsed.value : undefined;
  };

  const decimal = (field: string, { blankIsZero = false } = {}): Decimal | undefined => {
    if (cellText(values[field]) === '' && blankIsZero) return new Exact(0);
    if (required(field) === undefined) return undefined;
    const parsed = parseDecimal(values[field], mapping.decimalSeparator);
    if (!parsed.ok) issue(field, parsed.message);
    return parsed.ok ? parsed.value : undefined;
  };

  const accountId = required(columns.accountId);
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) {
    issue(columns.accountId, 'must be printable characters without "/"');
  }

  const periodStart = date(columns.periodStart);
  const periodEnd = date(columns.periodEnd);
  if (periodStart !== undefined && periodEnd !== undefined && periodEnd <= periodStart) {
    issue(columns.periodEnd, `must be after the period start (${columns.periodStart}: ${periodStart})`);
  }

  // A blank or unmapped currency is the default; the mapping schema ensures one or the other.
  const currency =
    (columns.currency && cellText(values[columns.currency]).toUpperCase()) || mapping.defaultCurrency;
  if (currency === undefined) issue(columns.currency!, 'required');
  else if (!isCurrencyCode(currency)) {
    issue(columns.currency!, 'must be an ISO 4217 currency code such as USD');
  }

  const subPeriods = readSubPeriods(mapping, values, issue, decimal);

  const reported = decimal(columns.reportedReturn);
  const reportedReturn = reported && (mapping.returnUnit === 'percent' ? reported.div(HUNDRED) : reported);
  if (
    reportedReturn !== undefined &&
    (reportedReturn.lt(LOWEST_RETURN) || reportedReturn.gt(HIGHEST_RETURN))
  ) {
    issue(columns.reportedReturn, 'must be between -100 % and 1000 %');
  }

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    record: {
      vendor: mapping.vendor,
      accountId: accountId!,
      periodStart: periodStart!,
      periodEnd: periodEnd!,
      currency: currency!,
      subPeriods: subPeriods!,
      reportedReturn: reportedReturn!.toFixed(),
    },
  };
}

function readSubPeriods(
  mapping: VendorMapping,
  values: RowValues,
  issue: (field: string, message: string) => void,
  decimal: (field: string, options?: { blankIsZero?: boolean }) => Decimal | undefined,
): SubPeriod[] | undefined {
  const groups = mapping.columns.subPeriods;
  const blank = groups.map((group) =>
    [group.begin, group.end, group.flow].every((field) => cellText(values[field]) === ''),
  );
  const count = blank.includes(false) ? blank.lastIndexOf(false) + 1 : 0;
  if (count === 0) {
    issue(groups[0].begin, 'required');
    return undefined;
  }
  let complete = true;
  const subPeriods: SubPeriod[] = [];
  groups.slice(0, count).forEach((group, index) => {
    if (blank[index]) {
      const next = groups[blank.indexOf(false, index + 1)];
      issue(group.begin, `required: a later sub-period (${next.begin}) has values`);
      complete = false;
      return;
    }
    const begin = decimal(group.begin);
    const end = decimal(group.end);
    const flow = decimal(group.flow, { blankIsZero: true });
    if (begin === undefined || end === undefined || flow === undefined) {
      complete = false;
      return;
    }
    if (begin.plus(flow).lte(0)) {
      issue(
        group.begin,
        `plus the flow (${group.flow}) must be more than 0: the sub-period's return is undefined otherwise`,
      );
      complete = false;
    }
    if (end.lt(0)) {
      issue(group.end, 'must not be negative');
      complete = false;
    }
    subPeriods.push({ begin: begin.toFixed(), end: end.toFixed(), flow: flow.toFixed() });
  });
  return complete ? subPeriods : undefined;
}
