import { CsvError, parse as parseCsv, type Info, type Parser as CsvParser } from 'csv-parse';
import ExcelJS from 'exceljs';
import { PassThrough, pipeline, Transform, type Duplex, type Readable } from 'node:stream';
import { parser as jsonParser } from 'stream-json';
import type { Cell, FileRow, Row, RowPage, RowPageRequest } from './index';

/** The file itself cannot be read as its format: it is quarantined, not retried. */
export class UnreadableFile extends Error {
  override readonly name = 'UnreadableFile';

  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${key} cannot be read: ${reason}`);
  }
}

/** The file's bytes from `fromByte` on. */
export type OpenFile = (fromByte: number) => Promise<Readable>;

export async function readRows(key: string, request: RowPageRequest, open: OpenFile): Promise<RowPage> {
  if (!Number.isInteger(request.fromRow) || request.fromRow < 0) {
    throw new Error(`fromRow must be a whole number from 0, got ${request.fromRow}`);
  }
  if (!Number.isInteger(request.count) || request.count < 1) {
    throw new Error(`count must be a whole number from 1, got ${request.count}`);
  }
  switch (request.format) {
    case 'csv':
      return readCsv(key, request, open);
    case 'xlsx':
      return readXlsx(key, request, await open(0));
    case 'json':
      return readJson(key, request, await open(0));
  }
}

/**
 * `items`, with the errors that `reasonOf` recognises as the file's format at fault (it returns
 * their reason) turned into UnreadableFile; any other error propagates as it is.
 */
async function* unreadableOn<T>(
  key: string,
  items: AsyncIterable<T>,
  reasonOf: (error: unknown) => string | undefined,
): AsyncGenerator<T> {
  try {
    for await (const item of items) yield item;
  } catch (error) {
    const reason = reasonOf(error);
    throw reason === undefined ? error : new UnreadableFile(key, reason);
  }
}

/** What the last of `stages` makes of the file's bytes. An error reading the file is never the format's fault. */
export function parsed<T>(
  key: string,
  source: Readable,
  stages: Duplex[],
  reasonOf: (error: unknown) => string | undefined,
): AsyncGenerator<T> {
  let readError: unknown;
  source.once('error', (error) => (readError = error));
  // pipeline, not pipe: a read error reaches the parser's reader, and a reader that stops early
  // closes the file (or aborts the download). The callback has nothing left to do.
  pipeline([source, ...stages], () => undefined);
  const parser = stages[stages.length - 1];
  return unreadableOn<T>(key, parser, (error) => (error === readError ? undefined : reasonOf(error)));
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function columns(count: number): string {
  return `${count} column${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------- CSV

/** Where the next CSV record starts: the byte offset, and the line number for people. */
interface CsvPosition {
  byte: number;
  line: number;
}

interface CsvRecord {
  fields: string[];
  /** The line the record starts on. */
  line: number;
  /** Where the record after it starts. */
  end: CsvPosition;
}

/** A field this long is a runaway quote, not data; without a limit it would pull the rest of the file into memory. */
const CSV_MAX_RECORD_CHARS = 1_000_000;
const CSV_PIECE_BYTES = 8 * 1024;

/**
 * Cuts the file's chunks (64 KiB or more) into small pieces: csv-parse parses each piece it is
 * given whole, so a page that stops after its rows parses little more than those rows.
 */
function inSmallPieces(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let at = 0; at < chunk.length; at += CSV_PIECE_BYTES) {
        this.push(chunk.subarray(at, at + CSV_PIECE_BYTES));
      }
      done();
    },
  });
}

function csvParser(options: {
  atStart: boolean;
  encoding?: BufferEncoding | null;
  recordDelimiter?: Buffer[];
}) {
  return parseCsv({
    // Past the start of the file, bytes that look like a byte-order mark are data.
    bom: options.atStart,
    encoding: options.encoding,
    record_delimiter: options.recordDelimiter,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: CSV_MAX_RECORD_CHARS,
  });
}

function lineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/**
 * The file's records from `from` on, without blank ones (such as `,,,` from a spreadsheet). Line
 * numbers are counted here rather than taken from csv-parse, which counts a CR LF inside quotes
 * as two lines.
 */
async function* csvRecords(
  key: string,
  source: Readable,
  from: CsvPosition,
  parser: CsvParser,
): AsyncGenerator<CsvRecord> {
  /** The line after the last record, where the next one (or a skipped empty line) starts. */
  let line = from.line;
  let emptyLines = 0;
  const reasonOf = (error: unknown) =>
    error instanceof CsvError
      ? `${error.message.replace(/ at line \d+/, '')} (line ${line + parser.info.empty_lines - emptyLines} or after)`
      : undefined;
  for await (const { record, info } of parsed<{ record: string[]; info: Info }>(
    key,
    source,
    [inSmallPieces(), parser],
    reasonOf,
  )) {
    const start = line + info.empty_lines - emptyLines;
    emptyLines = info.empty_lines;
    line = start + record.reduce((breaks, field) => breaks + lineBreaks(field), 0) + 1;
    if (record.every((field) => field.trim() === '')) continue;
    yield { fields: record, line: start, end: { byte: from.byte + info.bytes, line } };
  }
}

