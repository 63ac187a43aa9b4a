/**
 * Writes the sample vendor performance files in samples/vendor-performance/: the same kind of
 * October 2026 figures in each vendor's own shape, with the bad rows samples/.../README.md lists.
 * Deterministic: a fixed seed and fixed timestamps, so re-running it changes nothing.
 *
 *   npx tsx scripts/sample-vendor-files.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import { timeWeightedReturn } from '../src/pipelines/vendor-performance/returns';
import { createPrng } from '../sandbox/prng';

const OUTPUT = path.resolve(__dirname, '../samples/vendor-performance');
const ROWS = 20;
const GENERATED = new Date(Date.UTC(2026, 10, 2, 6, 0, 0));

interface SampleSubPeriod {
  /** Whole cents (whole units for currencies without minor units). */
  begin: number;
  flow: number;
  end: number;
}

interface SampleRow {
  accountId: string;
  currency: string;
  subPeriods: SampleSubPeriod[];
  /** The TWR of the values above, as an exact fraction. */
  twr: Decimal;
}

/**
 * Accounts whose sub-periods chain (each begins where the last ended) and whose flows happen at
 * the sub-period starts, as the record defines them. One account in five has no flow at all.
 */
function sampleRows(seed: number, accountIds: (index: number) => string, currencies: string[]): SampleRow[] {
  const random = createPrng(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  return Array.from({ length: ROWS }, (_, index) => {
    const currency = currencies[index % currencies.length];
    // Yen have no minor unit: whole yen only.
    const step = currency === 'JPY' ? 100 : 1;
    const rounded = (cents: number) => Math.round(cents / step) * step;
    const count = index % 5 === 0 ? 1 : between(2, 3);
    let value = rounded(between(50_000, 5_000_000) * 100 + between(0, 99));
    const subPeriods = Array.from({ length: count }, (_, position) => {
      const begin = value;
      const flow =
        position === 0
          ? 0
          : random() < 0.6
            ? between(5_000, 250_000) * 100
            : -Math.min(between(5_000, 150_000) * 100, rounded(begin / 2));
      const basisPoints = between(-400, 500);
      const end = rounded(((begin + flow) * (10_000 + basisPoints)) / 10_000);
      value = end;
      return { begin, flow, end };
    });
    return { accountId: accountIds(index), currency, subPeriods, twr: twrOf(subPeriods) };
  });
}

function twrOf(subPeriods: SampleSubPeriod[]): Decimal {
  return timeWeightedReturn(
    subPeriods.map(({ begin, flow, end }) => ({
      begin: amount(begin).toFixed(),
      flow: amount(flow).toFixed(),
      end: amount(end).toFixed(),
    })),
  );
}

function amount(cents: number): Decimal {
  return new Decimal(cents).div(100);
}

/** 1234567.8 → "1,234,567.80" (or with the given separators); negatives in accounting parentheses. */
function formatted(cents: number, { thousands = ',', decimal = '.', parentheses = true } = {}): string {
  const [whole, fraction] = amount(Math.abs(cents)).toFixed(2).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, thousands);
  const text = `${grouped}${decimal}${fraction}`;
  if (cents >= 0) return text;
  return parentheses ? `(${text})` : `-${text}`;
}

/** Rounded to 4 decimals in percent, as the vendors report: within 0.005 bp of the exact TWR. */
const percent = (twr: Decimal) => twr.times(100).toDecimalPlaces(4).toFixed(4);
const fraction = (twr: Decimal) => twr.toDecimalPlaces(6).toFixed(6);

type Cell = string | number | Date | null;

/** The bad rows: by row index, what is changed in that row's cells (keyed by column). */
type Defects = Record<number, (cells: Record<string, Cell>, row: SampleRow) => void>;

function applyDefects(
  rows: SampleRow[],
  cellsOf: (row: SampleRow, index: number) => Record<string, Cell>,
  defects: Defects,
) {
  return rows.map((row, index) => {
    const cells = cellsOf(row, index);
    defects[index]?.(cells, row);
    return cells;
  });
}

const GROUPS = 3;

// Vendor A: CSV, ISO dates, returns in percent, amounts with thousands separators.

const vendorAColumns = [
  'Account Number',
  'Period Start',
  'Period End',
  'Currency',
  ...Array.from({ length: GROUPS }, (_, i) => [
    `Begin MV ${i + 1}`,
    `Net Flow ${i + 1}`,
    `End MV ${i + 1}`,
  ]).flat(),
  'Reported TWR %',
];

