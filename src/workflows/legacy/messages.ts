import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Checkpoint } from '../../domain/checkpoint';
import type { DeadLetter, PipelineStatus, RunSummary, SyncSettings } from './types';

export { pipelineWorkflowId, recordWorkflowId } from '../ids';

export interface BeginRunRequest {
  runId: string;
  startedAt: string;
  settings: SyncSettings;
}

export interface BeginRunAnswer {
  checkpoint: Checkpoint | null;
  /** Bumped by every checkpoint reset, so a run begun before a reset cannot move it afterwards. */
  checkpointGeneration: number;
}

export interface PageReport {
  runId: string;
  checkpointGeneration: number;
  checkpoint: Checkpoint | null;
  summary: RunSummary;
  /** Records synced on this page: a dead letter for the same or an older version is resolved. */
  synced: { recordId: string; version: string }[];
}

export interface ReplayRequest {
  /** Record ids to replay; all dead letters when absent or empty. */
  recordIds?: string[];
}

export interface CheckpointResetRequest {
  /** ISO-8601 instant; the next run reads every record changed at or after it. */
  to: string;
}

export const beginRunUpdate = defineUpdate<BeginRunAnswer, [BeginRunRequest]>('beginRun');
export const pageCompletedSignal = defineSignal<[PageReport]>('pageCompleted');
export const runFinishedSignal = defineSignal<[RunSummary]>('runFinished');
export const deadLetterSignal = defineSignal<[DeadLetter]>('deadLetter');
export const replaySignal = defineSignal<[ReplayRequest?]>('replay');
export const resetCheckpointUpdate = defineUpdate<Checkpoint, [CheckpointResetRequest]>('resetCheckpoint');
export const statusQuery = defineQuery<PipelineStatus>('status');
export const deadLettersQuery = defineQuery<DeadLetter[]>('deadLetters');
