import type { DifferenceKind, ReconciliationSummary } from '../src/domain/sync';
import type { NetSuiteSandbox } from '../sandbox/netsuite';
import { createPrng } from '../sandbox/prng';
import type { SalesforceSandbox } from '../sandbox/salesforce';
import type { AccountAsSynced } from './reconcile-seed';

/** Shares of the accounts planted as each difference: enough that the repairs run too. */
export const PLANTED_SHARES = { drift: 0.01, mismatch: 0.005, missing: 0.005, orphans: 0.002 } as const;

export interface PlantedDifferences {
  /** Accounts updated in Salesforce after their customer was written (a newer version). */
  drift: string[];
  /** Customers a person edited in NetSuite after record-sync wrote them (same version). */
  mismatch: string[];
  /** Accounts whose customer was never written. */
  missing: string[];
  /** Accounts purged from Salesforce (the recycle bin emptied): their customers stay. */
  orphans: string[];
  /** Accounts NetSuite refuses: not in NetSuite, and held as problem records as a sync leaves them. */
  refused: AccountAsSynced[];
  /** Accounts the mapping refuses: neither in NetSuite nor a difference. */
  unmappable: number;
  /** Customers put into the NetSuite sandbox. */
  seeded: number;
}

/** Fisher-Yates with the sandboxes' own seeded PRNG: the same accounts are picked on every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const random = createPrng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Fills NetSuite as record-sync would have left it after syncing every account, then plants the
 * differences: each a disjoint set of accounts that map, that NetSuite accepts and that are not
 * deleted, spread over the whole source order.
 */
export function plantDifferences(
  accounts: AccountAsSynced[],
  salesforce: SalesforceSandbox,
  netsuite: NetSuiteSandbox,
): PlantedDifferences {
  const share = (fraction: number) => Math.max(1, Math.round(accounts.length * fraction));
  const counts = Object.entries(PLANTED_SHARES).map(([kind, fraction]) => [kind, share(fraction)] as const);
  const writable = shuffled(
    accounts.filter((a) => a.customer && !a.refusal && !a.isDeleted).map((a) => a.recordId),
    2026,
  );
  const picked: Record<string, string[]> = {};
  let from = 0;
  for (const [kind, count] of counts) {
    picked[kind] = writable.slice(from, from + count);
    from += count;
  }
  if (from > writable.length)
    throw new Error(`too few accounts (${accounts.length}) to plant every difference`);

  const missing = new Set(picked.missing);
  const refused = accounts.filter((a) => a.refusal);
  const seed = netsuite.seedCustomers(
    accounts.filter((a) => a.customer && !missing.has(a.recordId)).map((a) => a.customer!),
  );
  // The seed's refusals come from the sandbox's own validation: they must be those foreseen.
  const foreseen = new Set(refused.map((a) => a.recordId));
  if (seed.refused.length !== foreseen.size || seed.refused.some((r) => !foreseen.has(r.externalId))) {
    throw new Error(`NetSuite refused ${seed.refused.length} customers, ${foreseen.size} foreseen`);
  }

  picked.drift.forEach((id, i) => salesforce.updateAccount(id, { Name: `Drifted Holdings ${i + 1}` }));
  picked.mismatch.forEach((id, i) => netsuite.editAsUser(id, { companyName: `Edited In NetSuite ${i + 1}` }));
  for (const id of picked.orphans) salesforce.purgeAccount(id);
  return {
    drift: picked.drift,
    mismatch: picked.mismatch,
    missing: picked.missing,
    orphans: picked.orphans,
    refused,
    unmappable: accounts.filter((a) => !a.customer).length,
    seeded: seed.seeded,
  };
}

/** What a reconciliation with repair on must answer for these planted differences. */
export function expectedSummary(
  accounts: number,
  planted: PlantedDifferences,
): Pick<ReconciliationSummary, 'matching' | 'held' | 'differences' | 'repaired'> {
  const differences: Record<DifferenceKind, number> = {
    VERSION_DRIFT: planted.drift.length,
    DATA_MISMATCH: planted.mismatch.length,
    MISSING: planted.missing.length,
    ORPHANED: planted.orphans.length,
  };
  const held = planted.refused.length;
  // Purged accounts are no longer read; an unmappable account absent from NetSuite matches.
  const differing = differences.VERSION_DRIFT + differences.DATA_MISMATCH + differences.MISSING;
  return {
    matching: accounts - planted.orphans.length - differing - held,
    held,
    differences,
    repaired: {
      resynced: differences.VERSION_DRIFT + differences.MISSING,
      conflicts: differences.DATA_MISMATCH,
      orphans: differences.ORPHANED,
    },
  };
}
