import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../../connectors/database';
import { RetryableError } from '../../connectors/errors';
import { recordKey, type PerformanceRecord, type SubPeriod } from './record';

/** Which load changed a record: written with the record and with its audit row. */
export interface Lineage {
  pipeline: string;
  runId: string;
  fileKey: string;
  fileChecksum: string;
  /** The record's row in the file, from 1. */
  row: number;
  /** Sortable position of the row (time|file|row); compared as a string. */
  sourceVersion: string;
}

export type UpsertResult =
  { status: 'SYNCED'; action: 'insert' | 'update' } | { status: 'SKIPPED'; reason: string };

export type RecordKeyFields = Pick<PerformanceRecord, 'vendor' | 'accountId' | 'periodStart' | 'periodEnd'>;

export interface StoredState {
  sourceVersion: string;
  contentHash: string;
}

export type FileLoadStatus = 'LOADING' | 'LOADED' | 'QUARANTINED' | 'DUPLICATE';

export interface FileLoad {
  fileChecksum: string;
  fileKey: string;
  vendor: string;
  pipeline: string | null;
  status: FileLoadStatus;
  rowsRead: number | null;
  reason: string | null;
  /** The file's modification time when its load began: part of its rows' versions. Null for old loads. */
  lastModified: string | null;
  /** ISO times. */
  startedAt: string;
  finishedAt: string | null;
}

export interface PerformanceSummary {
  records: number;
  byVendor: { vendor: string; records: number }[];
  files: {
    fileKey: string;
    vendor: string;
    status: FileLoadStatus;
    rowsRead: number | null;
    reason: string | null;
    finishedAt: string | null;
  }[];
  reconciliation: {
    passed: number;
    failed: number;
    latestFailures: {
      vendor: string;
      accountId: string;
      periodEnd: string;
      vendorReturn: string;
      computedReturn: string;
      differenceBps: string;
    }[];
  };
  auditRows: number;
}

export interface PerformanceStore {
  /**
   * Writes the record unless the store holds a newer source version or this very content, with
   * one audit row per change, all in one transaction: safe to retry, to run twice at once, or to
   * kill half-way.
   */
  upsertPerformance(
    record: PerformanceRecord,
    computedReturn: string,
    lineage: Lineage,
  ): Promise<UpsertResult>;
  /** What the store holds for a page of keys (by recordKey), in one query; absent keys are not stored. */
  storedStates(keys: RecordKeyFields[]): Promise<Map<string, StoredState>>;
  /**
   * Records the file as LOADING unless it is known; returns its load either way. A load begun
   * again before it finished takes the file's modification time anew: its rows are read again
   * with versions made from it.
   */
  beginFileLoad(file: {
    fileChecksum: string;
    fileKey: string;
    vendor: string;
    pipeline?: string;
    lastModified?: string;
  }): Promise<FileLoad>;
  /** Ends a begun load. A LOADED file stays LOADED, so a repeated call changes nothing. */
  finishFileLoad(outcome: {
    fileChecksum: string;
    status: Exclude<FileLoadStatus, 'LOADING'>;
    rowsRead: number;
    reason?: string;
  }): Promise<FileLoad>;
  fileLoad(fileChecksum: string): Promise<FileLoad | null>;
  /**
   * Checks every record the file last changed: PASSED when the vendor's return is within
   * `toleranceBps` of the computed one (the boundary passes), else FAILED. Running it again
   * leaves the same rows.
   */
  reconcileFile(file: { fileChecksum: string; fileKey: string; toleranceBps: number }): Promise<{
    passed: number;
    failed: number;
  }>;
  /** Totals plus the latest `limit` files and failures, whatever the data size. */
  summary(options: { pipeline?: string; limit: number }): Promise<PerformanceSummary>;
}

/** The figures a record is stored with: its own fields and the computed return. */
export function figures(record: PerformanceRecord, computedReturn: string) {
  // Built field by field in a fixed order, so that equal content is always equal JSON.
  return {
    vendor: record.vendor,
    accountId: record.accountId,
    periodStart: record.periodStart,
    periodEnd: record.periodEnd,
    currency: record.currency,
    subPeriods: record.subPeriods.map(({ begin, end, flow }) => ({ begin, end, flow })),
    reportedReturn: record.reportedReturn,
    computedReturn,
  };
}

/**
 * The hash stored as content_hash: sha256 of the record's figures, the version left out, so a
 * later version with the same figures is the same content.
 */
export function performanceContentHash(record: PerformanceRecord, computedReturn: string): string {
  return createHash('sha256')
    .update(JSON.stringify(figures(record, computedReturn)))
    .digest('hex');
}

