import { ApplicationFailure } from '@temporalio/common';
import { destinationSettings, type Config } from '../src/config';
import type { NetSuiteClient } from '../src/connectors/netsuite';
import { SalesforceClient } from '../src/connectors/salesforce';
import { toIsoInstant } from '../src/domain/checkpoint';
import type { Customer } from '../src/domain/customer';
import { INVALID_RECORD } from '../src/domain/failures';
import { createAccountsDestination } from '../src/pipelines/accounts/destination';
import type { SeededCustomer } from '../sandbox/netsuite';
import { validateCustomer } from '../sandbox/netsuite-customer';

/** Salesforce's largest query page: the seed reads 50,000 accounts in 25 requests. */
const READ_PAGE_SIZE = 2000;

/** One account as the sync would read it, and what record-sync would have written for it. */
export interface AccountAsSynced {
  recordId: string;
  version: string;
  isDeleted: boolean;
  /** The upsert record-sync would send; null when the mapping refuses the account. */
  customer: SeededCustomer | null;
  /** NetSuite's answer to that upsert when it would refuse it (the sandbox's own validation). */
  refusal: string | null;
}

/** Every account, soft-deleted included, through the product's client and the sync's own query (queryAll). */
async function readAccounts(config: Config): Promise<Record<string, unknown>[]> {
  const salesforce = new SalesforceClient({ ...config.accounts!.salesforce, pageSize: READ_PAGE_SIZE });
  const accounts: Record<string, unknown>[] = [];
  let page = await salesforce.readChangedAccounts(null);
  for (;;) {
    accounts.push(...page.records);
    if (page.done || !page.nextRecordsUrl) return accounts;
    page = await salesforce.readNextPage(page.nextRecordsUrl);
  }
}

/**
 * What record-sync would have written for each account, taken from its own load path: the
 * accounts destination's `loadRecord` against an empty NetSuite, with a NetSuite client that keeps
 * the upsert's body instead of sending it. So the mapping, the guarded-write decision, the checksum
 * and the last-synced values are the product's, not a copy that could drift from it.
 */
export async function accountsAsSynced(config: Config): Promise<AccountAsSynced[]> {
  let sent: SeededCustomer | null;
  const keepsTheUpsert = {
    upsertCustomer(customer: Customer, extra: Record<string, unknown> = {}) {
      // The body exactly as NetSuiteClient.upsertCustomer puts it on the wire (JSON drops undefined).
      const { externalId, ...fields } = customer;
      sent = { ...(JSON.parse(JSON.stringify({ ...fields, ...extra })) as object), externalId };
      return Promise.resolve({ location: '/services/rest/record/v1/customer/1' });
    },
  } as unknown as NetSuiteClient;
  const { loadRecord } = createAccountsDestination({
    netsuite: keepsTheUpsert,
    settings: destinationSettings(config),
  });
  const synced: AccountAsSynced[] = [];
  for (const record of await readAccounts(config)) {
    const recordId = String(record.Id);
    const version = toIsoInstant(String(record.SystemModstamp));
    sent = null;
    // null: NetSuite holds nothing yet, so the decision is a create. The mapping refuses with
    // INVALID_RECORD (no customer then); anything else is the bench's bug and stops it.
    await loadRecord({ recordId, version, record, destination: null }).catch((error: unknown) => {
      if (!(error instanceof ApplicationFailure && error.type === INVALID_RECORD)) throw error;
    });
    const customer = sent as SeededCustomer | null;
    const refusal = customer ? refusalOf(customer) : null;
    synced.push({ recordId, version, isDeleted: record.IsDeleted === true, customer, refusal });
  }
  return synced;
}

/** The NetSuite sandbox's own validation of an upsert's body: the rule it would answer 400 with. */
function refusalOf({ externalId: _, ...body }: SeededCustomer): string | null {
  const problems = validateCustomer(body, 'create');
  return problems.length > 0 ? problems.map((p) => p.detail).join('; ') : null;
}
