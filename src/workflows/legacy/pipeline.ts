import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { checkpointAt, laterCheckpoint, type Checkpoint } from '../../domain/checkpoint';
import { noRecords, type DeadLetter, type PipelineStatus, type RunSummary, type SyncSettings } from './types';
import {
  beginRunUpdate,
  deadLetterSignal,
  deadLettersQuery,
  pageCompletedSignal,
  recordWorkflowId,
  replaySignal,
  resetCheckpointUpdate,
  runFinishedSignal,
  statusQuery,
} from './messages';
import { recordAttributes } from './search-attributes';
import type { legacySyncRecord } from './sync-record';

export interface PipelineState {
  checkpoint: Checkpoint | null;
  checkpointGeneration: number;
  settings: SyncSettings;
  currentRun: RunSummary | null;
  lastRun: RunSummary | null;
  deadLetters: DeadLetter[];
  /** Record ids asked to be replayed and not yet started. */
  replayQueue: string[];
}

export interface PipelineInput {
  pipeline: string;
  settings: SyncSettings;
  state?: PipelineState;
}

/**
 * The long-lived owner of a pipeline's state: its checkpoint, its runs' results and its dead
 * letters. Runs and record workflows talk to it by message; a person does too, from the UI or the
 * command line (status, dead letters, replay, checkpoint reset).
 */
export async function legacyPipelineWorkflow(input: PipelineInput): Promise<void> {
  const { pipeline } = input;
  const state: PipelineState = input.state ?? {
    checkpoint: null,
    checkpointGeneration: 0,
    settings: input.settings,
    currentRun: null,
    lastRun: null,
    deadLetters: [],
    replayQueue: [],
  };
  const replaying = new Set<string>();

  const deadLetterIndex = (recordId: string) => state.deadLetters.findIndex((d) => d.recordId === recordId);

  setHandler(beginRunUpdate, ({ runId, startedAt, settings }) => {
    state.settings = settings;
    state.currentRun = {
      runId,
      startedAt,
      finishedAt: null,
      pages: 0,
      counts: noRecords(),
      checkpoint: state.checkpoint,
    };
    return { checkpoint: state.checkpoint, checkpointGeneration: state.checkpointGeneration };
  });

  setHandler(pageCompletedSignal, ({ runId, checkpointGeneration, checkpoint, summary, synced }) => {
    if (checkpointGeneration === state.checkpointGeneration) {
      state.checkpoint = laterCheckpoint(state.checkpoint, checkpoint);
    }
    if (state.currentRun?.runId === runId) state.currentRun = summary;
    for (const { recordId, version } of synced) {
      const index = deadLetterIndex(recordId);
      if (index >= 0 && state.deadLetters[index].version <= version) state.deadLetters.splice(index, 1);
    }
  });

  setHandler(runFinishedSignal, (summary) => {
    state.lastRun = summary;
    if (state.currentRun?.runId === summary.runId) state.currentRun = null;
  });

  setHandler(deadLetterSignal, (deadLetter) => {
    const index = deadLetterIndex(deadLetter.recordId);
    if (index < 0) {
      state.deadLetters.push(deadLetter);
      return;
    }
    const earlier = state.deadLetters[index];
    if (deadLetter.version < earlier.version) return;
    state.deadLetters[index] = {
      ...deadLetter,
      firstFailedAt: earlier.firstFailedAt,
      attempts: earlier.attempts + deadLetter.attempts,
    };
  });

  setHandler(replaySignal, (request) => {
    const wanted = request?.recordIds?.length ? new Set(request.recordIds) : null;
    for (const { recordId } of state.deadLetters) {
      if (
        (!wanted || wanted.has(recordId)) &&
        !replaying.has(recordId) &&
        !state.replayQueue.includes(recordId)
      ) {
        state.replayQueue.push(recordId);
      }
    }
  });

  setHandler(
    resetCheckpointUpdate,
    ({ to }) => {
      state.checkpoint = checkpointAt(to);
      state.checkpointGeneration += 1;
      return state.checkpoint;
    },
    {
      validator: ({ to }) => {
        if (typeof to !== 'string' || Number.isNaN(Date.parse(to)) || !/^\d{4}-\d{2}-\d{2}T/.test(to)) {
          throw ApplicationFailure.nonRetryable(
            `"${to}" is not an ISO-8601 time such as 2024-01-01T00:00:00Z`,
          );
        }
      },
    },
  );

  setHandler(statusQuery, (): PipelineStatus => ({
    pipeline,
    checkpoint: state.checkpoint,
    currentRun: state.currentRun,
    lastRun: state.lastRun,
    deadLetterCount: state.deadLetters.length,
    replaysInFlight: replaying.size + state.replayQueue.length,
  }));
  setHandler(deadLettersQuery, () => state.deadLetters);

  const replay = async (recordId: string): Promise<void> => {
    const deadLetter = state.deadLetters[deadLetterIndex(recordId)];
    if (!deadLetter) return;
    replaying.add(recordId);
    try {
      const replays = deadLetter.replays + 1;
      const child = await startChild<typeof legacySyncRecord>('syncRecord', {
        workflowId: `${recordWorkflowId(pipeline, recordId, deadLetter.version)}-replay-${replays}`,
        args: [{ pipeline, recordId, version: deadLetter.version, settings: state.settings, replays }],
        taskQueue: state.settings.taskQueue,
        typedSearchAttributes: recordAttributes(pipeline, recordId),
      });
      const outcome = await child.result();
      const index = deadLetterIndex(recordId);
      if (
        outcome.status === 'synced' &&
        index >= 0 &&
        state.deadLetters[index].version <= deadLetter.version
      ) {
        state.deadLetters.splice(index, 1);
      }
    } finally {
      replaying.delete(recordId);
    }
  };

  for (;;) {
    await condition(
      () =>
        (state.replayQueue.length > 0 && replaying.size < state.settings.windowSize) ||
        (workflowInfo().continueAsNewSuggested && replaying.size === 0),
    );
    while (state.replayQueue.length > 0 && replaying.size < state.settings.windowSize) {
      // A replay child that fails outright (e.g. terminated by hand) leaves its dead letter as it was.
      replay(state.replayQueue.shift()!).catch(() => undefined);
    }
    if (workflowInfo().continueAsNewSuggested && replaying.size === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof legacyPipelineWorkflow>({ pipeline, settings: state.settings, state });
    }
  }
}