interface StoredRow {
  currency: string;
  sub_periods: SubPeriod[];
  reported_return: string;
  computed_return: string;
  source_version: string;
  content_hash: string;
}

interface FileLoadRow {
  file_checksum: string;
  file_key: string;
  vendor: string;
  pipeline: string | null;
  status: FileLoadStatus;
  rows_read: number | null;
  reason: string | null;
  last_modified: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export const KEY_WHERE = 'vendor = $1 AND account_id = $2 AND period_start = $3 AND period_end = $4';

// $5 currency, $6 sub-periods (JSON), $7 reported, $8 computed, $9 version, $10 hash, $11-$15 lineage.
// The amounts come from the sub-periods in SQL: numeric sums them exactly.
const WRITTEN_COLUMNS = `currency, sub_periods, begin_value, end_value, net_flows, reported_return,
  computed_return, source_version, content_hash, pipeline, run_id, file_key, file_checksum, row_number, updated_at`;
const WRITTEN_VALUES = `$5, $6::jsonb, ($6::jsonb -> 0 ->> 'begin')::numeric, ($6::jsonb -> -1 ->> 'end')::numeric,
  (SELECT coalesce(sum((p ->> 'flow')::numeric), 0) FROM jsonb_array_elements($6::jsonb) AS p),
  $7::numeric, $8::numeric, $9, $10, $11, $12, $13, $14, $15::int, now()`;

export const AUDIT_INSERT = `INSERT INTO audit_log (pipeline, run_id, file_key, file_checksum, row_number, vendor,
  account_id, period_start, period_end, action, before, after)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11::jsonb, $12::jsonb)`;

export async function audit(
  tx: Queryable,
  record: RecordKeyFields,
  lineage: Lineage,
  action: 'insert' | 'update',
  before: object | null,
  after: object,
): Promise<void> {
  await tx.query(AUDIT_INSERT, [
    lineage.pipeline,
    lineage.runId,
    lineage.fileKey,
    lineage.fileChecksum,
    lineage.row,
    record.vendor,
    record.accountId,
    record.periodStart,
    record.periodEnd,
    action,
    before === null ? null : JSON.stringify(before),
    JSON.stringify(after),
  ]);
}

const fileLoadOf = (row: FileLoadRow): FileLoad => ({
  fileChecksum: row.file_checksum,
  fileKey: row.file_key,
  vendor: row.vendor,
  pipeline: row.pipeline,
  status: row.status,
  rowsRead: row.rows_read,
  reason: row.reason,
  lastModified: row.last_modified,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
});

export function createPerformanceStore(db: Database): PerformanceStore {
  const fileLoad = async (fileChecksum: string) => {
    const rows = await db.query<FileLoadRow>('SELECT * FROM file_loads WHERE file_checksum = $1', [
      fileChecksum,
    ]);
    return rows[0] ? fileLoadOf(rows[0]) : null;
  };

  return {
    upsertPerformance: (record, computedReturn, lineage) =>
      db.transaction(async (tx): Promise<UpsertResult> => {
        const after = { ...figures(record, computedReturn), sourceVersion: lineage.sourceVersion };
        const contentHash = performanceContentHash(record, computedReturn);
        const params = [
          record.vendor,
          record.accountId,
          record.periodStart,
          record.periodEnd,
          record.currency,
          JSON.stringify(after.subPeriods),
          record.reportedReturn,
          computedReturn,
          lineage.sourceVersion,
          contentHash,
          lineage.pipeline,
          lineage.runId,
          lineage.fileKey,
          lineage.fileChecksum,
          lineage.row,
        ];
        // A concurrent insert of the same key makes this wait for it, then do nothing: the row
        // lock below then orders the two writers, so only one of them inserts and audits.
        const inserted = await tx.query(
          `INSERT INTO performance_records (vendor, account_id, period_start, period_end, ${WRITTEN_COLUMNS})
           VALUES ($1, $2, $3::date, $4::date, ${WRITTEN_VALUES})
           ON CONFLICT (vendor, account_id, period_start, period_end) DO NOTHING RETURNING 1`,
          params,
        );
        if (inserted.length > 0) {
          await audit(tx, record, lineage, 'insert', null, after);
          return { status: 'SYNCED', action: 'insert' };
        }

        const [stored] = await tx.query<StoredRow>(
          `SELECT currency, sub_periods, reported_return, computed_return, source_version, content_hash
           FROM performance_records WHERE ${KEY_WHERE} FOR UPDATE`,
          params.slice(0, 4),
        );
        // Only a person retiring an orphan deletes a record: retried, the write inserts it again.
        if (stored === undefined)
          throw new RetryableError(`Performance record ${recordKey(record)} vanished while written`);
        // Compared in JavaScript, not SQL: the database's collation could order versions otherwise.
        if (stored.source_version > lineage.sourceVersion) {
          return { status: 'SKIPPED', reason: `a newer version is stored: ${stored.source_version}` };
        }
        if (stored.content_hash === contentHash) {
          // No audit row (nothing changed), but the version moves on, so that an older version
          // with other figures, arriving later, cannot replace what this newer one confirmed.
          if (lineage.sourceVersion > stored.source_version) {
            await tx.query(`UPDATE performance_records SET source_version = $5 WHERE ${KEY_WHERE}`, [
              ...params.slice(0, 4),
              lineage.sourceVersion,
            ]);
          }
          return {
            status: 'SKIPPED',
            reason: `already holds this content (version ${stored.source_version})`,
          };
        }

        await tx.query(
          `UPDATE performance_records SET (${WRITTEN_COLUMNS}) = (${WRITTEN_VALUES}) WHERE ${KEY_WHERE}`,
          params,
        );
        const before = {
          ...figures(
            {
              ...record,
              currency: stored.currency,
              subPeriods: stored.sub_periods,
              reportedReturn: stored.reported_return,
            },
            stored.computed_return,
          ),
          sourceVersion: stored.source_version,
        };
        await audit(tx, record, lineage, 'update', before, after);
        return { status: 'SYNCED', action: 'update' };
      }),

    async storedStates(keys) {
      const states = new Map<string, StoredState>();
      if (keys.length === 0) return states;
      const rows = await db.query<{
        vendor: string;
        account_id: string;
        period_start: string;
        period_end: string;
        source_version: string;
        content_hash: string;
      }>(
        `SELECT r.vendor, r.account_id, r.period_start, r.period_end, r.source_version, r.content_hash
         FROM performance_records r
         JOIN unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS k (vendor, account_id, period_start, period_end)
           ON r.vendor = k.vendor AND r.account_id = k.account_id
          AND r.period_start = k.period_start AND r.period_end = k.period_end`,
        [
          keys.map((key) => key.vendor),
          keys.map((key) => key.accountId),
          keys.map((key) => key.periodStart),
          keys.map((key) => key.periodEnd),
        ],
      );
      for (const row of rows) {
        const key = recordKey({
          vendor: row.vendor,
          accountId: row.account_id,
          periodStart: row.period_start,
          periodEnd: row.period_end,
        });
        states.set(key, { sourceVersion: row.source_version, contentHash: row.content_hash });
      }
      return states;
    },

    async beginFileLoad({ fileChecksum, fileKey, vendor, pipeline, lastModified }) {
      await db.query(
        `INSERT INTO file_loads (file_checksum, file_key, vendor, pipeline, status, last_modified)
         VALUES ($1, $2, $3, $4, 'LOADING', $5) ON CONFLICT (file_checksum) DO UPDATE
         SET last_modified = coalesce(excluded.last_modified, file_loads.last_modified)
         WHERE file_loads.status = 'LOADING'`,
        [fileChecksum, fileKey, vendor, pipeline ?? null, lastModified ?? null],
      );
      // A separate statement: it sees a load another worker committed while the insert waited.
      const load = await fileLoad(fileChecksum);
      if (load === null) throw new Error(`File load ${fileChecksum} vanished after it was begun`);
      return load;
    },

    async finishFileLoad({ fileChecksum, status, rowsRead, reason }) {
      await db.query(
        `UPDATE file_loads SET status = $2, rows_read = $3, reason = $4, finished_at = now()
         WHERE file_checksum = $1 AND status <> 'LOADED'`,
        [fileChecksum, status, rowsRead, reason ?? null],
      );
      const load = await fileLoad(fileChecksum);
      if (load === null) throw new Error(`File load ${fileChecksum} was never begun`);
      return load;
    },

    fileLoad,

    async reconcileFile({ fileChecksum, fileKey, toleranceBps }) {
      // One statement: the results and the counts come from the same reading of the records. A
      // result is rewritten only when it changed, so a second run leaves even checked_at alone.
      const [counts] = await db.query<{ passed: string; failed: string }>(
        `WITH checked AS (
           SELECT vendor, account_id, period_start, period_end, reported_return, computed_return,
                  (reported_return - computed_return) * 10000 AS difference_bps
           FROM performance_records WHERE file_checksum = $1
         ), judged AS (
           SELECT *, CASE WHEN abs(difference_bps) <= $3::numeric THEN 'PASSED' ELSE 'FAILED' END AS status
           FROM checked
         ), saved AS (
           INSERT INTO reconciliation_results (file_checksum, file_key, vendor, account_id, period_start,
             period_end, vendor_return, computed_return, difference_bps, tolerance_bps, status)
           SELECT $1, $2, vendor, account_id, period_start, period_end, reported_return, computed_return,
                  difference_bps, $3::numeric, status
           FROM judged
           ON CONFLICT (file_checksum, vendor, account_id, period_start, period_end) DO UPDATE SET
             file_key = excluded.file_key, vendor_return = excluded.vendor_return,
             computed_return = excluded.computed_return, difference_bps = excluded.difference_bps,
             tolerance_bps = excluded.tolerance_bps, status = excluded.status, checked_at = now()
           WHERE (reconciliation_results.file_key, reconciliation_results.vendor_return,
                  reconciliation_results.computed_return, reconciliation_results.difference_bps,
                  reconciliation_results.tolerance_bps, reconciliation_results.status)
             IS DISTINCT FROM (excluded.file_key, excluded.vendor_return, excluded.computed_return,
                  excluded.difference_bps, excluded.tolerance_bps, excluded.status)
         )
         SELECT count(*) FILTER (WHERE status = 'PASSED') AS passed,
                count(*) FILTER (WHERE status = 'FAILED') AS failed
         FROM judged`,
        [fileChecksum, fileKey, toleranceBps],
      );
      return { passed: Number(counts?.passed ?? 0), failed: Number(counts?.failed ?? 0) };
    },

    async summary({ pipeline, limit }) {
      if (!Number.isInteger(limit) || limit < 1)
        throw new RangeError(`limit must be a positive integer: ${limit}`);
      const filter = [pipeline ?? null, limit];
      // Files and reconciliation results belong to a pipeline through the file's load.
      const ofPipeline = `($1::text IS NULL OR EXISTS (
        SELECT 1 FROM file_loads f WHERE f.file_checksum = r.file_checksum AND f.pipeline = $1))`;
      const [records, byVendor, files, reconciliation, latestFailures, auditRows] = await Promise.all([
        db.query<{ count: string }>(
          'SELECT count(*) FROM performance_records WHERE $1::text IS NULL OR pipeline = $1',
          filter.slice(0, 1),
        ),
        db.query<{ vendor: string; records: string }>(
          `SELECT vendor, count(*) AS records FROM performance_records WHERE $1::text IS NULL OR pipeline = $1
           GROUP BY vendor ORDER BY vendor LIMIT $2`,
          filter,
        ),
        db.query<FileLoadRow>(
          `SELECT * FROM file_loads WHERE $1::text IS NULL OR pipeline = $1
           ORDER BY started_at DESC, file_checksum LIMIT $2`,
          filter,
        ),
        db.query<{ passed: string; failed: string }>(
          `SELECT count(*) FILTER (WHERE status = 'PASSED') AS passed, count(*) FILTER (WHERE status = 'FAILED') AS failed
           FROM reconciliation_results r WHERE ${ofPipeline}`,
          filter.slice(0, 1),
        ),
        db.query<{
          vendor: string;
          account_id: string;
          period_end: string;
          vendor_return: string;
          computed_return: string;
          difference_bps: string;
        }>(
          `SELECT vendor, account_id, period_end, vendor_return, computed_return, difference_bps
           FROM reconciliation_results r WHERE status = 'FAILED' AND ${ofPipeline}
           ORDER BY checked_at DESC, file_checksum, vendor, account_id LIMIT $2`,
          filter,
        ),
        db.query<{ count: string }>(
          'SELECT count(*) FROM audit_log WHERE $1::text IS NULL OR pipeline = $1',
          filter.slice(0, 1),
        ),
      ]);
      return {
        records: Number(records[0]?.count ?? 0),
        byVendor: byVendor.map((row) => ({ vendor: row.vendor, records: Number(row.records) })),
        files: files.map((row) => {
          const load = fileLoadOf(row);
          return {
            fileKey: load.fileKey,
            vendor: load.vendor,
            status: load.status,
            rowsRead: load.rowsRead,
            reason: load.reason,
            finishedAt: load.finishedAt,
          };
        }),
        reconciliation: {
          passed: Number(reconciliation[0]?.passed ?? 0),
          failed: Number(reconciliation[0]?.failed ?? 0),
          latestFailures: latestFailures.map((row) => ({
            vendor: row.vendor,
            accountId: row.account_id,
            periodEnd: row.period_end,
            vendorReturn: row.vendor_return,
            computedReturn: row.computed_return,
            differenceBps: row.difference_bps,
          })),
        },
        auditRows: Number(auditRows[0]?.count ?? 0),
      };
    },
  };
}
