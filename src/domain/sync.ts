import type { Checkpoint } from './checkpoint';

/** Per-run settings, read from configuration by an activity so workflows never see the environment. */
export interface SyncSettings {
  taskQueue: string;
  destinationTaskQueue: string;
  pageSize: number;
  windowSize: number;
  retry: { initialIntervalMs: number; backoffCoefficient: number; maximumAttempts: number };
  destinationTimeoutMs: number;
}

export interface RunCounts {
  read: number;
  synced: number;
  deadLettered: number;
  /** Records whose child workflow for this exact version already ran (a repeated page). */
  alreadyProcessed: number;
}

export const noRecords = (): RunCounts => ({ read: 0, synced: 0, deadLettered: 0, alreadyProcessed: 0 });

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  pages: number;
  counts: RunCounts;
  checkpoint: Checkpoint | null;
}

/** Why a record could not be synced. */
export type FailureKind = 'invalid' | 'rejected' | 'retries-exhausted' | 'not-found';

export interface DeadLetter {
  recordId: string;
  /** The source version (SystemModstamp) that failed. */
  version: string;
  record: unknown;
  kind: FailureKind;
  error: string;
  field?: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  replays: number;
}

export type RecordOutcome =
  | { status: 'synced'; recordId: string; version: string }
  | { status: 'dead-lettered'; recordId: string; version: string; kind: FailureKind; error: string };

/** One source record as a run hands it to its child workflow. */
export interface SourceRecord {
  recordId: string;
  version: string;
  record: unknown;
}

export interface PipelineStatus {
  pipeline: string;
  checkpoint: Checkpoint | null;
  currentRun: RunSummary | null;
  lastRun: RunSummary | null;
  deadLetterCount: number;
  replaysInFlight: number;
}