function vendorACells(row: SampleRow): Record<string, Cell> {
  const cells: Record<string, Cell> = {
    'Account Number': row.accountId,
    'Period Start': '2026-10-01',
    'Period End': '2026-10-31',
    Currency: row.currency,
    'Reported TWR %': percent(row.twr),
  };
  row.subPeriods.forEach(({ begin, flow, end }, i) => {
    cells[`Begin MV ${i + 1}`] = formatted(begin);
    cells[`Net Flow ${i + 1}`] = formatted(flow);
    cells[`End MV ${i + 1}`] = formatted(end);
  });
  return cells;
}

const vendorADefects: Defects = {
  3: (cells) => (cells['Period Start'] = '2026-09-31'),
  6: (cells) => (cells['End MV 2'] = 'n/a'),
  9: (cells) => (cells['Account Number'] = ''),
  12: (cells, row) => (cells['Begin MV 1'] = `$${formatted(row.subPeriods[0].begin)}`),
  16: (cells, row) => (cells['Reported TWR %'] = percent(row.twr.plus('0.0042'))),
};

function csvField(cell: Cell): string {
  const text = cell === null ? '' : String(cell);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function writeVendorA(): void {
  const rows = sampleRows(0xa2026, (i) => `A-${String(100_231 + i * 37)}`, [
    'USD',
    'USD',
    'EUR',
    'GBP',
    'CAD',
  ]);
  const lines = applyDefects(rows, vendorACells, vendorADefects).map((cells) =>
    vendorAColumns.map((column) => csvField(cells[column] ?? null)).join(','),
  );
  writeFileSync(
    path.join(OUTPUT, 'vendor-a-2026-10.csv'),
    [vendorAColumns.map(csvField).join(','), ...lines].join('\r\n') + '\r\n',
  );
}

// Vendor B: Excel, DD/MM/YYYY (some cells real dates), returns as fractions, decimal comma in text cells.

const vendorBColumns = [
  'Portfolio ID',
  'From',
  'To',
  'Ccy',
  ...Array.from({ length: GROUPS }, (_, i) => [
    `Opening Value ${i + 1}`,
    `Cash Flow ${i + 1}`,
    `Closing Value ${i + 1}`,
  ]).flat(),
  'TWR',
];

function vendorBCells(row: SampleRow, index: number): Record<string, Cell> {
  // Every third row was typed in by hand: text cells, European notation. The rest are real dates and numbers.
  const typed = index % 3 === 1;
  const money = (cents: number) =>
    typed ? formatted(cents, { thousands: '.', decimal: ',', parentheses: true }) : cents / 100;
  const cells: Record<string, Cell> = {
    'Portfolio ID': row.accountId,
    From: typed ? '01/10/2026' : new Date(Date.UTC(2026, 9, 1)),
    To: typed ? '31/10/2026' : new Date(Date.UTC(2026, 9, 31)),
    // A blank currency is the mapping's default, EUR.
    Ccy: row.currency === 'EUR' && index % 2 === 0 ? null : row.currency,
    TWR: typed ? fraction(row.twr).replace('.', ',') : Number(fraction(row.twr)),
  };
  row.subPeriods.forEach(({ begin, flow, end }, i) => {
    cells[`Opening Value ${i + 1}`] = money(begin);
    cells[`Cash Flow ${i + 1}`] = money(flow);
    cells[`Closing Value ${i + 1}`] = money(end);
  });
  return cells;
}

const vendorBDefects: Defects = {
  2: (cells) => (cells.To = '31/11/2026'),
  7: (cells) => (cells['Cash Flow 2'] = 'TBC'),
  9: (cells) => (cells.Ccy = 'EURO'),
  12: (cells) => {
    cells.From = '31/10/2026';
    cells.To = '01/10/2026';
  },
  16: (cells, row) => (cells.TWR = Number(fraction(row.twr.minus('0.0018')))),
};

/**
 * Zip entries carry their write time, which would make every run's workbook differ: set them to
 * the report's generation time in each local header and central directory entry.
 */
function withFixedZipTimes(zip: Buffer, at: Date): Buffer {
  const time = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2);
  const date = ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = zip.readUInt16LE(endOfDirectory + 10);
  let offset = zip.readUInt32LE(endOfDirectory + 16);
  for (let entry = 0; entry < entries; entry++) {
    zip.writeUInt16LE(time, offset + 12);
    zip.writeUInt16LE(date, offset + 14);
    const local = zip.readUInt32LE(offset + 42);
    zip.writeUInt16LE(time, local + 10);
    zip.writeUInt16LE(date, local + 12);
    offset +=
      46 + zip.readUInt16LE(offset + 28) + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return zip;
}

async function writeVendorB(): Promise<void> {
  const rows = sampleRows(0xb2026, (i) => `PF-${2041 + i * 3}`, ['EUR', 'EUR', 'CHF', 'GBP']);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Vendor B Reporting';
  workbook.created = GENERATED;
  workbook.modified = GENERATED;

  const notes = workbook.addWorksheet('Notes');
  notes.addRows([
    ['Monthly performance report, October 2026'],
    ['Values are in the portfolio currency. TWR is a fraction: 0.0123 is 1.23 %.'],
    ['Cash flows are dated at the start of their sub-period. Negative flows are withdrawals.'],
  ]);
  notes.getColumn(1).width = 90;

  const sheet = workbook.addWorksheet('Performance');
  sheet.addRow(['Vendor B Monthly Performance Report']).font = { bold: true, size: 14 };
  sheet.addRow(['Period: 01/10/2026 – 31/10/2026', null, null, null, 'Generated: 02/11/2026']);
  sheet.addRow(vendorBColumns).font = { bold: true };
  const cells = applyDefects(rows, vendorBCells, vendorBDefects);
  for (const row of cells) {
    const added = sheet.addRow(vendorBColumns.map((column) => row[column] ?? null));
    added.eachCell((cell) => {
      if (cell.value instanceof Date) cell.numFmt = 'dd/mm/yyyy';
      else if (typeof cell.value === 'number') cell.numFmt = '#,##0.00####';
    });
  }
  sheet.columns.forEach((column) => (column.width = 16));

  const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
  writeFileSync(path.join(OUTPUT, 'vendor-b-2026-10.xlsx'), withFixedZipTimes(buffer, GENERATED));
}

// Vendor C: nested JSON, MM/DD/YYYY, returns in percent, amounts as JSON numbers.

interface VendorCAccount {
  account: { id: string | null; name: string };
  period: { start: string; end: string };
  currency?: string;
  valuations: { begin: number | string; end: number | string; flow: number | string }[];
  reported: { twrPercent: number | string };
}

function vendorCAccount(row: SampleRow, index: number): VendorCAccount {
  return {
    account: { id: row.accountId, name: `Client portfolio ${index + 1}` },
    period: { start: '10/01/2026', end: '10/31/2026' },
    // USD is the mapping's default: this vendor leaves it out.
    ...(row.currency === 'USD' ? {} : { currency: row.currency }),
    valuations: row.subPeriods.map(({ begin, flow, end }) => ({
      begin: begin / 100,
      end: end / 100,
      flow: flow / 100,
    })),
    reported: { twrPercent: Number(percent(row.twr)) },
  };
}

const vendorCDefects: Record<number, (account: VendorCAccount, row: SampleRow) => void> = {
  2: (account) => (account.period.end = '31/10/2026'),
  5: (account) => (account.account.id = null),
  8: (account) => (account.reported.twrPercent = 'N/A'),
  11: (account) => {
    account.valuations[0] = { begin: 0, end: 0, flow: 0 };
  },
  14: (account) => (account.reported.twrPercent = 1520.5),
  17: (account, row) => (account.reported.twrPercent = Number(percent(row.twr.plus('0.00025')))),
};

function writeVendorC(): void {
  const rows = sampleRows(0xc2026, (i) => `C${7781 + i * 11}-01`, ['USD', 'USD', 'JPY', 'AUD']);
  const accounts = rows.map((row, index) => {
    const account = vendorCAccount(row, index);
    vendorCDefects[index]?.(account, row);
    return account;
  });
  const file = { vendor: 'C', generated: GENERATED.toISOString(), accounts };
  writeFileSync(path.join(OUTPUT, 'vendor-c-2026-10.json'), JSON.stringify(file, null, 2) + '\n');
}

async function main(): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  writeVendorA();
  await writeVendorB();
  writeVendorC();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
