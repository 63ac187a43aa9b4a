import type { Database, Queryable } from '../../connectors/database';
import { FIGURE_COLUMNS, type FigureColumns } from './figures';
import type { RecordKeyFields } from './store';

/** A file whose load finished: its rows are what reconciliation compares. */
export interface LoadedFile {
  checksum: string;
  /** Where the file was when it was loaded (`inbox/<name>`). */
  key: string;
  vendor: string;
  /** Null for a load from before record-sync kept it (migration 002 fills in what it can). */
  lastModified: string | null;
}

/** What the table and the audit log hold for one record key. */
export interface KeyState {
  stored: (FigureColumns & { source_version: string }) | null;
  /** The newest version record-sync wrote from a known file's row (audit log), if any. */
  latestLoaded: string | null;
  /** The `after` of the record's latest audit row: what record-sync last wrote (null after a retirement). */
  lastWritten: unknown;
}

/** A record as the table holds it, with what is known of its source. */
export interface HeldRecord extends FigureColumns {
  vendor: string;
  account_id: string;
  period_start: string;
  period_end: string;
  source_version: string;
  file_key: string;
  file_checksum: string;
  row_number: number;
  /** The load of the file its version names; null: no such load. */
  version_file_status: string | null;
  version_file_reason: string | null;
  /** An insert or update of it by record-sync from a known file is in the audit log. */
  loaded_by_sync: boolean;
}

export type RecordKey = [vendor: string, accountId: string, periodStart: string, periodEnd: string];

/** Files being loaded count as known: their rows are in the table before the file is finished. */
const KNOWN_FILE = "f.status IN ('LOADING', 'LOADED')";

/** Versions and checksums in byte order, as JavaScript compares them, whatever the database's collation. */
const BYTES = 'COLLATE "C"';

const KEY_MATCH = (a: string, b: string) =>
  `${a}.vendor = ${b}.vendor AND ${a}.account_id = ${b}.account_id
   AND ${a}.period_start = ${b}.period_start AND ${a}.period_end = ${b}.period_end`;

interface LoadedFileRow {
  file_checksum: string;
  file_key: string;
  vendor: string;
  last_modified: string | null;
}

const loadedFileOf = (row: LoadedFileRow): LoadedFile => ({
  checksum: row.file_checksum,
  key: row.file_key,
  vendor: row.vendor,
  lastModified: row.last_modified,
});

const HELD_SELECT = `SELECT r.vendor, r.account_id, r.period_start, r.period_end, r.source_version, r.file_key,
    r.file_checksum, r.row_number, ${FIGURE_COLUMNS}, v.status AS version_file_status,
    v.reason AS version_file_reason,
    EXISTS (SELECT 1 FROM audit_log a JOIN file_loads f ON f.file_checksum = a.file_checksum
            WHERE ${KEY_MATCH('a', 'r')} AND a.action IN ('insert', 'update') AND ${KNOWN_FILE}) AS loaded_by_sync
  FROM performance_records r
  LEFT JOIN file_loads v ON v.file_checksum = split_part(r.source_version, '|', 4)`;

const BY_KEY =
  'r.vendor = $1 AND r.account_id = $2 AND r.period_start = $3::date AND r.period_end = $4::date';

export function reconciliationQueries(db: Database) {
  return {
    /** The pipeline's first loaded file after `after` in checksum order (null: the very first). */
    async nextLoadedFile(pipeline: string, after: string | null): Promise<LoadedFile | null> {
      const [row] = await db.query<LoadedFileRow>(
        `SELECT file_checksum, file_key, vendor, last_modified FROM file_loads
         WHERE pipeline = $1 AND status = 'LOADED' AND ($2::text IS NULL OR file_checksum ${BYTES} > $2)
         ORDER BY file_checksum ${BYTES} LIMIT 1`,
        [pipeline, after],
      );
      return row ? loadedFileOf(row) : null;
    },

    async loadedFile(pipeline: string, checksum: string): Promise<LoadedFile | null> {
      const [row] = await db.query<LoadedFileRow>(
        `SELECT file_checksum, file_key, vendor, last_modified FROM file_loads
         WHERE pipeline = $1 AND status = 'LOADED' AND file_checksum = $2`,
        [pipeline, checksum],
      );
      return row ? loadedFileOf(row) : null;
    },

    /** For each key, in order, in one query: what the table holds and what the audit log says. */
    async keyStates(keys: RecordKeyFields[]): Promise<KeyState[]> {
      if (keys.length === 0) return [];
      const rows = await db.query<
        {
          n: number;
          source_version: string | null;
          latest_loaded: string | null;
          last_written: unknown;
        } & FigureColumns
      >(
        `SELECT k.n::int AS n, ${FIGURE_COLUMNS}, r.source_version,
           (SELECT max((a.after ->> 'sourceVersion') ${BYTES}) FROM audit_log a
            JOIN file_loads f ON f.file_checksum = a.file_checksum
            WHERE ${KEY_MATCH('a', 'k')} AND a.action IN ('insert', 'update') AND ${KNOWN_FILE}) AS latest_loaded,
           (SELECT a.after FROM audit_log a WHERE ${KEY_MATCH('a', 'k')} ORDER BY a.id DESC LIMIT 1) AS last_written
         FROM unnest($1::text[], $2::text[], $3::date[], $4::date[])
           WITH ORDINALITY AS k (vendor, account_id, period_start, period_end, n)
         LEFT JOIN performance_records r ON ${KEY_MATCH('r', 'k')}
         ORDER BY k.n`,
        [
          keys.map((key) => key.vendor),
          keys.map((key) => key.accountId),
          keys.map((key) => key.periodStart),
          keys.map((key) => key.periodEnd),
        ],
      );
      return rows.map(({ n: _n, source_version, latest_loaded, last_written, ...figures }) => ({
        stored: source_version === null ? null : { ...figures, source_version },
        latestLoaded: latest_loaded,
        lastWritten: last_written,
      }));
    },

    /** At most `limit` records after `after` in primary-key order (the table's own index). */
    recordsPage(after: RecordKey | null, limit: number): Promise<HeldRecord[]> {
      return after === null
        ? db.query<HeldRecord>(
            `${HELD_SELECT} ORDER BY r.vendor, r.account_id, r.period_start, r.period_end LIMIT $1`,
            [limit],
          )
        : db.query<HeldRecord>(
            `${HELD_SELECT}
             WHERE (r.vendor, r.account_id, r.period_start, r.period_end) > ($1, $2, $3::date, $4::date)
             ORDER BY r.vendor, r.account_id, r.period_start, r.period_end LIMIT $5`,
            [...after, limit],
          );
    },

    /**
     * The record, locked for the rest of `tx`; null when the table has none. Read after the lock
     * is taken, so what it says of the source includes whatever committed while it waited.
     */
    async lockedRecord(tx: Queryable, key: RecordKey): Promise<HeldRecord | null> {
      const locked = await tx.query(`SELECT 1 FROM performance_records r WHERE ${BY_KEY} FOR UPDATE`, key);
      if (locked.length === 0) return null;
      const [held] = await tx.query<HeldRecord>(`${HELD_SELECT} WHERE ${BY_KEY}`, key);
      return held ?? null;
    },

    async deleteRecord(tx: Queryable, key: RecordKey): Promise<void> {
      await tx.query(`DELETE FROM performance_records r WHERE ${BY_KEY}`, key);
    },
  };
}
