import type { Checkpoint } from './checkpoint';

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
  'VALIDATION_FAILED',
  'DEAD_LETTER',
] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/** The states in which a record waits for a person. */
export const PROBLEM_STATUSES = ['VALIDATION_FAILED', 'DEAD_LETTER'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/** How a problem record ended: synced again (by a replay or a newer version), or discarded by a person. */
export type ProblemResolution = 'SYNCED' | 'DISCARDED';

/** Why a record could not be synced. */
export const FAILURE_KINDS = ['invalid', 'rejected', 'retries-exhausted', 'not-found'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Bad data (ours or the destination's verdict) is a validation failure; the rest are dead letters. */
export const problemStatusOf = (kind: FailureKind): ProblemStatus =>
  kind === 'invalid' || kind === 'rejected' ? 'VALIDATION_FAILED' : 'DEAD_LETTER';

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
}

export type RecordOutcome =
  { status: 'SYNCED'; recordId: string; version: string } | ({ status: ProblemStatus } & RecordFailure);

export interface RunCounts {
  read: number;
  synced: number;
  validationFailed: number;
  deadLettered: number;
  /** Records whose workflow for this exact version already ran (a repeated page or the look-back). */
  alreadyProcessed: number;
}

export const noRecords = (): RunCounts => ({
  read: 0,
  synced: 0,
  validationFailed: 0,
  deadLettered: 0,
  alreadyProcessed: 0,
});

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  pages: number;
  counts: RunCounts;
  checkpoint: Checkpoint | null;
  /** Set when a pipeline-level failure stopped the run. */
  stoppedBy?: string;
}

/** A pipeline-level failure that paused the pipeline until a person fixes its cause. */
export interface PipelinePause {
  reason: string;
  runId: string;
  at: string;
}

export interface PipelineStatus {
  pipeline: string;
  checkpoint: Checkpoint | null;
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
}
