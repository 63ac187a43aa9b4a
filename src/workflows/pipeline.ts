import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineSignal,
  log,
  metricMeter,
  patched,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Checkpoint } from '../domain/checkpoint';
import { asPosition, instantOf, laterPosition, positionAt, type Position } from '../domain/position';
import {
  noRecords,
  type DeliveryReport,
  type PipelinePause,
  type PipelineStatus,
  type ReconciliationSummary,
  type RunSummary,
  type SyncSettings,
} from '../domain/sync';
import type { EngineActivities } from '../activities';
import { checkpointLag } from '../monitoring/metrics';
import { legacyPipelineWorkflow } from './legacy/pipeline';
import { carriedOver } from './legacy/carried-over';
import type { DeadLetter } from './legacy/types';
import {
  isBeginRunRequest,
  isDeliveryReport,
  isPageReport,
  isPipelinePause,
  isReconciliationSummary,
  isRecordFailure,
  isRunSummary,
  resumeRequestProblem,
} from './message-checks';
import {
  beginRunUpdate,
  deliveryCompletedSignal,
  pageCompletedSignal,
  pipelinePausedSignal,
  reconciliationFinishedSignal,
  resetCheckpointUpdate,
  resumeUpdate,
  runFinishedSignal,
  statusQuery,
} from './messages';
import { PROBLEM_RECORDS } from './patches';

export interface PipelineState {
  checkpoint: Position | null;
  checkpointGeneration: number;
  settings: SyncSettings;
  currentRun: RunSummary | null;
  lastRun: RunSummary | null;
  paused: PipelinePause | null;
  /** The latest deliveries, newest first; never more than RECENT_DELIVERIES. */
  deliveries?: DeliveryReport[];
  /** The latest finished runs, newest first; never more than RECENT_RUNS. */
  recentRuns?: RunSummary[];
  /** The latest reconciliations, newest first; never more than RECENT_RECONCILIATIONS. */
  reconciliations?: ReconciliationSummary[];
}

// Bounded: the owner's state is the same size whatever the number of records or runs.
const RECENT_DELIVERIES = 20;
const RECENT_RUNS = 48;
const RECENT_RECONCILIATIONS = 10;

export interface PipelineInput {
  pipeline: string;
  settings: SyncSettings;
  /** An owner begun before positions were strings carries a checkpoint object. */
  state?: Omit<PipelineState, 'checkpoint'> & { checkpoint: Position | Checkpoint | null };
}

/** Record workflows started before problem records still send their dead letters here. */
/** Where a carried-over failure came from, for the person reading it. */
const LEGACY_RECORD = 'a record workflow started before problem records';

const legacyDeadLetterSignal = defineSignal<[DeadLetter]>('deadLetter');

/** A run begun before positions were strings reports its checkpoint as an object. */
const withPosition = (summary: RunSummary): RunSummary => ({
  ...summary,
  checkpoint: asPosition(summary.checkpoint),
});

/**
 * The long-lived owner of a pipeline's checkpoint, its runs' results and its pause. Its state is
 * the same size whatever the number of records: problem records are workflows of their own. Runs
 * talk to it by `internal.*` messages; a person asks for its status, resets its checkpoint or
 * resumes it after a pipeline-level failure.
 */
