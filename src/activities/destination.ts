import { ApplicationFailure } from '@temporalio/common';
import type { NetSuiteClient } from '../connectors/netsuite';
import { PermanentError } from '../connectors/errors';
import { ACCOUNT_FIELDS } from '../domain/account';
import { INVALID_RECORD } from '../domain/failures';
import { describeIssues, mapAccountToCustomer, type FieldIssue } from '../domain/mapping';
import { classified } from './failures';

/** A person needs to see the value that failed; a long one is cut. */
export function shownValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function invalidRecord(issues: FieldIssue[], record: unknown): ApplicationFailure {
  const field = issues[0]?.field;
  const fields = typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : {};
  return ApplicationFailure.create({
    type: INVALID_RECORD,
    message: describeIssues(issues),
    nonRetryable: true,
    details: [{ attempt: 1, field, value: field ? shownValue(fields[field]) : undefined }],
  });
}

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
      if (!mapped.ok) throw invalidRecord(mapped.issues, account);
      const { customer } = mapped;
      await classified(
        () => netsuite.upsertCustomer(customer),
        (error) =>
          error instanceof PermanentError && error.field
            ? { value: shownValue((customer as Record<string, unknown>)[error.field]) }
            : {},
      );
    },

    /**
     * Checks a person's edit before a replay is queued, with the schemas a read record passes:
     * only known fields, and the edited record must map to a valid customer.
     */
    async checkEdit({ record, edit }: { record: unknown; edit: Record<string, unknown> }): Promise<void> {
      const unknown = Object.keys(edit).filter(
        (field) => !(ACCOUNT_FIELDS as readonly string[]).includes(field),
      );
      if (unknown.length > 0) {
        throw invalidRecord(
          unknown.map((field) => ({
            field,
            message: `not a field of the record (${ACCOUNT_FIELDS.join(', ')})`,
          })),
          edit,
        );
      }
      const edited = { ...(record as Record<string, unknown>), ...edit };
      const mapped = mapAccountToCustomer(edited);
      if (!mapped.ok) throw invalidRecord(mapped.issues, edited);
    },
  };
}

export type DestinationActivities = ReturnType<typeof createDestinationActivities>;