/** The header and the records after it, from the start of the file. */
async function openCsv(key: string, source: Readable) {
  const parser = csvParser({ atStart: true });
  const records = csvRecords(key, source, { byte: 0, line: 1 }, parser);
  const first = await records.next();
  if (first.done) throw new UnreadableFile(key, 'it has no header row (the file is empty or blank)');
  return { header: first.value.fields.map((name) => name.trim()), records, parser };
}

function csvCursor(row: number, at: CsvPosition): string {
  return `csv:${row}:${at.byte}:${at.line}`;
}

/** Where the cursor says data row `fromRow` starts; null (read from the start) for a cursor of another row, or none. */
function csvResumePoint(request: RowPageRequest): CsvPosition | null {
  const match = /^csv:(\d+):(\d+):(\d+)$/.exec(request.cursor ?? '');
  if (!match || Number(match[1]) !== request.fromRow) return null;
  return { byte: Number(match[2]), line: Number(match[3]) };
}

function csvRow(header: string[], record: CsvRecord): FileRow {
  const values: Row = {};
  header.forEach((name, index) => {
    if (name !== '') values[name] = record.fields[index] ?? null;
  });
  const row: FileRow = { row: record.line, values };
  if (record.fields.length !== header.length) {
    row.problem = `has ${columns(record.fields.length)}, the header has ${header.length}`;
  }
  return row;
}

/**
 * Resuming at the cursor's byte offset makes reading a whole file page by page one pass over it,
 * plus the first few KB again for each page's header. Without a cursor for fromRow the rows
 * before it are read and skipped.
 */
async function readCsv(key: string, request: RowPageRequest, open: OpenFile): Promise<RowPage> {
  const resumeAt = csvResumePoint(request);
  const start = await openCsv(key, await open(0));
  let records = start.records;
  let skip = request.fromRow;
  if (resumeAt) {
    await start.records.return(undefined);
    // As the start of the file was read: the same encoding, and the same line ending however the rest begins.
    const parser = csvParser({
      atStart: false,
      encoding: start.parser.options.encoding,
      recordDelimiter: start.parser.options.record_delimiter,
    });
    records = csvRecords(key, await open(resumeAt.byte), resumeAt, parser);
    skip = 0;
  }

  const rows: FileRow[] = [];
  let end: CsvPosition | undefined;
  let more = false;
  for await (const record of records) {
    if (skip > 0) {
      skip--;
      continue;
    }
    if (rows.length === request.count) {
      more = true;
      break;
    }
    rows.push(csvRow(start.header, record));
    end = record.end;
  }
  const nextRow = request.fromRow + rows.length;
  return {
    header: start.header.filter((name) => name !== ''),
    rows,
    nextRow,
    cursor: more && end ? csvCursor(nextRow, end) : undefined,
    done: !more,
  };
}

// --------------------------------------------------------------------------------------------- XLSX

/** How far down a worksheet its header row may be (below titles, notes and blank rows). */
const HEADER_SEARCH_ROWS = 20;

/**
 * The stream exceljs unzips. exceljs pipes it into its unzipper without listening for the
 * unzipper's errors, so a damaged entry would leave the read waiting forever; this passes them on.
 */
class ZipInput extends PassThrough {
  constructor(private readonly onUnzipError: (error: Error) => void) {
    super();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    destination.on('error', this.onUnzipError);
    return super.pipe(destination, options);
  }
}

/** Excel's day 0 in Unix days, in the 1900 and the 1904 date systems. */
const EXCEL_EPOCH_DAYS = { 1900: 25_569, 1904: 24_107 };

function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - EXCEL_EPOCH_DAYS[date1904 ? 1904 : 1900]) * 86_400_000));
}

