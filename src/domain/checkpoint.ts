import { parseInstant } from './instant';

/**
 * Position in the Salesforce change stream: every record ordered at or before it has been
 * synced. Ordered by (SystemModstamp, Id) because many records can share one timestamp.
 */
export interface Checkpoint {
  /** ISO-8601 UTC with milliseconds, e.g. 2024-05-20T20:49:32.000Z. */
  systemModstamp: string;
  /** Last synced Id at that instant; '' means before every Id at that instant. */
  id: string;
}

const SALESFORCE_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

export function isSalesforceId(s: string): boolean {
  return SALESFORCE_ID.test(s);
}

/** Normalises a Salesforce datetime (`+0000`) or ISO time to `YYYY-MM-DDTHH:mm:ss.sssZ`. */
export function toIsoInstant(salesforceDateTime: string): string {
  const millis = parseInstant(salesforceDateTime);
  if (millis === null) {
    throw new Error(
      `Invalid datetime '${salesforceDateTime}': expected e.g. 2024-05-20T20:49:32.000Z or 2024-05-20T20:49:32.000+0000`,
    );
  }
  return new Date(millis).toISOString();
}

export function checkpointOf(record: { Id: string; SystemModstamp: string }): Checkpoint {
  return { systemModstamp: toIsoInstant(record.SystemModstamp), id: record.Id };
}

/** A checkpoint that includes every record changed at or after `isoTime`. */
export function checkpointAt(isoTime: string): Checkpoint {
  if (parseInstant(isoTime) === null) {
    throw new Error(`Invalid checkpoint time '${isoTime}': expected ISO-8601 like 2024-05-20T20:49:32.000Z`);
  }
  return { systemModstamp: toIsoInstant(isoTime), id: '' };
}

export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  const byInstant = Date.parse(toIsoInstant(a.systemModstamp)) - Date.parse(toIsoInstant(b.systemModstamp));
  if (byInstant !== 0) return Math.sign(byInstant);
  // Ordinal comparison, not localeCompare: it matches Salesforce's ORDER BY Id for
  // [A-Za-z0-9] ids, where case matters ('Z' < 'a').
  if (a.id < b.id) return -1;
  if (a.id > b.id) return 1;
  return 0;
}

export function laterCheckpoint(a: Checkpoint | null, b: Checkpoint | null): Checkpoint | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareCheckpoints(b, a) > 0 ? b : a;
}

/** The earlier of two positions; null means "no bound". */
export function earlierCheckpoint(a: Checkpoint | null, b: Checkpoint | null): Checkpoint | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareCheckpoints(b, a) < 0 ? b : a;
}
