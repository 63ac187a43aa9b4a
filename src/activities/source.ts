import { log } from '@temporalio/activity';
import type { SalesforceClient } from '../connectors/salesforce';
import { PermanentError } from '../connectors/errors';
import {
  checkpointAt,
  checkpointOf,
  isSalesforceId,
  toIsoInstant,
  type Checkpoint,
} from '../domain/checkpoint';
import type { DestinationState } from '../domain/guarded-write';
import type { SourceRecord, StatusWriteBack } from '../domain/sync';
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

export interface ChangedPageRequest extends SourcePageRequest {
  pipeline: string;
  /** On the first page: how far behind the checkpoint to read again (late-committed changes). */
  lookbackMs: number;
}

export interface ChangedPage extends SourcePage {
  /** On the first page: when the query was sent. The checkpoint never passes it. */
  queryStartedAt?: string;
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

/** The checkpoint moved back by the look-back window: changes stamped there may have committed since. */
function lookBack(since: Checkpoint | null, lookbackMs: number): Checkpoint | null {
  if (since === null || lookbackMs === 0) return since;
  return checkpointAt(new Date(Date.parse(since.systemModstamp) - lookbackMs).toISOString());
}

/** Which of these records have an open problem record (syncing them resolves it). */
export type OpenProblems = (pipeline: string, recordIds: string[]) => Promise<Set<string>>;

/** The account fields the sync status is written back to. */
export interface WriteBackFields {
  statusField: string;
  idField?: string;
  timeField?: string;
}

export function createSourceActivities({
  salesforce,
  openProblems,
  destinationStates,
  writeBack,
}: {
  /** Null: the status is not written back. */
  writeBack: WriteBackFields | null;
  salesforce: SalesforceClient;
  openProblems: OpenProblems;
  /** What the destination holds for these records: read once per page, never once per record. */
  destinationStates: (recordIds: string[]) => Promise<Map<string, DestinationState>>;
}) {
  async function readPage({ since, nextRecordsUrl }: SourcePageRequest): Promise<SourcePage> {
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
  }

  return {
    /** Workflows started before problem records read with this; it stays until they are gone. */
    readChangedAccounts: readPage,

    /**
     * One page of accounts changed since the checkpoint, in (SystemModstamp, Id) order. The first
     * page reads from the look-back window behind the checkpoint and says when its query started.
     * Each record says whether it has an open problem record (one visibility query per page) and
     * what the destination holds for it (one SuiteQL query per page).
     */
    async readChangedRecords({
      pipeline,
      since,
      nextRecordsUrl,
      lookbackMs,
    }: ChangedPageRequest): Promise<ChangedPage> {
      const first = nextRecordsUrl === null;
      const from = first ? lookBack(since, lookbackMs) : since;
      const queryStartedAt = new Date().toISOString();
      const page = await readPage({ since: from, nextRecordsUrl });
      const ids = page.records.map((r) => r.recordId);
      const [open, held] = await Promise.all([openProblems(pipeline, ids), destinationStates(ids)]);
      for (const record of page.records) {
        if (open.has(record.recordId)) record.hasOpenProblem = true;
        record.destination = held.get(record.recordId) ?? null;
        const raw = record.record as Record<string, unknown>;
        if (writeBack && raw.IsDeleted !== true) {
          const value = (field?: string) =>
            field && typeof raw[field] === 'string' ? (raw[field] as string) : null;
          record.writtenBack = { status: value(writeBack.statusField), internalId: value(writeBack.idField) };
        }
      }
      return first ? { ...page, queryStartedAt } : page;
    },

    /** The current version of one account, or null when it no longer exists. */
    async readRecord(recordId: string): Promise<{ record: unknown; version: string } | null> {
      const account = await classified(() => salesforce.getAccount(recordId));
      if (account === null) return null;
      const identified = identify(account);
      return {
        record: account,
        version: 'version' in identified && identified.version ? identified.version : '',
      };
    },

    /**
     * Writes records' sync status (and NetSuite id, and the time) back onto their accounts, one
     * request per 200. The write changes the accounts' SystemModstamp: the next run reads them
     * again and finds nothing to write (SKIPPED), so it is no loop.
     */
    async writeBackStatuses(statuses: StatusWriteBack[]): Promise<{ written: number; failed: string[] }> {
      if (!writeBack || statuses.length === 0) return { written: 0, failed: [] };
      const now = new Date().toISOString();
      const outcomes = await classified(() =>
        salesforce.updateAccounts(
          statuses.map(({ recordId, status, internalId }) => ({
            id: recordId,
            fields: {
              [writeBack.statusField]: status,
              ...(writeBack.idField && internalId ? { [writeBack.idField]: internalId } : {}),
              ...(writeBack.timeField ? { [writeBack.timeField]: now } : {}),
            },
          })),
        ),
      );
      const failed = outcomes.filter((o) => !o.success).map((o) => `${o.id}: ${o.error ?? 'failed'}`);
      if (failed.length)
        log.warn('status write-back refused for some accounts', { failed: failed.slice(0, 5) });
      return { written: outcomes.length - failed.length, failed };
    },

    /** Workflows started before problem records read with this; it stays until they are gone. */
    async fetchAccount(recordId: string): Promise<unknown> {
      return classified(() => salesforce.getAccount(recordId));
    },
  };
}

export type SourceActivities = ReturnType<typeof createSourceActivities>;
