import Decimal from 'decimal.js';
import { z } from 'zod';

/**
 * Exchange rates from configuration (PRODUCT_CURRENCY_RATES_FILE), with the date they are of:
 * `{"date": "2026-11-20", "base": "EUR", "rates": {"USD": "1.0821", ...}}`, one base unit in each
 * currency, as the ECB publishes them. Prices are converted with decimal.js and rounded once, to
 * the store currency's minor unit.
 */

/** Conversion is never limited by precision; only the final rounding is. */
const Exact = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** The ISO 4217 codes the runtime's ICU knows. */
const CURRENCY_CODES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODES.has(code);
}

const currencyCode = z.string().refine(isCurrencyCode, 'must be an ISO 4217 code in upper case, such as USD');
const rate = z
  .union([z.number(), z.string()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal such as 1.0821'))
  .refine((text) => new Exact(text).gt(0), 'must be more than 0');

const ratesFileSchema = z.strictObject({
  date: z.iso.date('must be the date the rates are of, such as 2026-11-20'),
  base: currencyCode,
  source: z.string().optional(),
  rates: z.record(currencyCode, rate),
});

export interface CurrencyRates {
  /** The day the rates are of. */
  date: string;
  base: string;
  /** Units of each currency one base unit buys; the base itself is 1. */
  rates: ReadonlyMap<string, Decimal>;
}

/** The rates file, checked; a bad one stops start-up naming the file and the field. */
export function parseRates(json: unknown, file: string): CurrencyRates {
  const parsed = ratesFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `PRODUCT_CURRENCY_RATES_FILE ${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`,
    );
  }
  const { date, base, rates } = parsed.data;
  const table = new Map(Object.entries(rates).map(([code, value]) => [code, new Exact(value)]));
  table.set(base, new Exact(1));
  return { date, base, rates: table };
}

/** Digits after the decimal point in the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorUnits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits!;
}

export type Conversion = { ok: true; amount: string } | { ok: false; message: string };

/** `amount` of `from` in `to`, rounded half up to `to`'s minor unit, as a decimal string. */
export function convert(amount: string, from: string, to: string, rates: CurrencyRates): Conversion {
  if (!isCurrencyCode(from)) return { ok: false, message: 'must be an ISO 4217 currency code such as USD' };
  const fromRate = rates.rates.get(from);
  const toRate = rates.rates.get(to);
  if (!fromRate || !toRate) {
    const missing = [fromRate ? null : from, toRate ? null : to].filter(Boolean).join(' and ');
    return {
      ok: false,
      message: `no exchange rate for ${missing} in the rates of ${rates.date} (PRODUCT_CURRENCY_RATES_FILE)`,
    };
  }
  const converted = from === to ? new Exact(amount) : new Exact(amount).div(fromRate).mul(toRate);
  return { ok: true, amount: converted.toFixed(minorUnits(to), Exact.ROUND_HALF_UP) };
}
