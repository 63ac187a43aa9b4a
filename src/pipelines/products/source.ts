import { posix } from 'node:path';
import { classified } from '../../activities/failures';
import { UnreadableFile, type DroppedFile, type FileDrop, type Row } from '../../connectors/file-drop';
import type { Position } from '../../domain/position';
import type { SourceRecord } from '../../domain/sync';
import type { PageRequest, SourcePage } from '../contract';
import { missingColumns } from './csv-feed';
import {
  filePart,
  idPart,
  parseProductVersion,
  productRecordId,
  productVersion,
  supplierOf,
  type ProductFile,
  type ProductRecord,
} from './record';

/** A file whose products are all read: loaded (then archived), or quarantined whole. */
export type Delivery =
  | { outcome: 'loaded'; file: ProductFile; products: number }
  | { outcome: 'quarantined'; key: string; reason: string };

/** Where the run is in the current file. */
interface FileCursor {
  file: ProductFile;
  next: number;
  /** CSV: where the next row starts in bytes (rows.ts's cursor). */
  rowCursor?: string;
  /** CSV: rows a page holds, from the first page's row size. */
  rowsPerPage?: number;
}

/**
 * A page's records travel as one activity result (Temporal warns at 512 KB a payload): products
 * are read until their JSON reaches this, leaving room for each record's file identity.
 */
export const PAGE_PRODUCT_BYTES = 192 * 1024;
const FIRST_CSV_ROWS = 50;
/** The cursor after a finished file: the run goes on with the next one in the inbox. */
const NEXT_FILE = 'next-file';

const formatOf = (key: string): ProductFile['format'] | null =>
  /\.json$/i.test(key) ? 'json' : /\.csv$/i.test(key) ? 'csv' : null;

/** CSV columns are matched without case: the record keeps them in lower case. */
const lowerCaseColumns = (row: Row): Row =>
  Object.fromEntries(Object.entries(row).map(([name, value]) => [name.trim().toLowerCase(), value]));

interface ReadItem {
  index: number;
  position: number;
  product: unknown;
  problem?: string;
}

function sourceRecord(file: ProductFile, item: ReadItem): SourceRecord {
  const record: ProductRecord = {
    file,
    index: item.index,
    position: item.position,
    product: item.product,
    ...(item.problem ? { problem: item.problem } : {}),
  };
  return { recordId: productRecordId(record), version: productVersion(file, item.index), record };
}

/**
 * Suppliers' product files in a drop's inbox as a source: one file at a time, oldest first, a
 * page of products at a time, never the whole file in memory. Finished files move to the archive
 * or the quarantine, so the checkpoint only says where to resume inside the oldest one.
 */
