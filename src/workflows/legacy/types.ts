/**
 * The record and run shapes of the workflows before problem records (kept so that workflows started
 * then finish, and their histories replay). Frozen: change nothing here.
 */
import type { Checkpoint } from '../../domain/checkpoint';

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

/** A record the source returned that cannot even be placed in the change order. */
export interface UnreadableRecord {
  recordId?: string;
  version?: string;
  record: unknown;
  reason: string;
}

export interface SourcePage {
  records: SourceRecord[];
  unreadable: UnreadableRecord[];
  checkpoint: Checkpoint | null;
  nextRecordsUrl: string | null;
}

/** The activities the legacy workflows call, as they called them. */
export interface LegacyActivities {
  beginRun(request: {
    pipeline: string;
    runId: string;
    startedAt: string;
  }): Promise<{ checkpoint: Checkpoint | null; checkpointGeneration: number; settings: SyncSettings }>;
  readChangedAccounts(request: {
    since: Checkpoint | null;
    nextRecordsUrl: string | null;
  }): Promise<SourcePage>;
  fetchAccount(recordId: string): Promise<unknown>;
  upsertCustomer(account: unknown): Promise<void>;
}
