import type { NetSuiteClient } from '../connectors/netsuite';
import type { Customer } from '../domain/customer';
import { classified } from './failures';

/** Runs on the destination's own task queue, whose worker limits keep NetSuite under its concurrency limit. */
export function createDestinationActivities({ netsuite }: { netsuite: NetSuiteClient }) {
  return {
    /** Upsert by external id: repeating it after a lost response cannot create a duplicate. */
    async upsertCustomer(customer: Customer): Promise<void> {
      await classified(() => netsuite.upsertCustomer(customer));
    },
  };
}

export type DestinationActivities = ReturnType<typeof createDestinationActivities>;
