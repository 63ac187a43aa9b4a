import { posix } from 'node:path';
import {
  UnreadableFile,
  type DroppedFile,
  type FileDrop,
  type FileRow,
  type RowPage,
} from '../../connectors/file-drop';
import { classified } from '../../activities/failures';
import type { Position } from '../../domain/position';
import type { SourceRecord } from '../../domain/sync';
import type { PageRequest, SourcePage, UnreadableRecord } from '../contract';
import { normaliseRow } from './normalise';
import { recordKey } from './record';
import type { PerformanceStore } from './store';
import { requiredColumns, vendorFor, type VendorMapping } from './vendors';

/** The file a row came from: enough to find it again, in the inbox or the archive. */
export interface FileIdentity {
  key: string;
  lastModified: string;
  checksum: string;
  vendor: string;
}

/** One row of a vendor file as the engine carries it to the row's workflow: raw, validated at load. */
export interface FileRecord {
  file: FileIdentity;
  /** Where a person finds it in the file (CSV line, xlsx row, JSON element). */
  row: number;
  /** 0-based index among the file's data rows. */
  index: number;
  values: Record<string, unknown>;
  /** The reader's verdict on the row's shape, e.g. a short row. */
  problem?: string;
}

/** A file whose rows are all read: loaded (then reconciled and archived) or quarantined whole. */
export type Delivery =
  | { outcome: 'loaded'; file: FileIdentity; rowsRead: number }
  | { outcome: 'quarantined'; key: string; checksum: string; vendor: string; reason: string };

/** Where the run is in the current file. */
interface FileCursor {
  file: FileIdentity;
  nextRow: number;
  rowCursor?: string;
  /** Rows a page of this file may hold: fewer for wide rows (see PAGE_BYTES). */
  rowsPerPage?: number;
}

/**
 * A page's records travel as one activity result (Temporal warns at 512 KB a payload, fails at
 * 2 MB): the first page of a file is small, and its rows' size sets how many later pages hold.
 */
export const PAGE_BYTES = 256 * 1024;
export const FIRST_PAGE_ROWS = 50;

/** Rows a page of a file may hold when its first page's rows were `rowBytes` each (as JSON). */
export const rowsPerPageFor = (rowBytes: number, most: number): number =>
  Math.max(1, Math.min(most, Math.floor(PAGE_BYTES / Math.max(rowBytes, 1))));

/** Rows of a vendor's file, read as its mapping says: the sync, a replay and reconciliation alike. */
export function readMappedRows(
  drop: FileDrop,
  key: string,
  mapping: VendorMapping,
  at: { fromRow: number; cursor?: string; count: number },
): Promise<RowPage> {
  return drop.readRows(key, {
    format: mapping.format,
    fromRow: at.fromRow,
    cursor: at.cursor,
    count: at.count,
    expectedColumns: requiredColumns(mapping),
  });
}

