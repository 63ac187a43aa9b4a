import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import {
  createFileDrop,
  UnreadableFile,
  type FileDrop,
  type FileFormat,
  type FileRow,
  type RowPage,
} from '../src/connectors/file-drop';
import { startS3Server, type S3Server } from './s3-server';

/** A vendor CSV as Excel writes it: BOM, CR LF, a quoted field across two lines, blank lines, a short row. */
const CSV_HEAD = '\uFEFFAccount ID,Period Start,Begin,Note\r\nA-1,2026-10-01,100.50,plain\r\n';
const CSV_SECOND_ROW = 'A-2,2026-10-01,200,"two\r\nlines, with a comma"\r\n';
const CSV_TAIL =
  '\r\n,,,\r\nA-3,2026-10-01,300,"say ""hi"""\r\nA-4,2026-10-01\r\nA-5,2026-10-01,500,last\r\n';
const CSV = CSV_HEAD + CSV_SECOND_ROW + CSV_TAIL;
/** Where the third data row's page resumes: right after the second data row. */
const CSV_THIRD_PAGE_BYTE = Buffer.byteLength(CSV_HEAD + CSV_SECOND_ROW);

const CSV_ROWS: FileRow[] = [
  { row: 2, values: { 'Account ID': 'A-1', 'Period Start': '2026-10-01', Begin: '100.50', Note: 'plain' } },
  {
    row: 3,
    values: {
      'Account ID': 'A-2',
      'Period Start': '2026-10-01',
      Begin: '200',
      Note: 'two\r\nlines, with a comma',
    },
  },
  { row: 7, values: { 'Account ID': 'A-3', 'Period Start': '2026-10-01', Begin: '300', Note: 'say "hi"' } },
  {
    row: 8,
    values: { 'Account ID': 'A-4', 'Period Start': '2026-10-01', Begin: null, Note: null },
    problem: 'has 2 columns, the header has 4',
  },
  { row: 9, values: { 'Account ID': 'A-5', 'Period Start': '2026-10-01', Begin: '500', Note: 'last' } },
];

const EXPECTED_XLSX_COLUMNS = ['account id', 'PERIOD START', 'Begin Value'];

async function readAll(drop: FileDrop, key: string, format: FileFormat, expectedColumns: string[] = []) {
  return drop.readRows(key, { format, fromRow: 0, count: 1_000, expectedColumns });
}

/** Every page of a file, each request built from the page before it as a pipeline would. */
async function readPages(
  drop: FileDrop,
  key: string,
  format: FileFormat,
  count: number,
  expectedColumns: string[] = [],
): Promise<RowPage[]> {
  const pages: RowPage[] = [];
  let previous: RowPage | undefined;
  while (!previous?.done) {
    previous = await drop.readRows(key, {
      format,
      fromRow: previous?.nextRow ?? 0,
      cursor: previous?.cursor,
      count,
      expectedColumns,
    });
    pages.push(previous);
  }
  return pages;
}

