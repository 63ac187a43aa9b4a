import { ApplicationFailure } from '@temporalio/common';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { PIPELINE_FAILURE } from '../../domain/failures';
import type { SalesforceClient } from '../../connectors/salesforce';
import { isSalesforceId } from '../../domain/checkpoint';
import {
  COMPARED_FIELDS,
  comparedValues,
  type ComparedField,
  type DestinationState,
} from '../../domain/guarded-write';
import type { FieldDifference } from '../../domain/sync';
import { classified } from '../../activities/failures';
import type { Reconciler, ReconciliationPage, RecordDifference } from '../contract';
import { mapAccountToCustomer } from './mapping';
import type { createAccountsSource } from './source';

/** SuiteQL's largest page. */
const CUSTOMERS_PER_PAGE = 1000;
/**
 * Past this share of the org's daily API requests (Sforce-Limit-Info), reconciliation stops: it
 * can wait a week, the sync cannot.
 */
export const RECONCILIATION_API_SHARE = 0.9;

/** Stops the reconciliation (a pipeline-level failure) when the org's API usage is near its limit. */
function checkApiUsage(salesforce: SalesforceClient): void {
  const usage = salesforce.apiUsage();
  if (!usage || usage.used < usage.limit * RECONCILIATION_API_SHARE) return;
  throw ApplicationFailure.create({
    type: PIPELINE_FAILURE,
    nonRetryable: true,
    message:
      `Salesforce API usage is ${usage.used} of ${usage.limit} requests today: reconciliation stopped ` +
      'to leave the rest to the sync; it runs again at its next scheduled time',
  });
}
const ORPHAN_COLUMNS = ['isinactive', 'custentity_sf_system_modstamp'] as const;

/**
 * The fields that differ between what record-sync would write and what NetSuite holds, at the
 * same version. A field NetSuite holds as record-sync last wrote it is no difference even when
 * the source's value differs: a person chose NetSuite's value in a conflict (or a policy did).
 */
function differingFields(source: Record<ComparedField, unknown>, state: DestinationState): FieldDifference[] {
  return COMPARED_FIELDS.filter((field) => {
    const held = state.current[field];
    if (state.lastSynced && held === state.lastSynced[field]) return false;
    return held !== source[field];
  }).map((field) => ({
    field,
    source: source[field],
    destination: state.current[field],
    lastSynced: state.lastSynced?.[field] ?? null,
  }));
}

/**
 * Every Salesforce account against the NetSuite customer of the same external id, then every
 * customer record-sync wrote against Salesforce. The source pass reads with the sync's own query
 * (queryAll, so a deleted account whose customer is still active shows as drift: the sync
 * deactivates it); the destination pass pages SuiteQL and asks Salesforce which accounts still
 * exist. Both go through the clients the sync uses, so their request limits apply.
 */
export function createAccountsReconciler({
  salesforce,
  netsuite,
  source,
  destinationStates,
}: {
  salesforce: SalesforceClient;
  netsuite: NetSuiteClient;
  source: ReturnType<typeof createAccountsSource>;
  destinationStates: (recordIds: string[]) => Promise<Map<string, DestinationState>>;
}): Reconciler {
  async function compareSourcePage(cursor: string | null): Promise<ReconciliationPage> {
    const page = await source.readSalesforcePage(null, cursor);
    // As of this answer (a usage seen before it may be yesterday's).
    checkApiUsage(salesforce);
    const held = await destinationStates(page.records.map((r) => r.recordId));
    const differences: RecordDifference[] = [];
    let matching = 0;
    for (const { recordId, version, record } of page.records) {
      const state = held.get(recordId) ?? null;
      const mapped = mapAccountToCustomer(record);
      if (!mapped.ok) {
        // It cannot be written; its problem record says why. Absent from NetSuite is expected.
        if (state === null) matching += 1;
        else
          differences.push({
            recordId,
            kind: 'VERSION_DRIFT',
            sourceVersion: version,
            destinationVersion: state.sourceVersion ?? undefined,
            note: `the current version cannot be mapped: ${mapped.issues[0]?.field ?? ''} ${mapped.issues[0]?.message ?? ''}`.trim(),
          });
        continue;
      }
      const { customer } = mapped;
      if (state === null) {
        // An account deleted before it was ever synced has nothing to hold.
        if (customer.isInactive) matching += 1;
        else differences.push({ recordId, kind: 'MISSING', sourceVersion: version });
        continue;
      }
      if (state.sourceVersion !== version) {
        differences.push({
          recordId,
          kind: 'VERSION_DRIFT',
          sourceVersion: version,
          destinationVersion: state.sourceVersion ?? undefined,
          note: `NetSuite customer ${state.internalId}`,
        });
        continue;
      }
      const fields = differingFields(comparedValues(customer), state);
      if (fields.length === 0) matching += 1;
      else
        differences.push({
          recordId,
          kind: 'DATA_MISMATCH',
          sourceVersion: version,
          destinationVersion: version,
          fields,
          note: `NetSuite customer ${state.internalId}`,
        });
    }
    for (const unreadable of page.unreadable) {
      differences.push({
        recordId: unreadable.recordId ?? 'unidentified',
        kind: 'MISSING',
        note: `unreadable at the source: ${unreadable.reason}`,
      });
    }
    return { matching, differences, cursor: page.nextRecordsUrl };
  }

  async function findOrphansPage(cursor: string | null): Promise<ReconciliationPage> {
    const afterId = cursor === null ? 0 : Number(cursor);
    const page = await classified(() => netsuite.customersAfter(afterId, ORPHAN_COLUMNS, CUSTOMERS_PER_PAGE));
    const last = page.items.at(-1);
    // Only customers record-sync wrote (it stamps the source version) and that are still active.
    const written = page.items.filter(
      (row) => typeof row.custentity_sf_system_modstamp === 'string' && row.isinactive !== 'T',
    );
    const ids = written.map((row) => String(row.externalid ?? ''));
    const known = new Set(
      (await classified(() => salesforce.accountsAmong(ids.filter(isSalesforceId)))).map((a) => a.id),
    );
    checkApiUsage(salesforce);
    const differences: RecordDifference[] = written
      .filter((row) => !known.has(String(row.externalid ?? '')))
      .map((row) => ({
        recordId: String(row.externalid ?? ''),
        kind: 'ORPHANED',
        destinationVersion: String(row.custentity_sf_system_modstamp),
        note: `NetSuite customer ${String(row.id)}: no such account in Salesforce (purged or never there)`,
      }));
    return {
      // Active customers whose account exists: the source pass compared them.
      matching: 0,
      differences,
      cursor: page.hasMore && last ? String(last.id) : null,
    };
  }

  return {
    compareSourcePage,
    findOrphansPage,
    /** Deactivates the customer: NetSuite keeps its transactions, and a person can reactivate it. */
    async retireOrphan(recordId: string): Promise<void> {
      await classified(() => netsuite.updateCustomer(recordId, { isInactive: true }));
    },
  };
}
