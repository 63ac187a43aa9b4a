import type { Position } from '../domain/position';
import type {
  DeliveryReport,
  DifferenceKind,
  FieldChoices,
  FieldDifference,
  SourceRecord,
  StatusWriteBack,
} from '../domain/sync';

/*
 * What a pipeline gives the engine. The engine's workflows see only pipeline names, positions,
 * ids and JSON; its activities find the pipeline by name in the registry (src/pipelines/index.ts)
 * and call these. A pipeline throws ApplicationFailures the engine classifies (src/activities/failures.ts):
 * a record-level failure names the field, a pipeline-level one stops the run.
 */

export interface PageRequest {
  /** Read what changed after this position (null: from the beginning). */
  since: Position | null;
  /** Continue an open read; null on a run's first page. */
  cursor: string | null;
  /** On the first page: how far behind `since` to read again, for changes that committed late. */
  lookbackMs: number;
}

/** A record the source returned that cannot even be identified or placed in the change order. */
export interface UnreadableRecord {
  recordId?: string;
  version?: string;
  record: unknown;
  reason: string;
}

export interface SourcePage {
  records: SourceRecord[];
  unreadable: UnreadableRecord[];
  /** Position after the last record of this page. */
  checkpoint: Position | null;
  /** Where the next page starts; null when this was the last. */
  cursor: string | null;
  /** On the first page: when the read began. The checkpoint never passes it. */
  queryStartedAt?: string;
  /** Every record of a delivery (a file) is in this page or earlier ones: finish it once they are done. */
  delivery?: unknown;
}

export interface RecordLoad {
  recordId: string;
  version: string;
  record: unknown;
  /** A person's field changes, to apply before the record is validated (edit-and-replay). */
  edit?: Record<string, unknown>;
  /** What the destination held when the page was read; null: nothing; absent: read it again. */
  destination?: unknown;
  choices?: FieldChoices;
  /** The run (or replay) loading it, for the destination's audit trail. */
  runId?: string;
  /** The record's own workflow: a destination that calls back (a webhook) names it. */
  workflowId?: string;
}

/**
 * After its load, the record waits for the destination's own event (a PIM publishing the product)
 * before its next stage: the record's workflow waits for it durably, then calls `continueRecord`.
 */
export interface AwaitedEvent {
  /** The status the record shows while it waits, e.g. PIM_UPSERTED. */
  waiting: string;
  /** The event's name, as the webhook reports it, e.g. published. */
  event: string;
  /** The status once the event came, during the next stage, e.g. PUBLISHED. */
  continuing: string;
  /** The status once the next stage is done, e.g. LIVE. */
  done: string;
  /** The event already happened (the PIM holds the product published): what it would have said. */
  happened?: unknown;
  /**
   * The workflow of an older version this load replaced at the destination: if it still waits,
   * its event will never come (the destination names this record's workflow now), so it ends.
   */
  supersedes?: string;
}

/** What loading one record did. */
export type LoadResult =
  | { status: 'SYNCED'; internalId: string; checksum: string; awaits?: AwaitedEvent }
  | { status: 'SKIPPED'; reason: string }
  | { status: 'VERSION_CONFLICT'; diff: FieldDifference[] };

export interface WrittenRecord {
  recordId: string;
  version: string;
  checksum: string;
}

/** A written record the destination holds otherwise than written: which field, what it holds. */
export interface StoredOtherwise {
  recordId: string;
  field: string;
  value?: string;
  error: string;
}

/** One record that differs between source and destination. Never record values beyond the fields shown. */
export interface RecordDifference {
  recordId: string;
  kind: DifferenceKind;
  /** The source's current version (absent for an orphan). */
  sourceVersion?: string;
  /** The source version the destination holds (absent when it holds none). */
  destinationVersion?: string;
  /** DATA_MISMATCH: each mapped field that differs; lastSynced is what record-sync last wrote there. */
  fields?: FieldDifference[];
  /** For the report: e.g. the destination's own id, or why the source record is unmappable. */
  note?: string;
}

/** One page of a reconciliation: how many records matched and each that did not. */
export interface ReconciliationPage {
  matching: number;
  differences: RecordDifference[];
  /** Where the next page starts; null after the last. */
  cursor: string | null;
}

/**
 * Compares the whole source with the whole destination, a page at a time, in two passes: every
 * source record against the destination (matching, drift, mismatch, missing), then every
 * destination record for those whose source record is gone (orphans). Pages are bounded in
 * records and bytes like the sync's (each is one activity result); reads obey the same limits.
 */
export interface Reconciler {
  compareSourcePage(cursor: string | null): Promise<ReconciliationPage>;
  findOrphansPage(cursor: string | null): Promise<ReconciliationPage>;
  /** A person confirmed an orphan: retire it in the destination (deactivate, or delete where that is the destination's way). */
  retireOrphan(recordId: string, context: { runId: string }): Promise<void>;
}

/** A record's next stage, once the destination's event came (the storefront, once the PIM published). */
export interface StageRequest {
  recordId: string;
  version: string;
  record: unknown;
  /** The stage the record waited in and the event that came. */
  stage: string;
  event: string;
  /** What the webhook said (checked and trimmed by `receiveWebhook`). */
  payload: unknown;
  runId?: string;
}

/** A webhook a pipeline's destination sends, once checked: which record workflow it is for. */
export type WebhookReceipt =
  | { accepted: true; workflowId: string; event: string; payload: unknown }
  /** Answered 2xx and ignored (e.g. an event the pipeline does not wait for). */
  | { accepted: false; reason: string };

export interface Pipeline {
  /** Absent: the pipeline cannot be reconciled. */
  reconciler?: Reconciler;
  readPage(request: PageRequest): Promise<SourcePage>;
  /** The current record (a replay reads it again), or null when the source no longer has it. */
  readRecord(recordId: string, version: string): Promise<{ record: unknown; version: string } | null>;
  loadRecord(load: RecordLoad): Promise<LoadResult>;
  /** Rejects a person's edit that names unknown fields or makes the record invalid. */
  checkEdit(record: unknown, edit: Record<string, unknown>): Promise<void>;
  /** The record with a person's edit applied; absent: the edit's fields replace the record's. */
  applyEdit?(record: unknown, edit: Record<string, unknown>): unknown;
  /** Reads back a page's writes (destinations without transactions). */
  verifyWrites?(written: WrittenRecord[]): Promise<StoredOtherwise[]>;
  /** Writes each record's sync status back to the source. */
  writeBackStatuses?(statuses: StatusWriteBack[]): Promise<{ written: number; failed: string[] }>;
  /** Finishes a delivery whose records are all done (archive the file, reconcile it). */
  completeDelivery?(delivery: unknown, context: { runId: string }): Promise<DeliveryReport>;
  /** The stage after an awaited event (see LoadResult's `awaits`); SYNCED means the record is live. */
  continueRecord?(request: StageRequest): Promise<LoadResult>;
  /**
   * Checks a webhook from the destination (its signature over the raw body) and names the record
   * workflow it is for. Throws WebhookRefused (answered 401/400) when it is not genuine.
   */
  receiveWebhook?(request: {
    headers: Record<string, string | undefined>;
    body: Buffer;
  }): Promise<WebhookReceipt>;
  close?(): Promise<void>;
}
