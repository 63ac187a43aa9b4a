import { posix } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { classified } from '../../activities/failures';
import type { FileDrop } from '../../connectors/file-drop';
import { INVALID_RECORD } from '../../domain/failures';
import type { DeliveryReport } from '../../domain/sync';
import type { LoadResult, RecordLoad } from '../contract';
import { normaliseRow, type RowIssue } from './normalise';
import { recordKey } from './record';
import { checkTolerance, formatPercent } from './returns';
import type { Delivery, FileRecord } from './source';
import { performanceContentHash, type PerformanceStore } from './store';
import type { VendorMapping } from './vendors';

function invalidRow(issues: RowIssue[]): ApplicationFailure {
  const [first] = issues;
  return ApplicationFailure.create({
    type: INVALID_RECORD,
    nonRetryable: true,
    message: issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
    details: [{ attempt: 1, field: first?.field, value: first?.value }],
  });
}

/** A person's edit names the file's columns: it replaces those cells (and the row's shape problem). */
function applyEdit(record: unknown, edit: Record<string, unknown>): FileRecord {
  const row = record as FileRecord;
  return { ...row, problem: undefined, values: { ...row.values, ...edit } };
}

const FILE_RECORD_FIELDS = ['file', 'row', 'index', 'values'] as const;

function isFileRecord(value: unknown): value is FileRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    FILE_RECORD_FIELDS.every((field) => field in value) &&
    typeof (value as FileRecord).values === 'object'
  );
}

/**
 * Loads vendor rows into PostgreSQL: validated and normalised by the vendor's mapping, the
 * time-weighted return computed, written with its lineage and audit row in one transaction, and
 * held for a person (after it is stored) when the vendor's figure is outside the tolerance.
 */
export function createPerformanceDestination({
  store,
  drop,
  mappings,
  toleranceBps,
  pipeline,
}: {
  store: PerformanceStore;
  drop: FileDrop;
  mappings: VendorMapping[];
  toleranceBps: number;
  pipeline: string;
}) {
  const mappingOf = (vendor: string) => {
    const mapping = mappings.find((m) => m.vendor === vendor);
    if (!mapping) throw invalidRow([{ field: 'file', message: `no vendor mapping for ${vendor}` }]);
    return mapping;
  };

  function normalised(record: unknown) {
    if (!isFileRecord(record)) throw invalidRow([{ field: 'row', message: 'not a row of a vendor file' }]);
    if (record.problem) throw invalidRow([{ field: 'row', message: record.problem }]);
    const mapping = mappingOf(record.file.vendor);
    const result = normaliseRow(mapping, record.values as Parameters<typeof normaliseRow>[1]);
    if (!result.ok) throw invalidRow(result.issues);
    return { row: record, mapping, performance: result.record };
  }

  return {
    async loadRecord({ record, version, runId }: RecordLoad): Promise<LoadResult> {
      const { row, mapping, performance } = normalised(record);
      let tolerance;
      try {
        tolerance = checkTolerance(performance, toleranceBps);
      } catch (error) {
        throw invalidRow([{ field: mapping.columns.subPeriods[0].begin, message: (error as Error).message }]);
      }
      const result = await classified(() =>
        store.upsertPerformance(performance, tolerance.computed, {
          pipeline,
          runId: runId ?? 'unknown',
          fileKey: row.file.key,
          fileChecksum: row.file.checksum,
          row: row.row,
          sourceVersion: version,
        }),
      );
      if (!tolerance.passed) {
        // Stored as the vendor sent it (reconciliation reports it FAILED); a person looks at it.
        throw invalidRow([
          {
            field: mapping.columns.reportedReturn,
            value: formatPercent(tolerance.reported),
            message:
              `the vendor reports ${formatPercent(tolerance.reported)} but the time-weighted return of ` +
              `the sub-periods is ${formatPercent(tolerance.computed)}: ${tolerance.differenceBps} bp apart, ` +
              `more than the ${toleranceBps} bp tolerance`,
          },
        ]);
      }
      if (result.status === 'SKIPPED') return { status: 'SKIPPED', reason: result.reason };
      return {
        status: 'SYNCED',
        internalId: recordKey(performance),
        checksum: performanceContentHash(performance, tolerance.computed),
      };
    },

    async checkEdit(record: unknown, edit: Record<string, unknown>): Promise<void> {
      if (!isFileRecord(record)) throw invalidRow([{ field: 'row', message: 'not a row of a vendor file' }]);
      const columns = Object.keys(record.values);
      const unknown = Object.keys(edit).filter((column) => !columns.includes(column));
      if (unknown.length > 0) {
        throw invalidRow(
          unknown.map((field) => ({ field, message: `not a column of the file (${columns.join(', ')})` })),
        );
      }
      normalised(applyEdit(record, edit));
    },

    applyEdit,

    /** Reconciles a loaded file (seed 004) and archives it; records a quarantined one. */
    async completeDelivery(delivery: unknown, { runId }: { runId: string }): Promise<DeliveryReport> {
      const done = delivery as Delivery;
      const at = new Date().toISOString();
      if (done.outcome === 'quarantined') {
        // Returns the file's load, new or known: a file dropped again keeps the first drop's record.
        const load = await store.beginFileLoad({
          fileChecksum: done.checksum,
          fileKey: done.key,
          vendor: done.vendor,
          pipeline,
        });
        if (load.status !== 'LOADED') {
          await store.finishFileLoad({
            fileChecksum: done.checksum,
            status: 'QUARANTINED',
            rowsRead: 0,
            reason: done.reason,
          });
        }
        await drop.quarantine(done.key, done.reason);
        return { name: posix.basename(done.key), status: 'QUARANTINED', at, counts: {}, note: done.reason };
      }
      const { file, rowsRead } = done;
      const reconciliation = await classified(() =>
        store.reconcileFile({ fileChecksum: file.checksum, fileKey: file.key, toleranceBps }),
      );
      await store.finishFileLoad({ fileChecksum: file.checksum, status: 'LOADED', rowsRead });
      await drop.archive(file.key, file.checksum);
      const loaded = reconciliation.passed + reconciliation.failed;
      return {
        name: posix.basename(file.key),
        status: 'LOADED',
        at,
        counts: {
          rows: rowsRead,
          loaded,
          'not loaded': Math.max(rowsRead - loaded, 0),
          'reconciliation passed': reconciliation.passed,
          'reconciliation failed': reconciliation.failed,
        },
        note: `run ${runId}; tolerance ${toleranceBps} bp; archived`,
      };
    },
  };
}
