import { ApplicationFailure } from '@temporalio/common';
import type { NetSuiteClient } from '../connectors/netsuite';
import { INVALID_RECORD } from '../domain/failures';
import { describeIssues, mapAccountToCustomer } from '../domain/mapping';
import { classified, type FailureDetails } from './failures';

/**
 * A local activity of each record workflow (and, for workflows started before that, an activity on
 * the destination's task queue); the NetSuite client's request limits keep it under NetSuite's.
 */
export function createDestinationActivities({ netsuite }: { netsuite: NetSuiteClient }) {
  return {
    /**
     * Maps a Salesforce account to a NetSuite customer and upserts it by external id: repeating it
     * after a lost response cannot create a duplicate. The mapping runs here rather than in the
     * record workflow, so each workflow does not build the schemas again (half the worker's CPU per
     * record); a record that fails validation is a non-retryable InvalidRecord failure.
     */
    async upsertCustomer(account: unknown): Promise<void> {
      const mapped = mapAccountToCustomer(account);
      if (!mapped.ok) {
        const details: FailureDetails = { attempt: 1, field: mapped.issues[0]?.field };
        throw ApplicationFailure.create({
          type: INVALID_RECORD,
          message: describeIssues(mapped.issues),
          nonRetryable: true,
          details: [details],
        });
      }
      const { customer } = mapped;
      await classified(() => netsuite.upsertCustomer(customer));
    },
  };
}

export type DestinationActivities = ReturnType<typeof createDestinationActivities>;
