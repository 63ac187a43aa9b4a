import type { Config } from '../src/config';
import { NetSuiteClient } from '../src/connectors/netsuite';
import { SalesforceClient } from '../src/connectors/salesforce';
import { checkpointOf, type Checkpoint } from '../src/domain/checkpoint';
import { mapAccountToCustomer } from '../src/pipelines/accounts/mapping';

export interface BaselineResult {
  read: number;
  written: number;
  failed: number;
  /** When each record's page arrived, by record id (ms since the epoch). */
  readAt: Map<string, number>;
  checkpoint: Checkpoint | null;
}

/**
 * The reference design's cron script (section 4.2 of its architecture): read what changed since the
 * checkpoint, then for each record transform and write, one at a time, and save the checkpoint
 * when the run succeeds. It uses the project's own connectors and mapping, so the comparison is
 * about the orchestration, not the HTTP code. It stops after `limit` records, as a run cut short.
 */
export async function runBaseline(
  config: Config,
  since: Checkpoint | null,
  limit: number,
): Promise<BaselineResult> {
  if (!config.accounts) throw new Error('the baseline needs the accounts pipeline configured');
  const salesforce = new SalesforceClient(config.accounts.salesforce);
  const netsuite = new NetSuiteClient(config.accounts.netsuite);
  const result: BaselineResult = { read: 0, written: 0, failed: 0, readAt: new Map(), checkpoint: since };
  let page = await salesforce.readChangedAccounts(since);
  for (;;) {
    const arrivedAt = Date.now();
    for (const record of page.records) {
      if (result.read === limit) return result;
      result.read += 1;
      const id = String(record.Id);
      result.readAt.set(id, arrivedAt);
      const mapped = mapAccountToCustomer(record);
      try {
        if (!mapped.ok) throw new Error('invalid record');
        await netsuite.upsertCustomer(mapped.customer);
        result.written += 1;
      } catch {
        // The script logs the failure and goes on with the next record.
        result.failed += 1;
      }
      result.checkpoint = checkpointOf({ Id: id, SystemModstamp: String(record.SystemModstamp) });
    }
    if (!page.nextRecordsUrl) return result;
    page = await salesforce.readNextPage(page.nextRecordsUrl);
  }
}
