import assert from 'node:assert/strict';
import { checkpointOf, compareCheckpoints } from '../../src/domain/checkpoint';
import { asPosition } from '../../src/domain/position';
import { contentChecksum } from '../../src/domain/guarded-write';
import { mapAccountToCustomer } from '../../src/pipelines/accounts/mapping';
import type { problemRecordsBulk } from '../../src/workflows/problem-records-bulk';
import type { SandboxAccount } from '../../sandbox/salesforce';
import type { SyncEnvironment } from '../harness';

export interface Reconciliation {
  records: number;
  /** Source accounts whose newest version is neither in the destination nor held as a problem record. */
  lost: string[];
  /** Accounts whose customer holds other content than the source's newest version. */
  stale: string[];
  /** External ids the destination holds more than once. */
  doubled: string[];
  /** Open problem records left after recovery. */
  problems: number;
  /** Open problem records for accounts whose data is fine: only the fault can have caused them. */
  causedByFault: string[];
}

/** The sandbox NetSuite's rule for phones it rejects: fewer than seven digits. */
const rejectedPhone = (account: SandboxAccount) =>
  account.Phone !== null && account.Phone.replace(/\D/g, '').length < 7;

/** Runs syncs until one finds nothing new (bounded), returning how many ran. */
export async function converge(sync: SyncEnvironment, maxRuns = 5): Promise<number> {
  for (let runs = 1; runs <= maxRuns; runs += 1) {
    const { read, alreadyProcessed } = (await sync.runSync()).counts;
    if (read === alreadyProcessed) return runs;
  }
  assert.fail(`still reading changes after ${maxRuns} runs`);
}

/** Replays every open problem record with the bulk action, as an operator would, and waits for it. */
export async function replayAll(sync: SyncEnvironment): Promise<void> {
  const handle = await sync.operations.startBulk('replay', {});
  await sync.client.workflow.getHandle<typeof problemRecordsBulk>(handle.workflowId).result();
}

/**
 * Compares the destination with the source: every account present once with its newest values,
 * or, when its data is bad, held as a problem record; nothing else held; the checkpoint at the
 * newest account.
 */
export async function reconcile(sync: SyncEnvironment): Promise<Reconciliation> {
  const accounts = sync.salesforce.accounts();
  const customers = sync.netsuite.customers();
  const problems = new Set((await sync.openProblems()).map((p) => p.recordId));
  const byExternalId = new Map<string, number>();
  for (const customer of customers) {
    byExternalId.set(customer.externalId!, (byExternalId.get(customer.externalId!) ?? 0) + 1);
  }
  const lost: string[] = [];
  const stale: string[] = [];
  const bad = new Set<string>();
  for (const account of accounts) {
    const mapped = mapAccountToCustomer(account);
    if (!mapped.ok || rejectedPhone(account)) {
      bad.add(account.Id);
      if (!problems.has(account.Id)) lost.push(account.Id);
      continue;
    }
    const customer = sync.netsuite.customerByExternalId(account.Id);
    if (!customer) {
      // An account deleted before it was ever synced has nothing to become in NetSuite.
      if (!account.IsDeleted) lost.push(account.Id);
      continue;
    }
    // NetSuite holds the newest content (a newer version with the same content is skipped, not written).
    const current =
      customer.custentity_record_sync_checksum === contentChecksum(mapped.customer) &&
      customer.companyName === mapped.customer.companyName &&
      (customer.phone ?? null) === (mapped.customer.phone ?? null) &&
      customer.isInactive === mapped.customer.isInactive;
    if (!current) stale.push(account.Id);
  }
  const status = await sync.operations.status();
  const newest = accounts
    .map((a) => checkpointOf(a))
    .sort(compareCheckpoints)
    .at(-1);
  assert.equal(status.checkpoint, asPosition(newest), 'the checkpoint is not at the newest account');
  return {
    records: accounts.length,
    lost,
    stale,
    doubled: [...byExternalId].filter(([, count]) => count > 1).map(([id]) => id),
    problems: problems.size,
    causedByFault: [...problems].filter((id) => !bad.has(id)),
  };
}
