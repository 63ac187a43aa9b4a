import { createHash } from 'node:crypto';
import type { Customer } from './customer';

/**
 * The customer fields record-sync compares with what NetSuite holds now (SuiteQL returns them
 * with the page's versions). The address book is not among them: it is replaced whole by every
 * write, from the source.
 */
export const COMPARED_FIELDS = ['companyName', 'phone', 'url', 'isInactive'] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];
export type ComparedValues = Record<ComparedField, string | boolean | null>;

/** What NetSuite holds for one record, from the per-page read. */
export interface DestinationState {
  internalId: string;
  /** The Salesforce version record-sync last wrote (custentity_sf_system_modstamp). */
  sourceVersion: string | null;
  /** Checksum of the content record-sync last wrote (custentity_record_sync_checksum). */
  checksum: string | null;
  /** The compared fields as record-sync last wrote them (custentity_record_sync_synced). */
  lastSynced: ComparedValues | null;
  /** The compared fields as NetSuite holds them now. */
  current: ComparedValues;
}

/** `ask` holds a conflict for a person; the others decide it field by field on their own. */
export const CONFLICT_POLICIES = ['ask', 'source-wins', 'destination-wins'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export interface FieldDiff {
  field: ComparedField;
  source: unknown;
  destination: unknown;
  lastSynced: unknown;
}

export type WriteDecision =
  | { action: 'write'; customer: Customer; create: boolean }
  | { action: 'skip'; reason: string }
  | { action: 'conflict'; diff: FieldDiff[] };

export const comparedValues = (customer: Pick<Customer, ComparedField>): ComparedValues => ({
  companyName: customer.companyName,
  phone: customer.phone ?? null,
  url: customer.url ?? null,
  isInactive: customer.isInactive,
});

/** JSON with every object's keys in order, so that equal content always gives equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A checksum of the mapped content, the version stamp excluded: equal content, equal checksum. */
export function contentChecksum(customer: Customer): string {
  const content: Partial<Customer> = { ...customer };
  delete content.custentity_sf_system_modstamp;
  return createHash('sha256').update(canonicalJson(content)).digest('base64url');
}

/** A person's (or the policy's) choice per field in a conflict: the source's value or NetSuite's. */
export type FieldChoice = Partial<Record<ComparedField, 'source' | 'destination'>>;

function withChoices(customer: Customer, destination: DestinationState, choices: FieldChoice): Customer {
  const merged: Record<string, unknown> = { ...customer };
  for (const [field, choice] of Object.entries(choices)) {
    if (choice === 'destination') merged[field] = destination.current[field as ComparedField];
  }
  return merged as Customer;
}

/** The compared fields a NetSuite user (or another integration) changed since record-sync wrote them. */
export function changedInDestination(destination: DestinationState): ComparedField[] {
  const { lastSynced, current } = destination;
  if (!lastSynced) return [];
  return COMPARED_FIELDS.filter((field) => current[field] !== lastSynced[field]);
}

/**
 * Whether and what to write (seed 003 §5 and §9): nothing for an older or an unchanged version or
 * an account deleted before it was ever synced; a conflict when NetSuite's copy changed since
 * record-sync last wrote it, decided by the policy or held for a person; else the customer.
 * `choices` are a person's decision on an earlier conflict (they win over the policy).
 */
export function decideWrite(
  customer: Customer,
  destination: DestinationState | null,
  policy: ConflictPolicy,
  choices?: FieldChoice,
): WriteDecision {
  if (destination === null) {
    if (customer.isInactive) return { action: 'skip', reason: 'deleted before it was ever synced' };
    return { action: 'write', customer, create: true };
  }
  const version = customer.custentity_sf_system_modstamp;
  if (destination.sourceVersion !== null && destination.sourceVersion > version) {
    return { action: 'skip', reason: `NetSuite holds a newer version (${destination.sourceVersion})` };
  }
  if (choices)
    return { action: 'write', customer: withChoices(customer, destination, choices), create: false };
  // The source brings nothing new (a change to unmapped fields, a write-back): nothing to write.
  if (destination.checksum === contentChecksum(customer)) {
    return { action: 'skip', reason: 'NetSuite already holds this content' };
  }
  const changed = changedInDestination(destination);
  if (changed.length === 0 || policy === 'source-wins') return { action: 'write', customer, create: false };
  if (policy === 'destination-wins') {
    const keep = Object.fromEntries(changed.map((field) => [field, 'destination'])) as FieldChoice;
    return { action: 'write', customer: withChoices(customer, destination, keep), create: false };
  }
  const source = comparedValues(customer);
  return {
    action: 'conflict',
    diff: COMPARED_FIELDS.filter(
      (field) => changed.includes(field) || source[field] !== destination.current[field],
    ).map((field) => ({
      field,
      source: source[field],
      destination: destination.current[field],
      lastSynced: destination.lastSynced?.[field] ?? null,
    })),
  };
}
