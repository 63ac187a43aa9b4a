import type { Position } from './position';

/** Per-run settings, read from configuration by an activity so workflows never see the environment. */
export interface SyncSettings {
  taskQueue: string;
  destinationTaskQueue: string;
  pageSize: number;
  windowSize: number;
  retry: RetrySettings;
  destinationTimeoutMs: number;
  /** How far behind the checkpoint each run reads again, for changes that committed late. */
  lookbackMs: number;
  /** False where the destination checks each write itself (absent in settings from before pipelines). */
  verifiesWrites?: boolean;
  /**
   * Set where a record's load is followed by a wait for the destination's own event (a PIM
   * publishing a product) and a next stage: the run waits for the first stage only.
   */
  awaiting?: {
    /** The status a record shows while it waits (the pipeline's AwaitedEvent.waiting). */
    stage: string;
    /** Every stage a record goes through, in order (for `status`): e.g. PIM_UPSERTED, PUBLISHED, LIVE. */
    stages?: string[];
    /** How long a record waits for the event before it is held for a person. */
    deadlineMs: number;
    /** After this long, the alert watch reminds people of records still waiting. */
    reminderMs: number;
  };
}

/** Transient failures back off exponentially and wait in RETRY_PENDING until the budget is spent. */
export interface RetrySettings {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** From a record's first failed attempt, how long it may keep retrying before DEAD_LETTER. */
  budgetMs: number;
}

/** Seed 003's record states. A record version moves PENDING → PROCESSING → one of the others. */
export const RECORD_STATUSES = [
  'PENDING',
  'PROCESSING',
  'RETRY_PENDING',
  'SYNCED',
  'SKIPPED',
  'VALIDATION_FAILED',
  'VERSION_CONFLICT',
  'DEAD_LETTER',
  'ORPHANED',
] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/**
 * The states in which a record waits for a person. ORPHANED: reconciliation found it in the
 * destination with its source record gone; a person confirms (retire it there) or discards.
 */
export const PROBLEM_STATUSES = ['VALIDATION_FAILED', 'VERSION_CONFLICT', 'DEAD_LETTER', 'ORPHANED'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/**
 * How a problem record ended: synced again (by a replay or a newer version), discarded by a
 * person, or (an orphan) retired in the destination once a person confirmed it.
 */
export type ProblemResolution = 'SYNCED' | 'DISCARDED' | 'RETIRED';

/** Why a record could not be synced. */
export const FAILURE_KINDS = [
  'invalid',
  'rejected',
  'unexpected-response',
  'conflict',
  'retries-exhausted',
  'not-found',
  'orphaned',
  'event-timeout',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * Bad data (our schema's verdict, the destination's, or what it stored) is a validation failure;
 * a destination changed by someone else is a version conflict; the rest are dead letters.
 */
export function problemStatusOf(kind: FailureKind): ProblemStatus {
  if (kind === 'conflict') return 'VERSION_CONFLICT';
  if (kind === 'orphaned') return 'ORPHANED';
  return kind === 'retries-exhausted' || kind === 'not-found' || kind === 'event-timeout'
    ? 'DEAD_LETTER'
    : 'VALIDATION_FAILED';
}

/**
 * What a record version that could not be synced reports. No record: a replay reads the source
 * again. The failing field's value is kept (shortened) because a person needs to see it.
 */
export interface RecordFailure {
  recordId: string;
  version: string;
  kind: FailureKind;
  error: string;
  field?: string;
  value?: string;
  attempts: number;
  failedAt: string;
  /** The record workflow that failed, for the person who wants to open its history. */
  workflowId: string;
  /** A version conflict: the source's, NetSuite's and the last-synced value of each field that differs. */
  diff?: FieldDifference[];
}

export type RecordOutcome =
  | { status: 'SYNCED'; recordId: string; version: string; checksum?: string; internalId?: string }
  | { status: 'SKIPPED'; recordId: string; version: string; reason: string }
  | ({ status: ProblemStatus } & RecordFailure);

export interface RunCounts {
  read: number;
  synced: number;
  /** Nothing to write: NetSuite holds this content or a newer version, or never had the deleted record. */
  skipped: number;
  validationFailed: number;
  conflicts: number;
  deadLettered: number;
  /** Records whose workflow for this exact version already ran (a repeated page or the look-back). */
  alreadyProcessed: number;
}

export const noRecords = (): RunCounts => ({
  read: 0,
  synced: 0,
  skipped: 0,
  validationFailed: 0,
  conflicts: 0,
  deadLettered: 0,
  alreadyProcessed: 0,
});

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  pages: number;
  counts: RunCounts;
  checkpoint: Position | null;
  /** Set when a pipeline-level failure stopped the run. */
  stoppedBy?: string;
}

/** A pipeline-level failure that paused the pipeline until a person fixes its cause. */
export interface PipelinePause {
  reason: string;
  runId: string;
  at: string;
}

/**
 * A delivery the source finished (a vendor's file): what became of it, for `status`. The owner
 * keeps the latest few; the full record is in the destination.
 */
export interface DeliveryReport {
  name: string;
  status: string;
  at: string;
  counts: Record<string, number>;
  note?: string;
}

/** How a record compares between source and destination (issue #12's reconciliation). */
export const DIFFERENCE_KINDS = ['VERSION_DRIFT', 'DATA_MISMATCH', 'MISSING', 'ORPHANED'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** A reconciliation's totals, what it repaired and where its report is: the owner keeps the latest. */
export interface ReconciliationSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** Records compared and found equal. */
  matching: number;
  /** Records that differ but already wait for a person as problem records: left to them. */
  held?: number;
  differences: Record<DifferenceKind, number>;
  /** Off: report only. */
  repair: boolean;
  repaired: { resynced: number; conflicts: number; orphans: number };
  /** The report's HTML page, as the worker wrote it (JSON and CSV beside it). */
  report?: string;
  /** Set when a pipeline-level failure stopped it. */
  stoppedBy?: string;
}

export interface PipelineStatus {
  pipeline: string;
  /** The latest runs, newest first (the dashboard's chart); the owner keeps a few. */
  recentRuns?: RunSummary[];
  /** The latest reconciliations, newest first. */
  reconciliations?: ReconciliationSummary[];
  /** The latest deliveries, newest first (file-fed pipelines). */
  deliveries?: DeliveryReport[];
  checkpoint: Position | null;
  checkpointGeneration: number;
  currentRun: RunSummary | null;
  lastRun: RunSummary | null;
  paused: PipelinePause | null;
}

/** One source record as a run hands it to its record workflow. */
export interface SourceRecord {
  recordId: string;
  version: string;
  record: unknown;
  /** An open problem record exists for this record: syncing this version resolves it. */
  hasOpenProblem?: boolean;
  /** What the destination held when the page was read (the pipeline's own shape); null: nothing. */
  destination?: unknown;
  /** With write-back on: the status and NetSuite id the account carries now. */
  writtenBack?: { status: string | null; internalId: string | null };
}

/** A record's status to write back onto its account (when it differs from what is there). */
export interface StatusWriteBack {
  recordId: string;
  status: RecordStatus;
  internalId?: string;
}

/** One field of a version conflict: the source's, the destination's and the last-synced value. */
export interface FieldDifference {
  field: string;
  source: unknown;
  destination: unknown;
  lastSynced: unknown;
}

/** A person's decision on a version conflict, field by field. */
export type FieldChoices = Record<string, 'source' | 'destination'>;
