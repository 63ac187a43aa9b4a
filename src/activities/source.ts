import type { SalesforceClient } from '../connectors/salesforce';
import { PermanentError } from '../connectors/errors';
import { checkpointOf, isSalesforceId, toIsoInstant, type Checkpoint } from '../domain/checkpoint';
import type { SourceRecord } from '../domain/sync';
import { classified } from './failures';

export interface SourcePageRequest {
  since: Checkpoint | null;
  /** Continue an open query; absent for the first page of a run. */
  nextRecordsUrl: string | null;
}

/** A record the source returned that cannot even be placed in the change order. */
export interface UnreadableRecord {
  recordId?: string;
  version?: string;
  record: unknown;
  reason: string;
}

export interface SourcePage {
  records: SourceRecord[];
  unreadable: UnreadableRecord[];
  /** Position after the last record of this page. */
  checkpoint: Checkpoint | null;
  nextRecordsUrl: string | null;
}

function identify(raw: Record<string, unknown>): SourceRecord | UnreadableRecord {
  const { Id: id, SystemModstamp: modstamp } = raw;
  if (typeof id !== 'string' || !isSalesforceId(id)) {
    return { record: raw, reason: `Id: not a Salesforce id (${JSON.stringify(id)?.slice(0, 40)})` };
  }
  try {
    if (typeof modstamp !== 'string') throw new Error('missing');
    return { recordId: id, version: toIsoInstant(modstamp), record: raw };
  } catch {
    return {
      recordId: id,
      record: raw,
      reason: `SystemModstamp: not a datetime (${String(modstamp).slice(0, 40)})`,
    };
  }
}

export function createSourceActivities({ salesforce }: { salesforce: SalesforceClient }) {
  return {
    /** One page of accounts changed since the checkpoint, in (SystemModstamp, Id) order. */
    async readChangedAccounts({ since, nextRecordsUrl }: SourcePageRequest): Promise<SourcePage> {
      const page = await classified(async () => {
        if (!nextRecordsUrl) return salesforce.readChangedAccounts(since);
        try {
          return await salesforce.readNextPage(nextRecordsUrl);
        } catch (error) {
          // Query cursors expire (after two days, or a server restart): query again from the checkpoint.
          if (error instanceof PermanentError && error.code === 'INVALID_QUERY_LOCATOR') {
            return salesforce.readChangedAccounts(since);
          }
          throw error;
        }
      });
      const records: SourceRecord[] = [];
      const unreadable: UnreadableRecord[] = [];
      for (const raw of page.records) {
        const identified = identify(raw);
        if ('reason' in identified) unreadable.push(identified);
        else records.push(identified as SourceRecord);
      }
      const last = records.at(-1);
      return {
        records,
        unreadable,
        checkpoint: last ? checkpointOf({ Id: last.recordId, SystemModstamp: last.version }) : since,
        nextRecordsUrl: page.done ? null : page.nextRecordsUrl,
      };
    },

    /** The current version of one account, or null when it no longer exists. */
    async fetchAccount(recordId: string): Promise<unknown> {
      return classified(() => salesforce.getAccount(recordId));
    },
  };
}

export type SourceActivities = ReturnType<typeof createSourceActivities>;
