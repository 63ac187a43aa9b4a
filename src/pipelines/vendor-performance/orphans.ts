import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../../connectors/database';
import { PERMANENT_FAILURE } from '../../domain/failures';
import type { ReconciliationPage, RecordDifference } from '../contract';
import { byteBudget, parseCursor } from './reconciliation-pages';
import { reconciliationQueries, type HeldRecord, type RecordKey } from './reconciliation-store';
import { idPart, parseRowVersion } from './source';
import { AUDIT_INSERT, figures } from './store';

const RECORDS_PER_PAGE = 500;

const isRecordKey = (parsed: unknown): parsed is RecordKey =>
  Array.isArray(parsed) && parsed.length === 4 && parsed.every((part) => typeof part === 'string');

/** As the source names it: the key's parts, %-encoded, joined by '/'. */
const recordIdOf = (held: HeldRecord) =>
  [held.vendor, held.account_id, held.period_start, held.period_end].map(idPart).join('/');

/** The key a record id names; null for any other id. */
function recordKeyOf(recordId: string): RecordKey | null {
  const parts = recordId.split('/');
  if (parts.length !== 4) return null;
  try {
    const [vendor, accountId, periodStart, periodEnd] = parts.map(decodeURIComponent);
    const date = /^\d{4}-\d{2}-\d{2}$/;
    if (!vendor || !accountId || !date.test(periodStart) || !date.test(periodEnd)) return null;
    return [vendor, accountId, periodStart, periodEnd];
  } catch {
    return null;
  }
}

/**
 * Why a record the table holds has no source, or null when it has one. Its source is the file
 * load its version names (a file being loaded counts: its rows are written before it finishes),
 * and a load of a known file must have written it (the audit log): a row inserted by hand with a
 * real file's version is no more sourced than one naming a file record-sync never saw.
 */
function orphanReason(held: HeldRecord): string | null {
  const from = `written from ${held.file_key} row ${held.row_number}`;
  if (held.version_file_status === null) {
    const version = parseRowVersion(held.source_version);
    return version
      ? `${from}; its version names ${version.name} (sha256 ${version.checksum.slice(0, 12)}…), which record-sync has no load of`
      : `${from}; its version ${held.source_version} names no row of a file`;
  }
  if (held.version_file_status !== 'LOADING' && held.version_file_status !== 'LOADED') {
    const why = held.version_file_reason ? `: ${held.version_file_reason}` : '';
    return `${from}; that file was ${held.version_file_status.toLowerCase()}, not loaded${why}`;
  }
  if (!held.loaded_by_sync)
    return `${from}; no load of a known file ever wrote it (audit log): written by hand?`;
  return null;
}

/** The destination pass (the table in primary-key order) and the retirement of what it finds. */
export function createOrphanFinder({ db, pipeline }: { db: Database; pipeline: string }) {
  const queries = reconciliationQueries(db);

  return {
    async findOrphansPage(cursor: string | null): Promise<ReconciliationPage> {
      const held = await queries.recordsPage(
        cursor === null ? null : parseCursor(cursor, isRecordKey),
        RECORDS_PER_PAGE,
      );
      const differences: RecordDifference[] = [];
      const fits = byteBudget();
      let last: HeldRecord | undefined;
      for (const record of held) {
        const reason = orphanReason(record);
        const orphan: RecordDifference | null =
          reason === null
            ? null
            : {
                recordId: recordIdOf(record),
                kind: 'ORPHANED',
                destinationVersion: record.source_version,
                note: reason,
              };
        if (orphan && !fits(differences, orphan)) break;
        last = record;
      }
      const more = held.length === RECORDS_PER_PAGE || last !== held.at(-1);
      const key =
        last && ([last.vendor, last.account_id, last.period_start, last.period_end] satisfies RecordKey);
      // Records with a known source were compared by the source pass: none is counted here.
      return { matching: 0, differences, cursor: more && key ? JSON.stringify(key) : null };
    },

    /**
     * Deletes the record, with an audit row holding everything it held and why it went, in one
     * transaction. Finance keeps figures only a loaded file accounts for, and the audit row (not
     * a flag every reader would have to heed) is where a retired figure stays on record. A record
     * already gone is left so; one a file has accounted for since the person confirmed is refused.
     */
    async retireOrphan(recordId: string, { runId }: { runId: string }): Promise<void> {
      const key = recordKeyOf(recordId);
      if (!key) {
        throw ApplicationFailure.create({
          type: PERMANENT_FAILURE,
          nonRetryable: true,
          message: `${recordId} is not a vendor performance record's id (vendor/account/period start/period end)`,
        });
      }
      await db.transaction(async (tx) => {
        const held = await queries.lockedRecord(tx, key);
        if (!held) return;
        const reason = orphanReason(held);
        if (reason === null) {
          throw ApplicationFailure.create({
            type: PERMANENT_FAILURE,
            nonRetryable: true,
            message: `${recordId} is not an orphan any more: a known file's row accounts for it, so it is kept`,
          });
        }
        await queries.deleteRecord(tx, key);
        const [vendor, accountId, periodStart, periodEnd] = key;
        const before = {
          ...figures(
            {
              vendor,
              accountId,
              periodStart,
              periodEnd,
              currency: held.currency,
              subPeriods: held.sub_periods,
              reportedReturn: held.reported_return,
            },
            held.computed_return,
          ),
          beginValue: held.begin_value,
          endValue: held.end_value,
          netFlows: held.net_flows,
          sourceVersion: held.source_version,
          retired: reason,
        };
        await tx.query(AUDIT_INSERT, [
          pipeline,
          runId,
          held.file_key,
          held.file_checksum,
          held.row_number,
          vendor,
          accountId,
          periodStart,
          periodEnd,
          'delete',
          JSON.stringify(before),
          null,
        ]);
      });
    },
  };
}
