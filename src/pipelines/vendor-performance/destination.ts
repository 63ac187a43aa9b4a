import { posix } from 'node:path';
import { classified, recordRejected } from '../../activities/failures';
import type { FileDrop } from '../../connectors/file-drop';
import type { DeliveryReport } from '../../domain/sync';
import type { LoadResult, RecordLoad } from '../contract';
import type { DecisionStore } from './decisions';
import { COMPARED_FIELDS, unknownChoices } from './figures';
import { recordKey } from './record';
import { checkTolerance, formatPercent } from './returns';
import { isFileRecord, rowPerformance } from './row';
import type { Delivery, FileRecord } from './source';
import { performanceContentHash, type PerformanceStore } from './store';
import type { VendorMapping } from './vendors';

/** A person's edit names the file's columns: it replaces those cells (and the row's shape problem). */
function applyEdit(record: unknown, edit: Record<string, unknown>): FileRecord {
  const row = record as FileRecord;
  return { ...row, problem: undefined, values: { ...row.values, ...edit } };
}

/**
 * Loads vendor rows into PostgreSQL: validated and normalised by the vendor's mapping, the
 * time-weighted return computed, written with its lineage and audit row in one transaction, and
 * held for a person (after it is stored) when the vendor's figure is outside the tolerance.
 */
export function createPerformanceDestination({
  store,
  decisions,
  drop,
  mappings,
  toleranceBps,
  pipeline,
}: {
  store: PerformanceStore;
  decisions: DecisionStore;
  drop: FileDrop;
  mappings: VendorMapping[];
  toleranceBps: number;
  pipeline: string;
}) {
  function normalised(record: unknown) {
    const result = rowPerformance(mappings, record);
    if (!result.ok) throw recordRejected(result.issues);
    return result;
  }

  return {
    /**
     * With `choices` (a person's decision on a conflict reconciliation found): the fields chosen
     * 'destination' keep the table's figures, the others take the file's, under the same version
     * guard; a repeated decision changes nothing.
     */
    async loadRecord({ record, version, runId, choices }: RecordLoad): Promise<LoadResult> {
      const { row, mapping, performance } = normalised(record);
      let tolerance;
      try {
        tolerance = checkTolerance(performance, toleranceBps);
      } catch (error) {
        throw recordRejected([
          { field: mapping.columns.subPeriods[0].begin, message: (error as Error).message },
        ]);
      }
      const lineage = {
        pipeline,
        runId: runId ?? 'unknown',
        fileKey: row.file.key,
        fileChecksum: row.file.checksum,
        row: row.row,
        sourceVersion: version,
      };
      if (choices) {
        const unknown = unknownChoices(choices);
        if (unknown.length > 0) {
          throw recordRejected(
            unknown.map((field) => ({
              field,
              message: `not a figure to choose (${COMPARED_FIELDS.join(', ')}), or chosen neither 'source' nor 'destination'`,
            })),
          );
        }
      }
      let decided;
      try {
        decided = choices
          ? await classified(() => decisions.applyChoices(performance, choices, lineage))
          : null;
      } catch (error) {
        // The table's sub-periods, chosen, have no return (a hand edit): the decision cannot stand.
        if (error instanceof RangeError)
          throw recordRejected([{ field: 'subPeriods', message: error.message }]);
        throw error;
      }
      const result =
        decided ??
        (await classified(() => store.upsertPerformance(performance, tolerance.computed, lineage)));
      // A person who decided the figures saw them: the file's tolerance verdict is not raised again.
      if (!tolerance.passed && !decided) {
        // Stored as the vendor sent it (reconciliation reports it FAILED); a person looks at it.
        throw recordRejected([
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
      if (!isFileRecord(record))
        throw recordRejected([{ field: 'row', message: 'not a row of a vendor file' }]);
      const columns = Object.keys(record.values);
      const unknown = Object.keys(edit).filter((column) => !columns.includes(column));
      if (unknown.length > 0) {
        throw recordRejected(
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
