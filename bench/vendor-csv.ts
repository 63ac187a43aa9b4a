import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { timeWeightedReturn } from '../src/pipelines/vendor-performance/returns';
import { createPrng } from '../sandbox/prng';

/** Matches vendor-a's file pattern in config/vendor-mappings.json. */
export const VENDOR_A_FILE = 'vendor-a-2026-10.csv';

const HEADER =
  'Account Number,Period Start,Period End,Currency,Begin MV 1,Net Flow 1,End MV 1,' +
  'Begin MV 2,Net Flow 2,End MV 2,Begin MV 3,Net Flow 3,End MV 3,Reported TWR %';
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD'];
/** Rows per write: one string per batch keeps the generator fast without holding the file. */
const BATCH = 1_000;

const decimal = (cents: number) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/** Cents as vendor-a writes amounts: "1,234,567.80" in quotes, negatives in accounting parentheses. */
function amount(cents: number): string {
  const [whole, fraction] = decimal(Math.abs(cents)).split('.');
  const text = `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction}`;
  return cents < 0 ? `"(${text})"` : `"${text}"`;
}

/**
 * One valid row: one or two sub-periods that chain, the second after a flow in or out, and the
 * TWR in percent to 4 decimals as vendor-a reports it: within 0.005 bp of the exact figure, so
 * every row passes a 1 bp tolerance.
 */
function row(index: number, between: (low: number, high: number) => number): string {
  const periods: { begin: number; flow: number; end: number }[] = [];
  let value = between(50_000, 5_000_000) * 100 + between(0, 99);
  for (let position = 0; position < (index % 3 === 0 ? 1 : 2); position += 1) {
    const flow =
      position === 0
        ? 0
        : between(0, 1) === 1
          ? between(5_000, 250_000) * 100
          : -Math.min(between(5_000, 150_000) * 100, Math.floor(value / 2));
    const end = Math.round(((value + flow) * (10_000 + between(-400, 500))) / 10_000);
    periods.push({ begin: value, flow, end });
    value = end;
  }
  const twr = timeWeightedReturn(
    periods.map(({ begin, flow, end }) => ({
      begin: decimal(begin),
      flow: decimal(flow),
      end: decimal(end),
    })),
  );
  const cells = periods.flatMap(({ begin, flow, end }) => [amount(begin), amount(flow), amount(end)]);
  while (cells.length < 9) cells.push('');
  const account = `B-${String(index + 1).padStart(7, '0')}`;
  const currency = CURRENCIES[index % CURRENCIES.length];
  const reported = twr.times(100).toDecimalPlaces(4).toFixed(4);
  return `${account},2026-10-01,2026-10-31,${currency},${cells.join(',')},${reported}\n`;
}

/**
 * Writes `rows` valid vendor-a rows to `folder`/VENDOR_A_FILE, streamed in batches, under a
 * dotfile name first (the drop ignores those) and renamed whole. Returns the file's size in bytes.
 */
export async function writeVendorCsv(folder: string, rows: number): Promise<number> {
  const target = path.join(folder, VENDOR_A_FILE);
  const partial = path.join(folder, `.${VENDOR_A_FILE}.partial`);
  const random = createPrng(4);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const out = createWriteStream(partial);
  const closed = once(out, 'close');
  out.write(`${HEADER}\n`);
  for (let start = 0; start < rows; start += BATCH) {
    let text = '';
    for (let index = start; index < Math.min(rows, start + BATCH); index += 1) text += row(index, between);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await closed;
  await rename(partial, target);
  return (await stat(target)).size;
}
