import { ApplicationFailure } from '@temporalio/common';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { PermanentError, unexpectedResponse } from '../../connectors/errors';
import { ACCOUNT_FIELDS } from '../../domain/account';
import { INVALID_RECORD } from '../../domain/failures';
import {
  changedInDestination,
  COMPARED_FIELDS,
  comparedValues,
  contentChecksum,
  decideWrite,
  type ComparedValues,
  type ConflictPolicy,
  type DestinationState,
} from '../../domain/guarded-write';
import { describeIssues, mapAccountToCustomer, type FieldIssue } from './mapping';
import { asActivityFailure, classified } from '../../activities/failures';
import type { LoadResult, RecordLoad, StoredOtherwise, WrittenRecord } from '../contract';

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

/** Custom fields record-sync keeps on each customer, beside `custentity_sf_system_modstamp`. */
const CHECKSUM_FIELD = 'custentity_record_sync_checksum';
const SYNCED_FIELD = 'custentity_record_sync_synced';
/** SuiteQL answers in lower case; booleans come back as 'T' / 'F'. */
const STATE_COLUMNS = [
  'companyname',
  'phone',
  'url',
  'isinactive',
  'custentity_sf_system_modstamp',
  CHECKSUM_FIELD,
  SYNCED_FIELD,
] as const;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const flag = (value: unknown): boolean => value === true || value === 'T';

function lastSyncedOf(value: unknown): ComparedValues | null {
  try {
    const parsed = JSON.parse(String(value)) as Record<string, unknown>;
    return COMPARED_FIELDS.every((field) => field in parsed) ? (parsed as ComparedValues) : null;
  } catch {
    return null;
  }
}

/** One SuiteQL row as what NetSuite holds for the record (absent columns are nulls in SuiteQL). */
function destinationStateOf(row: Record<string, unknown>): DestinationState {
  return {
    internalId: String(row.id),
    sourceVersion: text(row.custentity_sf_system_modstamp),
    checksum: text(row[CHECKSUM_FIELD]),
    lastSynced: row[SYNCED_FIELD] === undefined ? null : lastSyncedOf(row[SYNCED_FIELD]),
    current: {
      companyName: text(row.companyname),
      phone: text(row.phone),
      url: text(row.url),
      isInactive: flag(row.isinactive),
    },
  };
}

export interface DestinationSettings {
  conflictPolicy: ConflictPolicy;
  /** Internal id of the subsidiary new customers belong to (OneWorld accounts require one). */
  subsidiary?: string;
}

/**
 * The destination side of the record path: a local activity of each record workflow; the NetSuite
 * client's request limits keep it under NetSuite's.
 */
/** A compared field NetSuite holds with another value than the one just written. */
function storedOtherwise(state: DestinationState) {
  const [field] = changedInDestination(state);
  if (!field) return null;
  return { field, value: state.current[field], expected: JSON.stringify(state.lastSynced?.[field]) };
}

/** Reads what NetSuite holds for many records at once: one SuiteQL query for a page. */
export function destinationReader(netsuite: NetSuiteClient) {
  return async (externalIds: string[]): Promise<Map<string, DestinationState>> => {
    const rows = await classified(() => netsuite.customerStates(externalIds, STATE_COLUMNS));
    return new Map(rows.map((row) => [String(row.externalid), destinationStateOf(row)]));
  };
}

export function createAccountsDestination({
  netsuite,
  settings,
}: {
  netsuite: NetSuiteClient;
  settings: DestinationSettings;
}) {
  const destinationStates = destinationReader(netsuite);

  /**
   * Maps a Salesforce account to a NetSuite customer, decides against what NetSuite holds (skip,
   * conflict or write), and upserts it by external id with the address book replaced whole:
   * repeating it after a lost response cannot create a duplicate or a second address line.
   */
  async function loadRecord({ record: account, destination, choices }: RecordLoad): Promise<LoadResult> {
    const mapped = mapAccountToCustomer(account);
    if (!mapped.ok) throw invalidRecord(mapped.issues, account);
    const { customer } = mapped;
    const state =
      destination !== undefined
        ? (destination as DestinationState | null)
        : ((await destinationStates([customer.externalId])).get(customer.externalId) ?? null);
    const decision = decideWrite(customer, state, settings.conflictPolicy, choices);
    if (decision.action === 'skip') return { status: 'SKIPPED', reason: decision.reason };
    if (decision.action === 'conflict') return { status: 'VERSION_CONFLICT', diff: decision.diff };
    const written = decision.customer;
    const checksum = contentChecksum(customer);
    const extra = {
      [CHECKSUM_FIELD]: checksum,
      [SYNCED_FIELD]: JSON.stringify(comparedValues(written)),
      ...(decision.create && settings.subsidiary ? { subsidiary: { id: settings.subsidiary } } : {}),
    };
    const { location } = await classified(
      () => netsuite.upsertCustomer(written, extra),
      (error) =>
        error instanceof PermanentError && error.field
          ? { value: shownValue((written as Record<string, unknown>)[error.field]) }
          : {},
    );
    // A write answers 204 with the customer's URL: anything else is not a write we can trust.
    const internalId = /\/customer\/(\d+)$/.exec(location ?? '')?.[1] ?? state?.internalId;
    if (!internalId) {
      throw asActivityFailure(
        unexpectedResponse('NetSuite', 204, `no customer id in Location (${location ?? 'none'})`),
      );
    }
    return { status: 'SYNCED', internalId, checksum };
  }

  return {
    loadRecord,

    /**
     * Response validation for a page (seed 003 §5), in one SuiteQL read rather than one per
     * record: NetSuite must now hold each written version with the content written. A newer
     * version there is fine (written meanwhile); anything else is what NetSuite stored instead.
     */
    async verifyWrites(written: WrittenRecord[]): Promise<StoredOtherwise[]> {
      const held = await destinationStates(written.map((w) => w.recordId));
      const otherwise: StoredOtherwise[] = [];
      for (const { recordId, version, checksum } of written) {
        const state = held.get(recordId);
        const problem = !state
          ? { field: 'externalId', value: undefined, expected: 'the customer' }
          : state.sourceVersion !== null && state.sourceVersion > version
            ? null
            : state.sourceVersion !== version
              ? { field: 'custentity_sf_system_modstamp', value: state.sourceVersion, expected: version }
              : state.checksum !== checksum
                ? { field: CHECKSUM_FIELD, value: state.checksum, expected: checksum }
                : storedOtherwise(state);
        if (problem) {
          otherwise.push({
            recordId,
            field: problem.field,
            value: shownValue(problem.value ?? null),
            error: `NetSuite answered the write but holds ${problem.field} = ${String(problem.value ?? 'nothing')}, not ${problem.expected}`,
          });
        }
      }
      return otherwise;
    },

    /**
     * Checks a person's edit before a replay is queued, with the schemas a read record passes:
     * only known fields, and the edited record must map to a valid customer.
     */
    async checkEdit(record: unknown, edit: Record<string, unknown>): Promise<void> {
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

export type AccountsDestination = ReturnType<typeof createAccountsDestination>;