async function assertUnreadable(read: Promise<unknown>, key: string, reason: RegExp): Promise<void> {
  await assert.rejects(read, (error: unknown) => {
    assert.ok(error instanceof UnreadableFile, `expected UnreadableFile, got ${String(error)}`);
    assert.equal(error.key, key);
    assert.match(error.reason, reason);
    return true;
  });
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

async function performanceWorkbook(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const notes = workbook.addWorksheet('Notes');
  notes.addRow(['How to read this file']);
  notes.addRow(['Account ID', 'is the custodian account']);
  const sheet = workbook.addWorksheet('Performance');
  sheet.addRow(['Vendor B: account performance']);
  sheet.addRow(['October 2026']);
  sheet.addRow(['Account ID', 'Period Start', 'Period End', ' Begin Value ', 'Note']);
  sheet.addRow([
    'B-1',
    new Date(Date.UTC(2026, 9, 1)),
    { formula: 'B4+30', result: 46326 },
    1000.25,
    { richText: [{ text: 'first ' }, { font: { bold: true }, text: 'account' }] },
  ]);
  sheet.addRow([]);
  sheet.addRow([
    'B-2',
    new Date(Date.UTC(2026, 9, 1, 13, 30)),
    null,
    2000,
    { formula: 'A6&"!"', result: 'B-2!' },
  ]);
  sheet.addRow(['B-3', new Date(Date.UTC(2026, 9, 1)), null, 3000, true]);
  sheet.getColumn(2).numFmt = 'yyyy-mm-dd';
  sheet.getColumn(3).numFmt = 'yyyy-mm-dd';
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const XLSX_ROWS: FileRow[] = [
  {
    row: 4,
    values: {
      'Account ID': 'B-1',
      'Period Start': '2026-10-01',
      'Period End': '2026-10-31',
      'Begin Value': 1000.25,
      Note: 'first account',
    },
  },
  {
    row: 6,
    values: {
      'Account ID': 'B-2',
      'Period Start': '2026-10-01T13:30:00.000Z',
      'Period End': null,
      'Begin Value': 2000,
      Note: 'B-2!',
    },
  },
  {
    row: 7,
    values: {
      'Account ID': 'B-3',
      'Period Start': '2026-10-01',
      'Period End': null,
      'Begin Value': 3000,
      Note: true,
    },
  },
];

const NESTED_JSON_ELEMENTS = [
  { account: { id: 'C-1', currency: 'EUR' }, valuations: [{ begin: 100.5, end: 101 }], closed: false },
  { account: { id: 'C-2', currency: 'USD' }, valuations: [], amount: 'AMOUNT', note: null },
  'not an account',
  { account: { id: 'C-3' }, valuations: [{ begin: 1 }, { begin: 2, flows: [5, -5] }] },
];

describe('file drop in a local folder', () => {
  let root: string;
  let drop: FileDrop;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'file-drop-'));
    drop = createFileDrop({ kind: 'folder', path: root, settleMs: 60_000 });
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists the inbox oldest first, leaving out files still settling, dotfiles and folders', async () => {
    const at = (iso: string) => new Date(iso);
    for (const [name, modified] of [
      ['b.csv', '2026-10-02T08:00:00.000Z'],
      ['c.csv', '2026-10-01T08:00:00.000Z'],
      ['a.csv', '2026-10-02T08:00:00.000Z'],
      ['.hidden.csv', '2026-10-01T08:00:00.000Z'],
    ]) {
      await drop.put(`inbox/${name}`, 'x\n');
      await utimes(join(root, 'inbox', name), at(modified), at(modified));
    }
    await drop.put('inbox/arriving.csv', 'still being copied');
    await mkdir(join(root, 'inbox', 'subfolder'));

    assert.deepEqual(await drop.listInbox(), [
      { key: 'inbox/c.csv', lastModified: '2026-10-01T08:00:00.000Z', size: 2 },
      { key: 'inbox/a.csv', lastModified: '2026-10-02T08:00:00.000Z', size: 2 },
      { key: 'inbox/b.csv', lastModified: '2026-10-02T08:00:00.000Z', size: 2 },
    ]);
    for (const folder of ['inbox', 'archive', 'quarantine'])
      assert.ok(existsSync(join(root, folder)), folder);
    assert.equal(drop.description, `folder ${root}`);
  });

  it('creates its folders before the first listing', async () => {
    const fresh = join(root, 'fresh');
    assert.deepEqual(await createFileDrop({ kind: 'folder', path: fresh }).listInbox(), []);
    for (const folder of ['inbox', 'archive', 'quarantine'])
      assert.ok(existsSync(join(fresh, folder)), folder);
  });

  it('checksums a file as sha256 hex', async () => {
    await drop.put('inbox/checksum.csv', CSV);
    assert.equal(await drop.checksum('inbox/checksum.csv'), sha256(CSV));
  });

  it('reads a CSV in pages of 2 as exactly the rows of one read, with their line numbers', async () => {
    await drop.put('inbox/paged.csv', CSV);
    const whole = await readAll(drop, 'inbox/paged.csv', 'csv');
    assert.deepEqual(whole, {
      header: ['Account ID', 'Period Start', 'Begin', 'Note'],
      rows: CSV_ROWS,
      nextRow: 5,
      cursor: undefined,
      done: true,
    });

    const pages = await readPages(drop, 'inbox/paged.csv', 'csv', 2);
    assert.deepEqual(
      pages.map((page) => page.rows.length),
      [2, 2, 1],
    );
    assert.deepEqual(
      pages.flatMap((page) => page.rows),
      CSV_ROWS,
    );
    assert.ok(pages.every((page) => page.header.join() === whole.header.join()));
  });

  it('resumes a CSV at the byte offset in the cursor, not by reading the rows before it again', async () => {
    await drop.put('inbox/resumed.csv', CSV);
    const first = await drop.readRows('inbox/resumed.csv', {
      format: 'csv',
      fromRow: 0,
      count: 2,
      expectedColumns: [],
    });
    // Rows already read are overwritten in place: only a read from the start would notice.
    const overwritten = Buffer.from(CSV);
    const firstRowsAt = Buffer.byteLength('\uFEFFAccount ID,Period Start,Begin,Note\r\n');
    overwritten.fill('X', firstRowsAt, CSV_THIRD_PAGE_BYTE - 2);
    await writeFile(join(root, 'inbox', 'resumed.csv'), overwritten);

    const second = await drop.readRows('inbox/resumed.csv', {
      format: 'csv',
      fromRow: first.nextRow,
      cursor: first.cursor,
      count: 2,
      expectedColumns: [],
    });
    assert.deepEqual(second.rows, CSV_ROWS.slice(2, 4));
    const fromTheStart = await drop.readRows('inbox/resumed.csv', {
      format: 'csv',
      fromRow: first.nextRow,
      count: 2,
      expectedColumns: [],
    });
    assert.notDeepEqual(fromTheStart.rows, second.rows);
  });

  it('finds an empty CSV unreadable', async () => {
    await drop.put('inbox/empty.csv', '');
    await assertUnreadable(readAll(drop, 'inbox/empty.csv', 'csv'), 'inbox/empty.csv', /no header row/);
    await drop.put('inbox/blank.csv', '\r\n,,\r\n');
    await assertUnreadable(readAll(drop, 'inbox/blank.csv', 'csv'), 'inbox/blank.csv', /no header row/);
  });

  it('finds a CSV with a quote that never closes unreadable', async () => {
    await drop.put('inbox/unclosed.csv', 'a,b\n1,2\n3,"four\n');
    await assertUnreadable(
      readAll(drop, 'inbox/unclosed.csv', 'csv'),
      'inbox/unclosed.csv',
      /Quote Not Closed.*line 3/,
    );
  });

  it('finds the worksheet and its header row below titles in an xlsx, dates as ISO', async () => {
    await drop.put('inbox/performance.xlsx', await performanceWorkbook());
    const whole = await readAll(drop, 'inbox/performance.xlsx', 'xlsx', EXPECTED_XLSX_COLUMNS);
    assert.deepEqual(whole, {
      header: ['Account ID', 'Period Start', 'Period End', 'Begin Value', 'Note'],
      sheet: 'Performance',
      rows: XLSX_ROWS,
      nextRow: 3,
      done: true,
    });
    const pages = await readPages(drop, 'inbox/performance.xlsx', 'xlsx', 2, EXPECTED_XLSX_COLUMNS);
    assert.deepEqual(
      pages.flatMap((page) => page.rows),
      XLSX_ROWS,
    );
    assert.deepEqual(
      pages.map((page) => page.done),
      [false, true],
    );
  });

  it('finds an xlsx without the expected columns unreadable, naming those missing', async () => {
    await drop.put('inbox/other.xlsx', await performanceWorkbook());
    await assertUnreadable(
      readAll(drop, 'inbox/other.xlsx', 'xlsx', ['Account ID', 'Begin Value', 'Currency']),
      'inbox/other.xlsx',
      /the closest, row 3 of "Performance", lacks "Currency"$/,
    );
  });

  it('finds a file that is not an xlsx, or a damaged one, unreadable', { timeout: 20_000 }, async () => {
    const workbook = await performanceWorkbook();
    // Compressed worksheet data overwritten: unzipping fails mid-entry, where exceljs alone would wait forever.
    const damaged = Buffer.from(workbook);
    damaged.fill(0x5a, Math.floor(workbook.length * 0.3), Math.floor(workbook.length * 0.6));
    for (const [name, content] of [
      ['csv-named.xlsx', CSV],
      ['empty.xlsx', ''],
      ['truncated.xlsx', workbook.subarray(0, workbook.length / 2)],
      ['damaged.xlsx', damaged],
    ] as const) {
      await drop.put(`inbox/${name}`, content);
      await assertUnreadable(
        readAll(drop, `inbox/${name}`, 'xlsx', EXPECTED_XLSX_COLUMNS),
        `inbox/${name}`,
        /not a readable xlsx/,
      );
    }
  });

  it('flattens nested JSON elements by dotted path, from a top-level array', async () => {
    // More digits than a double holds.
    await drop.put(
      'inbox/accounts.json',
      JSON.stringify(NESTED_JSON_ELEMENTS).replace('"AMOUNT"', '12345678901234.567'),
    );
    const whole = await readAll(drop, 'inbox/accounts.json', 'json');
    const rows: FileRow[] = [
      {
        row: 1,
        values: {
          'account.id': 'C-1',
          'account.currency': 'EUR',
          'valuations.0.begin': 100.5,
          'valuations.0.end': 101,
          closed: false,
        },
      },
      {
        row: 2,
        // Kept as written, not rounded.
        values: { 'account.id': 'C-2', 'account.currency': 'USD', amount: '12345678901234.567', note: null },
      },
      { row: 3, values: {}, problem: 'is a string, not an object' },
      {
        row: 4,
        values: {
          'account.id': 'C-3',
          'valuations.0.begin': 1,
          'valuations.1.begin': 2,
          'valuations.1.flows.0': 5,
          'valuations.1.flows.1': -5,
        },
      },
    ];
    assert.deepEqual(whole.rows, rows);
    assert.deepEqual(whole.header, [
      'account.id',
      'account.currency',
      'valuations.0.begin',
      'valuations.0.end',
      'closed',
      'amount',
      'note',
      'valuations.1.begin',
      'valuations.1.flows.0',
      'valuations.1.flows.1',
    ]);
    assert.deepEqual(
      (await readPages(drop, 'inbox/accounts.json', 'json', 2)).flatMap((page) => page.rows),
      rows,
    );
  });

  it('reads JSON rows from the first array-valued property of a top-level object', async () => {
    const document = {
      vendor: 'C',
      period: { start: '2026-10-01', months: [10] },
      accounts: [{ account: { id: 'C-1' } }, { account: { id: 'C-2' } }],
      totals: [{ count: 2 }],
    };
    await drop.put('inbox/wrapped.json', JSON.stringify(document));
    const page = await readAll(drop, 'inbox/wrapped.json', 'json');
    assert.deepEqual(page.rows, [
      { row: 1, values: { 'account.id': 'C-1' } },
      { row: 2, values: { 'account.id': 'C-2' } },
    ]);
    assert.equal(page.done, true);
  });

  it('finds malformed JSON, or JSON without an array of rows, unreadable', async () => {
    for (const [name, content, reason] of [
      ['truncated.json', '[{"a":1},{"a":', /malformed JSON/],
      ['trailing.json', '[{"a":1}] and more', /malformed JSON/],
      ['empty.json', '', /malformed JSON/],
      ['scalar.json', '"accounts"', /is a string, not an array of rows/],
      ['no-array.json', '{"vendor":"C","count":2}', /no array-valued property/],
    ] as const) {
      await drop.put(`inbox/${name}`, content);
      await assertUnreadable(readAll(drop, `inbox/${name}`, 'json'), `inbox/${name}`, reason);
    }
  });

  it('archives by checksum, finds the archive, and reads from it', async () => {
    await drop.put('inbox/vendor-a-2026-10.csv', CSV);
    const checksum = await drop.checksum('inbox/vendor-a-2026-10.csv');
    assert.equal(await drop.findArchived(checksum), null);

    const archived = await drop.archive('inbox/vendor-a-2026-10.csv', checksum);
    assert.equal(archived, `archive/${checksum}/vendor-a-2026-10.csv`);
    assert.ok(!existsSync(join(root, 'inbox', 'vendor-a-2026-10.csv')));
    assert.equal(await drop.findArchived(checksum), archived);
    assert.deepEqual((await readAll(drop, archived, 'csv')).rows, CSV_ROWS);
    // A retry of an archive that happened counts as done.
    assert.equal(await drop.archive('inbox/vendor-a-2026-10.csv', checksum), archived);
  });

  it('quarantines a file with its reason', async () => {
    await drop.put('inbox/broken.xlsx', 'not a workbook');
    const quarantined = await drop.quarantine('inbox/broken.xlsx', 'not a readable xlsx: invalid signature');
    assert.equal(quarantined, 'quarantine/broken.xlsx');
    assert.equal(await readFile(join(root, 'quarantine', 'broken.xlsx'), 'utf8'), 'not a workbook');
    assert.equal(
      await readFile(join(root, 'quarantine', 'broken.xlsx.reason.txt'), 'utf8'),
      'not a readable xlsx: invalid signature\n',
    );
    assert.ok(!existsSync(join(root, 'inbox', 'broken.xlsx')));
  });

  it('says which file is missing, and refuses keys outside the drop', async () => {
    await assert.rejects(
      drop.checksum('inbox/nothing.csv'),
      /^Error: folder .* has no file inbox\/nothing.csv$/,
    );
    await assert.rejects(drop.quarantine('inbox/nothing.csv', 'gone'), /has no file inbox\/nothing.csv/);
    await assert.rejects(drop.put('../outside.csv', 'x'), /not a key in a file drop/);
    await assert.rejects(drop.checksum('inbox/../../etc/passwd'), /not a key in a file drop/);
    await assert.rejects(drop.archive('archive/x.csv', sha256('x')), /only a file in inbox\//);
  });
});

