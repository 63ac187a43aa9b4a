import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Position } from '../domain/position';
import type {
  DeliveryReport,
  FieldChoices,
  PipelinePause,
  PipelineStatus,
  ProblemResolution,
  ProblemStatus,
  ReconciliationSummary,
  RecordFailure,
  RunSummary,
  SyncSettings,
} from '../domain/sync';

/*
 * Message names: operator actions are plain words (what a person picks in the UI); messages that
 * workflows send each other start with `internal.`, so a person can tell them apart.
 */

// --- the pipeline workflow (owner of the checkpoint) ---

export interface BeginRunRequest {
  runId: string;
  startedAt: string;
  settings: SyncSettings;
}

export interface BeginRunAnswer {
  checkpoint: Position | null;
  /** Bumped by every checkpoint reset, so a run begun before a reset cannot move it afterwards. */
  checkpointGeneration: number;
}

export interface PageReport {
  runId: string;
  checkpointGeneration: number;
  checkpoint: Position | null;
  summary: RunSummary;
}

export interface CheckpointResetRequest {
  /** ISO-8601 instant; the next run reads every record changed at or after it. */
  to: string;
}

export interface ResumeRequest {
  /** Who resumed the pipeline, for the record. */
  by?: string;
}

export const beginRunUpdate = defineUpdate<BeginRunAnswer, [BeginRunRequest]>('internal.beginRun');
export const pageCompletedSignal = defineSignal<[PageReport]>('internal.pageCompleted');
export const runFinishedSignal = defineSignal<[RunSummary]>('internal.runFinished');
export const deliveryCompletedSignal = defineSignal<[DeliveryReport]>('internal.deliveryCompleted');
export const reconciliationFinishedSignal = defineSignal<[ReconciliationSummary]>(
  'internal.reconciliationFinished',
);
export const pipelinePausedSignal = defineSignal<[PipelinePause]>('internal.pipelinePaused');
export const resetCheckpointUpdate = defineUpdate<Position, [CheckpointResetRequest]>('resetCheckpoint');
export const resumeUpdate = defineUpdate<PipelineStatus, [ResumeRequest]>('resume');
export const statusQuery = defineQuery<PipelineStatus>('status');

// --- a problem record (one workflow per record that waits for a person) ---

export interface ReplayRequest {
  /**
   * Field values to change before the record is synced again, e.g. `{ "Phone": "+1 415 555 0100" }`:
   * applied to the record as read from the source again, then validated like any read record.
   */
  edit?: Record<string, unknown>;
  /** Answer only once the replay has finished (default), rather than as soon as it is queued. */
  wait?: boolean;
  by?: string;
}

export type ReplayAnswer =
  | { outcome: 'queued'; recordId: string }
  | { outcome: 'SYNCED'; recordId: string; version: string }
  | { outcome: 'SKIPPED'; recordId: string; reason: string }
  | { outcome: ProblemStatus; recordId: string; error: string; field?: string }
  | { outcome: 'stopped'; recordId: string; error: string };

/**
 * A person's decision on a version conflict: NetSuite takes the source's values, keeps its own,
 * or a merge field by field (`{"use": "merge", "fields": {"phone": "destination"}}`; fields not
 * named take the source's value). Then the record is written and the conflict is resolved.
 */
export interface ResolveConflictRequest {
  use: 'source' | 'destination' | 'merge';
  fields?: FieldChoices;
  wait?: boolean;
  by?: string;
}

export interface DiscardRequest {
  reason: string;
  by?: string;
}

/** A person confirms an orphan: record-sync retires it in the destination (deactivates it). */
export interface ConfirmOrphanRequest {
  by?: string;
}

export interface ProblemView {
  pipeline: string;
  recordId: string;
  status: ProblemStatus | ProblemResolution | 'PROCESSING';
  failure: RecordFailure;
  firstFailedAt: string;
  failures: number;
  replays: number;
  lastReplay?: { at: string; by?: string; edited: boolean; answer: ReplayAnswer };
  resolution?: { status: ProblemResolution; at: string; by?: string; reason?: string; decision?: string };
}

export const recordFailedSignal = defineSignal<[RecordFailure]>('internal.recordFailed');

// --- a record whose destination answers by its own event (a PIM publishing a product) ---

/** A record's workflow reached the stage where it waits: its run counts it done. */
export interface RecordStaged {
  workflowId: string;
  stage: string;
}
/** The destination's event (from its webhook, checked): the record's next stage may begin. */
export interface DestinationEvent {
  event: string;
  payload: unknown;
}
export const recordStagedSignal = defineSignal<[RecordStaged]>('internal.recordStaged');
export const destinationEventSignal = defineSignal<[DestinationEvent]>('internal.destinationEvent');
export const recordSyncedSignal = defineSignal<[{ version: string }]>('internal.recordSynced');
export const replayUpdate = defineUpdate<ReplayAnswer, [ReplayRequest]>('replay');
export const resolveConflictUpdate = defineUpdate<ReplayAnswer, [ResolveConflictRequest]>('resolveConflict');
export const confirmOrphanUpdate = defineUpdate<ProblemView, [ConfirmOrphanRequest]>('confirmOrphan');
export const discardUpdate = defineUpdate<ProblemView, [DiscardRequest]>('discard');
export const problemQuery = defineQuery<ProblemView | null>('problem');