/** YYYY-MM-DD for a date without a time of day; null for a serial no date can have. */
function isoDate(date: Date): Cell {
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** A number format that shows a date or time (the rule exceljs applies to plain cells). */
function isDateFormat(numFmt: string | undefined): boolean {
  return /[ymdhsb]/i.test((numFmt ?? '').replace(/\[[^\]]*]|"[^"]*"/g, ''));
}

/**
 * exceljs's value of a cell as a plain value: rich text and hyperlinks by their text, formulas by
 * their result, errors such as #N/A as that text.
 */
function plainValue(value: ExcelJS.CellValue, dateFormat: boolean, date1904: boolean): Cell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return isoDate(value);
  if (typeof value !== 'object') return value;
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return value.error;
  if ('hyperlink' in value) return plainValue(value.text, false, date1904);
  // exceljs turns a stored number into a date by the cell's format, but not a formula's result.
  if (typeof value.result === 'number' && dateFormat) return isoDate(excelDate(value.result, date1904));
  return plainValue(value.result, false, date1904);
}

function isBlank(value: Cell): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

function normalisedName(name: string): string {
  return name.trim().toLowerCase();
}

function quoted(names: string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/** exceljs reads workbook.xml into an untyped parser object, where the date system is kept. */
function usesDate1904(workbook: object): boolean {
  return (
    (workbook as { properties?: { model?: { date1904?: boolean } } }).properties?.model?.date1904 === true
  );
}

/** Set by exceljs's streaming reader, though absent from its types. */
function sheetName(sheet: object): string {
  return (sheet as { name: string }).name;
}

/** Re-read from the start for every page: a zip cannot be entered in the middle, and workbooks are small. */
async function readXlsx(key: string, request: RowPageRequest, source: Readable): Promise<RowPage> {
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const input = new ZipInput((error) =>
    fail(new UnreadableFile(key, `not a readable xlsx: ${error.message}`)),
  );
  source.once('error', fail);
  pipeline(source, input, () => undefined);
  try {
    return await Promise.race([readWorkbook(key, request, input), failed]);
  } finally {
    source.destroy();
  }
}

async function readWorkbook(key: string, request: RowPageRequest, input: Readable): Promise<RowPage> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // The number formats are what tell a date from a number.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const reasonOf = (error: unknown) => `not a readable xlsx: ${messageOf(error)}`;
  const expected = request.expectedColumns;
  let found: { sheet: string; columns: Map<number, string> } | undefined;
  let closest: { sheet: string; row: number; missing: string[] } | undefined;
  let dataRows = 0;
  const rows: FileRow[] = [];
  let more = false;

  // Every worksheet is entered and its loop left by break or its end, never skipped, and the
  // workbook is read to its end: exceljs keeps a worksheet in a temporary file that it closes
  // only when its rows are read, and deletes only when the next worksheet is asked for.
  for await (const sheet of unreadableOn(key, workbook, reasonOf)) {
    const readingSheet = !found;
    const date1904 = usesDate1904(workbook);
    for await (const row of unreadableOn(key, sheet, reasonOf)) {
      if (!readingSheet) break;
      if (!found) {
        if (row.number > HEADER_SEARCH_ROWS) break;
        const names = new Map<number, string>();
        row.eachCell((cell, column) => {
          const name = String(plainValue(cell.value, isDateFormat(cell.numFmt), date1904) ?? '').trim();
          if (name !== '') names.set(column, name);
        });
        if (names.size === 0) continue;
        const present = new Set([...names.values()].map(normalisedName));
        const missing = expected.filter((name) => !present.has(normalisedName(name)));
        if (missing.length === 0) found = { sheet: sheetName(sheet), columns: names };
        else if (!closest || missing.length < closest.missing.length) {
          closest = { sheet: sheetName(sheet), row: row.number, missing };
        }
        continue;
      }
      const values: Row = {};
      for (const [column, name] of found.columns) {
        const cell = row.getCell(column);
        values[name] = plainValue(cell.value, isDateFormat(cell.numFmt), date1904);
      }
      if (Object.values(values).every(isBlank)) continue;
      if (dataRows++ < request.fromRow) continue;
      if (rows.length === request.count) {
        more = true;
        break;
      }
      rows.push({ row: row.number, values });
    }
  }

  if (!found) {
    throw new UnreadableFile(
      key,
      closest
        ? `no worksheet has a row naming ${quoted(expected)} in its first ${HEADER_SEARCH_ROWS} rows; ` +
            `the closest, row ${closest.row} of "${closest.sheet}", lacks ${quoted(closest.missing)}`
        : `no worksheet has a row naming ${quoted(expected)}: the worksheets are empty`,
    );
  }
  return {
    header: [...found.columns.values()],
    sheet: found.sheet,
    rows,
    nextRow: request.fromRow + rows.length,
    done: !more,
  };
}

// --------------------------------------------------------------------------------------------- JSON

export type Token = jsonParser.Token;

/**
 * A JSON number as a number when a double holds it exactly (up to 15 significant digits),
 * otherwise as its digits, so an amount reaches decimal arithmetic unrounded.
 */
