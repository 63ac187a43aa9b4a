import { log } from '@temporalio/activity';
import type { SalesforceClient } from '../../connectors/salesforce';
import { PermanentError } from '../../connectors/errors';
import {
  checkpointAt,
  checkpointOf,
  isSalesforceId,
  toIsoInstant,
  type Checkpoint,
} from '../../domain/checkpoint';
import type { DestinationState } from '../../domain/guarded-write';
import { asPosition, type Position } from '../../domain/position';
import type { SourceRecord, StatusWriteBack } from '../../domain/sync';
import { classified } from '../../activities/failures';
import type { PageRequest, SourcePage, UnreadableRecord } from '../contract';

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

/** A position in the accounts' change stream is `<SystemModstamp>|<Id>`. */
export function checkpointOfPosition(position: Position | null): Checkpoint | null {
  if (position === null) return null;
  const bar = position.indexOf('|');
  return bar === -1
    ? checkpointAt(position)
    : { systemModstamp: toIsoInstant(position.slice(0, bar)), id: position.slice(bar + 1) };
}

/** The account fields the sync status is written back to. */
export interface WriteBackFields {
  statusField: string;
  idField?: string;
  timeField?: string;
}

interface SalesforcePage {
  records: SourceRecord[];
  unreadable: UnreadableRecord[];
  checkpoint: Checkpoint | null;
  nextRecordsUrl: string | null;
}

/** The Salesforce side of the accounts pipeline: changed accounts in pages, one account, the write-back. */
export function createAccountsSource({
  salesforce,
  destinationStates,
  writeBack,
}: {
  /** Null: the status is not written back. */
  writeBack: WriteBackFields | null;
  salesforce: SalesforceClient;
  /** What the destination holds for these records: read once per page, never once per record. */
  destinationStates: (recordIds: string[]) => Promise<Map<string, DestinationState>>;
}) {
  async function readSalesforcePage(
    since: Checkpoint | null,
    nextRecordsUrl: string | null,
  ): Promise<SalesforcePage> {
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
    /** Runs begun before problem records read with this; it stays until they are gone. */
    readSalesforcePage,

    /**
     * One page of accounts changed since the checkpoint, in (SystemModstamp, Id) order. The first
     * page reads from the look-back window behind the checkpoint and says when its query started.
     * Each record says what the destination holds for it (one SuiteQL query per page).
     */
    async readPage({ since, cursor, lookbackMs }: PageRequest): Promise<SourcePage> {
      const first = cursor === null;
      const checkpoint = checkpointOfPosition(since);
      const from = first ? lookBack(checkpoint, lookbackMs) : checkpoint;
      const queryStartedAt = new Date().toISOString();
      const page = await readSalesforcePage(from, cursor);
      const held = await destinationStates(page.records.map((r) => r.recordId));
      for (const record of page.records) {
        record.destination = held.get(record.recordId) ?? null;
        const raw = record.record as Record<string, unknown>;
        if (writeBack && raw.IsDeleted !== true) {
          const value = (field?: string) =>
            field && typeof raw[field] === 'string' ? (raw[field] as string) : null;
          record.writtenBack = { status: value(writeBack.statusField), internalId: value(writeBack.idField) };
        }
      }
      const read: SourcePage = {
        records: page.records,
        unreadable: page.unreadable,
        checkpoint: asPosition(page.checkpoint),
        cursor: page.nextRecordsUrl,
      };
      return first ? { ...read, queryStartedAt } : read;
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
  };
}

export type AccountsSource = ReturnType<typeof createAccountsSource>;