export async function pipelineWorkflow(input: PipelineInput): Promise<void> {
  if (!patched(PROBLEM_RECORDS))
    return legacyPipelineWorkflow(input as unknown as Parameters<typeof legacyPipelineWorkflow>[0]);
  const { pipeline } = input;
  const state: PipelineState = {
    checkpoint: asPosition(input.state?.checkpoint),
    checkpointGeneration: input.state?.checkpointGeneration ?? 0,
    settings: input.settings,
    currentRun: input.state?.currentRun ?? null,
    lastRun: input.state?.lastRun ?? null,
    paused: input.state?.paused ?? null,
    deliveries: input.state?.deliveries ?? [],
    recentRuns: input.state?.recentRuns ?? [],
    reconciliations: input.state?.reconciliations ?? [],
  };
  const { reportProblem } = proxyLocalActivities<EngineActivities>({ startToCloseTimeout: '30 seconds' });
  // Dead letters carried over from the legacy owner's state become problem records, one by one.
  const legacyState = input.state as { deadLetters?: DeadLetter[] } | undefined;
  const carried = (legacyState?.deadLetters ?? [])
    .map((letter) => carriedOver(letter, LEGACY_RECORD))
    .filter(isRecordFailure);

  setHandler(
    beginRunUpdate,
    ({ runId, startedAt, settings }) => {
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
    },
    {
      validator: (request) => {
        if (!isBeginRunRequest(request))
          throw ApplicationFailure.nonRetryable('internal.beginRun: malformed request');
      },
    },
  );

  setHandler(pageCompletedSignal, (report) => {
    if (!isPageReport(report)) return log.warn('ignored a malformed internal.pageCompleted signal');
    if (report.checkpointGeneration === state.checkpointGeneration) {
      const before = state.checkpoint;
      state.checkpoint = laterPosition(state.checkpoint, asPosition(report.checkpoint));
      // Skipped on replay and no command (see @temporalio/workflow's metrics.js): no patch needed.
      if (state.checkpoint !== null && state.checkpoint !== before) {
        const lagMs = Date.now() - Date.parse(instantOf(state.checkpoint));
        if (Number.isFinite(lagMs)) checkpointLag(metricMeter, pipeline, lagMs / 1000);
      }
    }
    if (state.currentRun?.runId === report.runId) state.currentRun = withPosition(report.summary);
  });

  setHandler(runFinishedSignal, (summary) => {
    if (!isRunSummary(summary)) return log.warn('ignored a malformed internal.runFinished signal');
    state.lastRun = withPosition(summary);
    state.recentRuns = [state.lastRun, ...(state.recentRuns ?? [])].slice(0, RECENT_RUNS);
    if (state.currentRun?.runId === summary.runId) state.currentRun = null;
    // A run that got through clears an earlier pause (e.g. triggered by hand after the fix).
    if (!summary.stoppedBy) state.paused = null;
  });

  setHandler(deliveryCompletedSignal, (report) => {
    if (!isDeliveryReport(report)) return log.warn('ignored a malformed internal.deliveryCompleted signal');
    state.deliveries = [report, ...(state.deliveries ?? [])].slice(0, RECENT_DELIVERIES);
  });

  setHandler(reconciliationFinishedSignal, (summary) => {
    if (!isReconciliationSummary(summary))
      return log.warn('ignored a malformed internal.reconciliationFinished signal');
    state.reconciliations = [summary, ...(state.reconciliations ?? [])].slice(0, RECENT_RECONCILIATIONS);
  });

  setHandler(pipelinePausedSignal, (pause) => {
    if (!isPipelinePause(pause)) return log.warn('ignored a malformed internal.pipelinePaused signal');
    state.paused = pause;
  });

  setHandler(legacyDeadLetterSignal, (deadLetter) => {
    const failure = deadLetter && carriedOver(deadLetter, LEGACY_RECORD);
    if (!isRecordFailure(failure)) return log.warn('ignored a malformed deadLetter signal');
    carried.push(failure);
  });

  setHandler(
    resetCheckpointUpdate,
    ({ to }) => {
      state.checkpoint = positionAt(to);
      state.checkpointGeneration += 1;
      return state.checkpoint;
    },
    {
      validator: (request) => {
        const to = (request as { to?: unknown } | undefined)?.to;
        if (typeof to !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(to) || Number.isNaN(Date.parse(to))) {
          throw ApplicationFailure.nonRetryable(
            `"to" must be an ISO-8601 time such as 2024-01-01T00:00:00Z (got ${JSON.stringify(to) ?? 'nothing'})`,
          );
        }
      },
    },
  );

  setHandler(
    resumeUpdate,
    () => {
      state.paused = null;
      return status();
    },
    {
      validator: (request) => {
        const problem = resumeRequestProblem(request);
        if (problem) throw ApplicationFailure.nonRetryable(problem);
      },
    },
  );

  const status = (): PipelineStatus => ({
    pipeline,
    checkpoint: state.checkpoint,
    checkpointGeneration: state.checkpointGeneration,
    currentRun: state.currentRun,
    lastRun: state.lastRun,
    paused: state.paused,
    deliveries: state.deliveries,
    recentRuns: state.recentRuns,
    reconciliations: state.reconciliations,
  });
  setHandler(statusQuery, status);

  for (;;) {
    await condition(() => carried.length > 0 || workflowInfo().continueAsNewSuggested);
    while (carried.length > 0) {
      await reportProblem({ pipeline, settings: state.settings, failure: carried.shift()! });
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof pipelineWorkflow>({ pipeline, settings: state.settings, state });
    }
  }
}