function jsonNumber(text: string): Cell {
  const significant = text
    .replace(/e.*$/i, '')
    .replace(/\D/g, '')
    .replace(/^0+|0+$/g, '');
  const value = Number(text);
  const exact = significant.length <= 15 && Number.isFinite(value) && (value !== 0 || significant === '');
  return exact ? value : text;
}

export function jsonScalar(token: Token): Cell {
  switch (token.name) {
    case 'stringValue':
      return token.value;
    case 'numberValue':
      return jsonNumber(token.value);
    case 'trueValue':
      return true;
    case 'falseValue':
      return false;
    default:
      return null;
  }
}

export function jsonKind(token: Token): string {
  switch (token.name) {
    case 'startArray':
      return 'an array';
    case 'stringValue':
      return 'a string';
    case 'numberValue':
      return 'a number';
    case 'trueValue':
    case 'falseValue':
      return 'a boolean';
    default:
      return 'null';
  }
}

/** The parser's tokens (keys, strings and numbers each packed into one token), read one value at a time. */
export class JsonTokens {
  constructor(
    private readonly key: string,
    private readonly tokens: AsyncGenerator<Token>,
  ) {}

  async next(): Promise<Token> {
    const next = await this.tokens.next();
    if (next.done) throw new UnreadableFile(this.key, 'the JSON ends early');
    return next.value;
  }

  /** Moves to the first element of the rows: the top-level array, or a top-level object's first array-valued property. */
  async enterRows(): Promise<void> {
    const first = await this.next();
    if (first.name === 'startArray') return;
    if (first.name !== 'startObject') {
      throw new UnreadableFile(
        this.key,
        `the JSON is ${jsonKind(first)}, not an array of rows or an object holding one`,
      );
    }
    for (;;) {
      if ((await this.next()).name === 'endObject') {
        throw new UnreadableFile(this.key, 'the JSON object has no array-valued property to read rows from');
      }
      const value = await this.next();
      if (value.name === 'startArray') return;
      await this.skip(value);
    }
  }

  async skip(first: Token): Promise<void> {
    if (first.name !== 'startObject' && first.name !== 'startArray') return;
    for (let depth = 1; depth > 0;) {
      const token = await this.next();
      if (token.name === 'startObject' || token.name === 'startArray') depth++;
      else if (token.name === 'endObject' || token.name === 'endArray') depth--;
    }
  }

  async element(first: Token, row: number): Promise<FileRow> {
    if (first.name !== 'startObject') {
      await this.skip(first);
      return { row, values: {}, problem: `is ${jsonKind(first)}, not an object` };
    }
    const values: Row = {};
    await this.flatten(first, '', values);
    return { row, values };
  }

  /** Reads the rest of the document, which must be well-formed too. */
  async finish(): Promise<void> {
    let next;
    do next = await this.tokens.next();
    while (!next.done);
  }

  /** Stops reading the file. */
  async close(): Promise<void> {
    await this.tokens.return(undefined);
  }

  /** Adds the value that starts with `first` to `values` at `path`: objects by key, arrays by index, dotted. */
  private async flatten(first: Token, path: string, values: Row): Promise<void> {
    const under = (name: string) => (path === '' ? name : `${path}.${name}`);
    if (first.name === 'startObject') {
      for (let token = await this.next(); token.name !== 'endObject'; token = await this.next()) {
        if (token.name === 'keyValue') await this.flatten(await this.next(), under(token.value), values);
      }
    } else if (first.name === 'startArray') {
      let index = 0;
      for (let token = await this.next(); token.name !== 'endArray'; token = await this.next()) {
        await this.flatten(token, under(String(index++)), values);
      }
    } else {
      values[path] = jsonScalar(first);
    }
  }
}

/** Re-read from the start for every page: the parser cannot start in the middle of a document. */
async function readJson(key: string, request: RowPageRequest, source: Readable): Promise<RowPage> {
  const parser = jsonParser.asStream({ packValues: true, streamValues: false });
  const tokens = new JsonTokens(
    key,
    parsed<Token>(key, source, [parser], (error) => `malformed JSON: ${messageOf(error)}`),
  );
  try {
    await tokens.enterRows();
    const rows: FileRow[] = [];
    let more = false;
    for (let index = 0; ; index++) {
      const first = await tokens.next();
      if (first.name === 'endArray') break;
      if (index < request.fromRow) {
        await tokens.skip(first);
        continue;
      }
      if (rows.length === request.count) {
        more = true;
        break;
      }
      rows.push(await tokens.element(first, index + 1));
    }
    if (!more) await tokens.finish();
    return {
      header: [...new Set(rows.flatMap((row) => Object.keys(row.values)))],
      rows,
      nextRow: request.fromRow + rows.length,
      done: !more,
    };
  } finally {
    await tokens.close();
  }
}
