import type { Database } from '../../connectors/database';
import type { FieldChoices } from '../../domain/sync';
import {
  chosenFigures,
  FIGURE_COLUMNS,
  figuresOfRecord,
  sameFigures,
  storedFigures,
  type FigureColumns,
  type StoredFigures,
} from './figures';
import type { PerformanceRecord } from './record';
import { audit, figures, KEY_WHERE, performanceContentHash, type Lineage, type UpsertResult } from './store';

/**
 * Writes a person's decision on a conflict reconciliation found (a record whose figures the table
 * holds otherwise than its file says): each field chosen 'destination' keeps what the table holds,
 * the others take the file's, under the version guard and in one transaction with its audit row,
 * like every write of the store.
 */
export function createDecisionStore(db: Database) {
  return {
    /** Null when the table holds no such record: the caller writes the file's. */
    applyChoices(
      record: PerformanceRecord,
      choices: FieldChoices,
      lineage: Lineage,
    ): Promise<UpsertResult | null> {
      return db.transaction(async (tx): Promise<UpsertResult | null> => {
        const key = [record.vendor, record.accountId, record.periodStart, record.periodEnd];
        const [stored] = await tx.query<FigureColumns & { source_version: string }>(
          `SELECT ${FIGURE_COLUMNS}, source_version FROM performance_records WHERE ${KEY_WHERE} FOR UPDATE`,
          key,
        );
        if (stored === undefined) return null;
        // The decision was about this version: a newer one loaded since has replaced the question.
        if (stored.source_version > lineage.sourceVersion) {
          return { status: 'SKIPPED', reason: `a newer version is stored: ${stored.source_version}` };
        }
        const held = storedFigures(stored);
        const chosen = chosenFigures(figuresOfRecord(record), held, choices);
        if (sameFigures(chosen, held)) {
          // Decided already (a repeated replay): at most the version moves on, as in upsertPerformance.
          if (lineage.sourceVersion > stored.source_version) {
            await tx.query(`UPDATE performance_records SET source_version = $5 WHERE ${KEY_WHERE}`, [
              ...key,
              lineage.sourceVersion,
            ]);
          }
          return { status: 'SKIPPED', reason: 'already holds the chosen figures' };
        }
        const written = { ...record, ...chosen };
        await tx.query(
          `UPDATE performance_records SET currency = $5, sub_periods = $6::jsonb, begin_value = $7::numeric,
             end_value = $8::numeric, net_flows = $9::numeric, reported_return = $10::numeric,
             computed_return = $11::numeric, source_version = $12, content_hash = $13, pipeline = $14,
             run_id = $15, file_key = $16, file_checksum = $17, row_number = $18::int, updated_at = now()
           WHERE ${KEY_WHERE}`,
          [
            ...key,
            chosen.currency,
            JSON.stringify(chosen.subPeriods),
            chosen.beginValue,
            chosen.endValue,
            chosen.netFlows,
            chosen.reportedReturn,
            chosen.computedReturn,
            lineage.sourceVersion,
            performanceContentHash(written, chosen.computedReturn),
            lineage.pipeline,
            lineage.runId,
            lineage.fileKey,
            lineage.fileChecksum,
            lineage.row,
          ],
        );
        // The amounts are in the audit row too: a person may have kept ones the sub-periods do not give.
        const audited = (figuresOf: StoredFigures, sourceVersion: string) => ({
          ...figures({ ...record, ...figuresOf }, figuresOf.computedReturn),
          beginValue: figuresOf.beginValue,
          endValue: figuresOf.endValue,
          netFlows: figuresOf.netFlows,
          sourceVersion,
        });
        await audit(tx, record, lineage, 'update', audited(held, stored.source_version), {
          ...audited(chosen, lineage.sourceVersion),
          choices,
        });
        return { status: 'SYNCED', action: 'update' };
      });
    },
  };
}

export type DecisionStore = ReturnType<typeof createDecisionStore>;