export function createProductSource({ drop, pageSize }: { drop: FileDrop; pageSize: number }) {
  const quarantined = (file: DroppedFile, checksum: string, reason: string): SourcePage => ({
    records: [],
    unreadable: [
      {
        recordId: `file:${idPart(posix.basename(file.key))}`,
        version: `${filePart({ lastModified: file.lastModified, checksum })}`,
        record: { file: file.key, checksum },
        reason: `file: ${reason}`,
      },
    ],
    checkpoint: null,
    cursor: NEXT_FILE,
    delivery: { outcome: 'quarantined', key: file.key, reason } satisfies Delivery,
  });

  async function startFile(since: Position | null): Promise<SourcePage | null> {
    const [file] = await drop.listInbox();
    if (!file) return null;
    const checksum = await drop.checksum(file.key);
    const format = formatOf(file.key);
    if (!format) {
      return quarantined(
        file,
        checksum,
        'not a product file: products come as .json (an array) or .csv (a row each)',
      );
    }
    const supplier = supplierOf(file.key);
    if (!supplier) {
      return quarantined(
        file,
        checksum,
        "the file's name must begin with the supplier's, as in shein_products.json",
      );
    }
    const archived = await drop.findArchived(checksum);
    if (archived) {
      return quarantined(
        file,
        checksum,
        `the same file (sha256 ${checksum.slice(0, 12)}…) was already loaded as ${archived}`,
      );
    }
    const identity: ProductFile = {
      key: file.key,
      lastModified: file.lastModified,
      checksum,
      supplier,
      format,
    };
    // A run stopped inside this file resumes after the last product it finished.
    const resumeAt = since?.startsWith(filePart(identity))
      ? (parseProductVersion(since)?.index ?? -1) + 1
      : 0;
    return readFilePage({ file: identity, next: resumeAt }, true);
  }

  async function readFilePage(cursor: FileCursor, first: boolean): Promise<SourcePage> {
    const { file } = cursor;
    let read;
    try {
      read = file.format === 'json' ? await readJsonPage(cursor) : await readCsvPage(cursor, first);
    } catch (error) {
      if (error instanceof UnreadableFile) {
        return quarantined(
          { key: file.key, lastModified: file.lastModified, size: 0 },
          file.checksum,
          error.reason,
        );
      }
      throw error;
    }
    if ('missing' in read) {
      return quarantined(
        { key: file.key, lastModified: file.lastModified, size: 0 },
        file.checksum,
        `missing columns: ${read.missing.join(', ')}`,
      );
    }
    const records = read.items.map((item) => sourceRecord(file, item));
    return {
      records,
      unreadable: [],
      checkpoint: records.at(-1)?.version ?? null,
      cursor: read.done ? NEXT_FILE : JSON.stringify(read.next satisfies FileCursor),
      ...(read.done
        ? { delivery: { outcome: 'loaded', file, products: read.next.next } satisfies Delivery }
        : {}),
    };
  }

  async function readJsonPage(cursor: FileCursor) {
    const page = await drop.readElements(cursor.file.key, {
      fromElement: cursor.next,
      count: pageSize,
      maxBytes: PAGE_PRODUCT_BYTES,
    });
    const items: ReadItem[] = page.elements.map((element) => ({
      index: element.index,
      position: element.index + 1,
      product: element.value,
      ...(element.problem ? { problem: `the product ${element.problem}` } : {}),
    }));
    return { items, done: page.done, next: { file: cursor.file, next: page.nextElement } };
  }

  async function readCsvPage(cursor: FileCursor, first: boolean) {
    const count = cursor.rowsPerPage ?? Math.min(pageSize, FIRST_CSV_ROWS);
    const page = await drop.readRows(cursor.file.key, {
      format: 'csv',
      fromRow: cursor.next,
      cursor: cursor.rowCursor,
      count,
      expectedColumns: [],
    });
    if (first) {
      const missing = missingColumns(page.header);
      if (missing.length > 0) return { missing };
    }
    const items: ReadItem[] = page.rows.map((row, offset) => ({
      index: cursor.next + offset,
      position: row.row,
      product: lowerCaseColumns(row.values),
      ...(row.problem ? { problem: `the row ${row.problem}` } : {}),
    }));
    const rowBytes = items.length ? Buffer.byteLength(JSON.stringify(items)) / items.length : 1;
    const rowsPerPage =
      cursor.rowsPerPage ?? Math.max(1, Math.min(pageSize, Math.floor(PAGE_PRODUCT_BYTES / rowBytes)));
    const next: FileCursor = { file: cursor.file, next: page.nextRow, rowCursor: page.cursor, rowsPerPage };
    return { items, done: page.done, next };
  }

  /** The product at `index` of the file, from the inbox or, once it is archived, the archive. */
  async function readAt(file: ProductFile, index: number): Promise<ReadItem | null> {
    if (file.format === 'json') {
      const page = await drop.readElements(file.key, {
        fromElement: index,
        count: 1,
        maxBytes: PAGE_PRODUCT_BYTES,
      });
      const [element] = page.elements;
      return element
        ? { index, position: index + 1, product: element.value, problem: element.problem }
        : null;
    }
    const page = await drop.readRows(file.key, {
      format: 'csv',
      fromRow: index,
      count: 1,
      expectedColumns: [],
    });
    const [row] = page.rows;
    return row
      ? { index, position: row.row, product: lowerCaseColumns(row.values), problem: row.problem }
      : null;
  }

  return {
    readPage({ since, cursor }: PageRequest): Promise<SourcePage> {
      return classified(async () => {
        if (cursor && cursor !== NEXT_FILE) return readFilePage(JSON.parse(cursor) as FileCursor, false);
        return (await startFile(since)) ?? { records: [], unreadable: [], checkpoint: null, cursor: null };
      });
    },

    /** The product a version names, again (a replay): the same bytes, in the inbox or the archive. */
    async readRecord(version: string): Promise<{ record: unknown; version: string } | null> {
      const parsed = parseProductVersion(version);
      if (!parsed) return null;
      const inbox = (await drop.listInbox()).filter((f) => f.lastModified === parsed.lastModified);
      const candidates = [
        ...(await Promise.all(
          inbox.map(async (f) => ((await drop.checksum(f.key)) === parsed.checksum ? f.key : null)),
        )),
        await drop.findArchived(parsed.checksum),
      ].filter((key): key is string => key !== null);
      for (const key of candidates) {
        const format = formatOf(key);
        const supplier = supplierOf(key);
        if (!format || !supplier) continue;
        const file: ProductFile = {
          key,
          lastModified: parsed.lastModified,
          checksum: parsed.checksum,
          supplier,
          format,
        };
        let item;
        try {
          item = await readAt(file, parsed.index);
        } catch {
          continue;
        }
        if (item) return { record: sourceRecord(file, item).record, version };
      }
      return null;
    },
  };
}