describe('file drop in S3', () => {
  let server: S3Server;
  let drop: FileDrop;

  before(async () => {
    server = await startS3Server();
    drop = createFileDrop({
      kind: 's3',
      bucket: server.bucket,
      prefix: 'vendor-a/',
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
    });
  });

  after(async () => {
    await server.stop();
  });

  it('lists, checksums and pages through a CSV, resuming each page with a Range request', async () => {
    await drop.put('inbox/october 2026.csv', CSV);
    await drop.put('inbox/.hidden', 'x');
    await drop.put('inbox/nested/file.csv', 'x');
    await drop.put('archive/old.csv', 'x');
    const listed = await drop.listInbox();
    assert.deepEqual(
      listed.map(({ key, size }) => ({ key, size })),
      [{ key: 'inbox/october 2026.csv', size: Buffer.byteLength(CSV) }],
    );
    assert.match(listed[0].lastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(drop.description, `s3://${server.bucket}/vendor-a`);
    assert.equal(await drop.checksum('inbox/october 2026.csv'), sha256(CSV));

    const pages = await readPages(drop, 'inbox/october 2026.csv', 'csv', 2);
    assert.deepEqual(
      pages.flatMap((page) => page.rows),
      CSV_ROWS,
    );
    assert.ok(
      server.ranges.includes(`bytes=${CSV_THIRD_PAGE_BYTE}-`),
      `Range requests: ${server.ranges.join('; ')}`,
    );
  });

  it('archives, finds the archive and quarantines with the reason', async () => {
    await drop.put('inbox/vendor-a 2026-10.csv', CSV);
    const checksum = await drop.checksum('inbox/vendor-a 2026-10.csv');
    const archived = await drop.archive('inbox/vendor-a 2026-10.csv', checksum);
    assert.equal(archived, `archive/${checksum}/vendor-a 2026-10.csv`);
    assert.equal(await drop.findArchived(checksum), archived);
    assert.equal(await drop.findArchived(sha256('other')), null);
    assert.deepEqual((await readAll(drop, archived, 'csv')).rows, CSV_ROWS);

    await drop.put('inbox/broken.json', '[{');
    await assertUnreadable(readAll(drop, 'inbox/broken.json', 'json'), 'inbox/broken.json', /malformed JSON/);
    assert.equal(await drop.quarantine('inbox/broken.json', 'malformed JSON'), 'quarantine/broken.json');
    assert.equal(await drop.checksum('quarantine/broken.json'), sha256('[{'));
    assert.equal(await drop.checksum('quarantine/broken.json.reason.txt'), sha256('malformed JSON\n'));
    assert.deepEqual(
      (await drop.listInbox()).map((file) => file.key),
      ['inbox/october 2026.csv'],
    );
    await assert.rejects(
      drop.checksum('inbox/broken.json'),
      /^Error: s3:\/\/.* has no file inbox\/broken.json$/,
    );
  });
});
