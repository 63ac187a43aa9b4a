import assert from 'node:assert/strict';
import { checkpointOf } from '../../src/domain/checkpoint';
import { mapAccountToCustomer } from '../../src/domain/mapping';
import type { SyncEnvironment } from '../harness';
import { eventually } from '../harness';

export interface Reconciliation {
  records: number;
  /** Source accounts whose newest version is neither in the destination nor dead-lettered. */
  lost: string[];
  /** External ids the destination holds more than once. */
  doubled: string[];
  /** Dead letters for accounts whose newest version the destination has (should not be left). */
  deadLettered: number;
}

/** Runs syncs until one finds nothing left to read (bounded), returning how many ran. */
export async function converge(sync: SyncEnvironment, maxRuns = 5): Promise<number> {
  for (let runs = 1; runs <= maxRuns; runs += 1) {
    const summary = await sync.runSync();
    if (summary.counts.read === 0) return runs;
  }
  assert.fail(`still reading changes after ${maxRuns} runs`);
}

/** Replays every dead letter and waits until no replay is in flight. */
export async function replayAll(sync: SyncEnvironment): Promise<void> {
  await sync.operations.replay();
  await eventually(async () => {
    const status = await sync.operations.status();
    return status && status.replaysInFlight === 0 ? true : undefined;
  }, 120_000);
}

/**
 * Compares the destination with the source: every account present once, with its newest values,
 * or accounted for in the dead letters; the checkpoint at the newest account.
 */
export async function reconcile(sync: SyncEnvironment): Promise<Reconciliation> {
  const accounts = sync.salesforce.accounts();
  const customers = sync.netsuite.customers();
  const deadLetters = new Map((await sync.operations.deadLetters()).map((d) => [d.recordId, d]));
  const byExternalId = new Map<string, number>();
  for (const customer of customers) {
    byExternalId.set(customer.externalId!, (byExternalId.get(customer.externalId!) ?? 0) + 1);
  }
  const lost: string[] = [];
  for (const account of accounts) {
    const version = checkpointOf(account).systemModstamp;
    const customer = sync.netsuite.customerByExternalId(account.Id);
    const mapped = mapAccountToCustomer(account);
    const current =
      customer &&
      mapped.ok &&
      customer.custentity_sf_system_modstamp === version &&
      customer.companyName === mapped.customer.companyName &&
      (customer.phone ?? null) === (mapped.customer.phone ?? null) &&
      customer.isInactive === mapped.customer.isInactive;
    const letter = deadLetters.get(account.Id);
    if (!current && !(letter && letter.version === version)) lost.push(account.Id);
  }
  const status = await sync.operations.status();
  assert.deepEqual(
    status?.checkpoint,
    checkpointOf(accounts.at(-1)!),
    'the checkpoint is not at the newest account',
  );
  return {
    records: accounts.length,
    lost,
    doubled: [...byExternalId].filter(([, count]) => count > 1).map(([id]) => id),
    deadLettered: deadLetters.size,
  };
}