/** Ids go into visibility queries and workflow ids: anything but [A-Za-z0-9_.-] is %-encoded. */
export const idPart = (text: string): string =>
  text.replace(/[^A-Za-z0-9_.-]/g, (c) =>
    [...Buffer.from(c)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );

/** The cursor after a finished file: the run goes on with the next one in the inbox. */
const NEXT_FILE = 'next-file';

const ROW_DIGITS = 10;
const padded = (index: number) => String(index).padStart(ROW_DIGITS, '0');
/** Keys may hold '|'; encoded, a position splits cleanly. */
const filePart = (file: { lastModified: string; key: string }) =>
  `${file.lastModified}|${encodeURIComponent(posix.basename(file.key))}|`;

/** `<last-modified>|<file name>|<row index>|<checksum>`: ordered by file, then row. */
export function rowVersion(file: FileIdentity, index: number): Position {
  return `${filePart(file)}${padded(index)}|${file.checksum}`;
}

export function parseRowVersion(version: string): { name: string; index: number; checksum: string } | null {
  const [, name, index, checksum] = version.split('|');
  if (!name || !index || !checksum) return null;
  return { name: decodeURIComponent(name), index: Number(index), checksum };
}

/**
 * The vendor file drop as a source: one file at a time, oldest first, in pages of rows. Every
 * file waiting in the inbox is unfinished (finished ones move to the archive or quarantine), so
 * the checkpoint only says where to resume inside the oldest one.
 */
export function createFileSource({
  drop,
  mappings,
  store,
  pageSize,
  pipeline,
}: {
  drop: FileDrop;
  mappings: VendorMapping[];
  store: PerformanceStore;
  pageSize: number;
  pipeline: string;
}) {
  const quarantined = (file: DroppedFile, checksum: string, vendor: string, reason: string): SourcePage => {
    const unreadable: UnreadableRecord = {
      recordId: `file:${idPart(posix.basename(file.key))}`,
      version: `${filePart(file)}|${checksum}`,
      record: { file: file.key, checksum },
      reason: `file: ${reason}`,
    };
    return {
      records: [],
      unreadable: [unreadable],
      checkpoint: null,
      cursor: NEXT_FILE,
      delivery: { outcome: 'quarantined', key: file.key, checksum, vendor, reason } satisfies Delivery,
    };
  };

  /** The first page of the oldest waiting file, or a quarantine of it; null when the inbox is empty. */
  async function startFile(since: Position | null): Promise<SourcePage | null> {
    const [file] = await drop.listInbox();
    if (!file) return null;
    const checksum = await drop.checksum(file.key);
    const mapping = vendorFor(mappings, file.key);
    if (!mapping) {
      const patterns = mappings.map((m) => `${m.vendor}: ${m.files}`).join('; ');
      return quarantined(file, checksum, 'unknown', `no vendor mapping claims this file name (${patterns})`);
    }
    const archived = await drop.findArchived(checksum);
    const known = await store.fileLoad(checksum);
    if (archived || known?.status === 'LOADED') {
      return quarantined(
        file,
        checksum,
        mapping.vendor,
        `the same file (sha256 ${checksum.slice(0, 12)}…) was already processed${archived ? ` as ${archived}` : ''}`,
      );
    }
    await store.beginFileLoad({
      fileChecksum: checksum,
      fileKey: file.key,
      vendor: mapping.vendor,
      pipeline,
      lastModified: file.lastModified,
    });
    const identity: FileIdentity = {
      key: file.key,
      lastModified: file.lastModified,
      checksum,
      vendor: mapping.vendor,
    };
    // A run stopped inside this file resumes after the last row it finished.
    const resumeAt = since?.startsWith(filePart(file)) ? Number(since.split('|')[2]) + 1 : 0;
    return readFilePage({ file: identity, nextRow: resumeAt }, mapping, true);
  }

  async function readFilePage(
    cursor: FileCursor,
    mapping: VendorMapping,
    first: boolean,
  ): Promise<SourcePage> {
    const { file } = cursor;
    let page;
    try {
      page = await readMappedRows(drop, file.key, mapping, {
        fromRow: cursor.nextRow,
        cursor: cursor.rowCursor,
        count: cursor.rowsPerPage ?? Math.min(pageSize, FIRST_PAGE_ROWS),
      });
    } catch (error) {
      if (error instanceof UnreadableFile) {
        return quarantined(fileOf(file), file.checksum, file.vendor, error.reason);
      }
      throw error;
    }
    if (first && mapping.format !== 'json') {
      const missing = requiredColumns(mapping).filter(
        (column) => !page.header.some((name) => name.trim().toLowerCase() === column.trim().toLowerCase()),
      );
      if (missing.length > 0) {
        return quarantined(
          fileOf(file),
          file.checksum,
          file.vendor,
          `missing columns: ${missing.join(', ')}`,
        );
      }
    }
    const records = page.rows.map((row, offset) => sourceRecord(file, mapping, row, cursor.nextRow + offset));
    const last = records.at(-1);
    const rowBytes = records.length ? Buffer.byteLength(JSON.stringify(records)) / records.length : 1;
    const rowsPerPage = cursor.rowsPerPage ?? rowsPerPageFor(rowBytes, pageSize);
    return {
      records,
      unreadable: [],
      checkpoint: last ? last.version : null,
      cursor: page.done
        ? NEXT_FILE
        : JSON.stringify({
            file,
            nextRow: page.nextRow,
            rowCursor: page.cursor,
            rowsPerPage,
          } satisfies FileCursor),
      ...(page.done
        ? { delivery: { outcome: 'loaded', file, rowsRead: page.nextRow } satisfies Delivery }
        : {}),
    };
  }

  const mappingOf = (vendor: string): VendorMapping => {
    const mapping = mappings.find((m) => m.vendor === vendor);
    if (!mapping) throw new Error(`no vendor mapping for ${vendor} any more: check VENDOR_MAPPINGS_FILE`);
    return mapping;
  };

  return {
    async readPage({ since, cursor }: PageRequest): Promise<SourcePage> {
      return classified(async () => {
        if (cursor && cursor !== NEXT_FILE) {
          const open = JSON.parse(cursor) as FileCursor;
          return readFilePage(open, mappingOf(open.file.vendor), false);
        }
        return (await startFile(since)) ?? { records: [], unreadable: [], checkpoint: null, cursor: null };
      });
    },

    /** The row again, from the inbox or, once the file is archived, from the archive. */
    async readRecord(version: string): Promise<{ record: unknown; version: string } | null> {
      const parsed = parseRowVersion(version);
      if (!parsed) return null;
      const mapping = vendorFor(mappings, parsed.name);
      if (!mapping) return null;
      for (const key of [`inbox/${parsed.name}`, `archive/${parsed.checksum}/${parsed.name}`]) {
        let page;
        try {
          page = await readMappedRows(drop, key, mapping, { fromRow: parsed.index, count: 1 });
        } catch {
          continue;
        }
        const [row] = page.rows;
        if (!row) return null;
        const lastModified = version.split('|')[0];
        const file = { key, lastModified, checksum: parsed.checksum, vendor: mapping.vendor };
        // The inbox may hold another file of that name by now: only the same bytes are the row.
        if (key.startsWith('inbox/') && (await drop.checksum(key)) !== parsed.checksum) continue;
        return { record: sourceRecord(file, mapping, row, parsed.index).record, version };
      }
      return null;
    },
  };
}

function fileOf(file: FileIdentity): DroppedFile {
  return { key: file.key, lastModified: file.lastModified, size: 0 };
}

/**
 * A row as a source record: known by its vendor, account and period when those read, else by its
 * place. Reconciliation reads rows with this too, so both agree on every row's id and version.
 */
export function sourceRecord(
  file: FileIdentity,
  mapping: VendorMapping,
  row: FileRow,
  index: number,
): SourceRecord {
  const normalised = row.problem ? null : normaliseRow(mapping, row.values);
  const recordId =
    normalised?.ok === true
      ? recordKey(normalised.record).split('/').map(idPart).join('/')
      : `${idPart(posix.basename(file.key))}#${row.row}`;
  const record: FileRecord = {
    file,
    row: row.row,
    index,
    values: row.values,
    ...(row.problem ? { problem: row.problem } : {}),
  };
  return { recordId, version: rowVersion(file, index), record };
}
