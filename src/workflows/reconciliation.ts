import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  proxyActivities,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { PIPELINE_FAILURE } from '../domain/failures';
import { innermostMessage } from '../domain/failure-text';
import { DIFFERENCE_KINDS, type ReconciliationSummary, type SyncSettings } from '../domain/sync';
import type { EngineActivities } from '../activities';
import type { ReconciliationPhase } from '../activities/reconciliation';
import { recordWorkflowId } from './ids';
import { recordVersionAttributes } from './search-attributes';
import type { syncRecordVersion } from './sync-record-version';

export interface ReconciliationInput {
  pipeline: string;
  /** Overrides the configured RECONCILIATION_REPAIR for this run (the CLI's --report-only). */
  repair?: boolean;
  /** Carried across continue-as-new. */
  state?: ReconciliationState;
}

interface ReconciliationState {
  settings: SyncSettings;
  phase: ReconciliationPhase;
  cursor: string | null;
  page: number;
  summary: ReconciliationSummary;
}

const reading = proxyActivities<EngineActivities>({
  startToCloseTimeout: '5 minutes',
  // A page's read obeys the systems' limits and retries like a sync's, within a bound.
  retry: { maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: [PIPELINE_FAILURE] },
});

/**
 * One reconciliation of a pipeline (issue #12): every source record against the destination, then
 * every destination record for orphans, a page at a time. Each page's differences go to the
 * report from the activity; this history holds counts and the records to re-sync, which go
 * through the normal record path (limits, retries, conflicts) as record workflows of their own.
 * Its history stays bounded by continuing as new between pages.
 */
export async function reconcilePipeline(input: ReconciliationInput): Promise<ReconciliationSummary> {
  const { pipeline } = input;
  const runId = workflowInfo().workflowId;
  const state: ReconciliationState = input.state ?? (await begin(pipeline, runId, input.repair));
  const { settings, summary } = state;

  try {
    for (;;) {
      const page = await reading.reconcilePage({
        pipeline,
        runId,
        phase: state.phase,
        cursor: state.cursor,
        page: state.page,
        repair: summary.repair,
        settings,
      });
      summary.matching += page.matching;
      summary.held = (summary.held ?? 0) + page.held;
      for (const kind of DIFFERENCE_KINDS) summary.differences[kind] += page.differences[kind];
      summary.repaired.conflicts += page.raised.conflicts;
      summary.repaired.orphans += page.raised.orphans;
      summary.repaired.resynced += await resync(pipeline, runId, settings, page.resync);
      state.page += 1;
      state.cursor = page.cursor;
      if (state.cursor === null) {
        if (state.phase === 'orphans') break;
        state.phase = 'orphans';
        state.page = 0;
      }
      if (workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof reconcilePipeline>({ pipeline, state });
      }
    }
  } catch (error) {
    // A pipeline-level failure (a read refused, a record's load stopped): the report says how far it got.
    if (!(error instanceof ActivityFailure || error instanceof ChildWorkflowFailure)) throw error;
    summary.stoppedBy = innermostMessage(error);
  }
  summary.finishedAt = new Date(Date.now()).toISOString();
  const finished = await reading.finishReconciliation({ pipeline, summary });
  if (finished.stoppedBy) {
    throw ApplicationFailure.create({
      type: PIPELINE_FAILURE,
      message: finished.stoppedBy,
      nonRetryable: true,
    });
  }
  return finished;
}

async function begin(pipeline: string, runId: string, repair?: boolean): Promise<ReconciliationState> {
  const begun = await reading.beginReconciliation({ pipeline });
  const startedAt = new Date(Date.now()).toISOString();
  return {
    settings: begun.settings,
    phase: 'source',
    cursor: null,
    page: 0,
    summary: {
      runId,
      startedAt,
      finishedAt: startedAt,
      matching: 0,
      held: 0,
      differences: { VERSION_DRIFT: 0, DATA_MISMATCH: 0, MISSING: 0, ORPHANED: 0 },
      repair: repair ?? begun.repair,
      repaired: { resynced: 0, conflicts: 0, orphans: 0 },
    },
  };
}

/**
 * Re-syncs drifted and missing records through the record workflow, at most the window's number
 * at once. A record that cannot be synced becomes a problem record as in a sync; a pipeline-level
 * failure stops the reconciliation. Answers how many were synced or found already in place.
 */
async function resync(
  pipeline: string,
  runId: string,
  settings: SyncSettings,
  records: { recordId: string; version: string }[],
): Promise<number> {
  let inFlight = 0;
  let done = 0;
  let stopped: unknown;
  const running: Promise<void>[] = [];
  for (const { recordId, version } of records) {
    await condition(() => stopped !== undefined || inFlight < settings.windowSize);
    if (stopped !== undefined) break;
    inFlight += 1;
    running.push(
      (async () => {
        try {
          const child = await startChild<typeof syncRecordVersion>('syncRecordVersion', {
            workflowId: `${recordWorkflowId(pipeline, recordId, version)}-${runId}`,
            // No record: the record workflow reads the current one, as a replay does.
            // Records with an open problem record were left to their person (counted as held).
            args: [{ pipeline, recordId, version, settings, runId }],
            taskQueue: settings.taskQueue,
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            typedSearchAttributes: recordVersionAttributes(pipeline, recordId),
          });
          const outcome = await child.result();
          if (outcome.status === 'SYNCED' || outcome.status === 'SKIPPED') done += 1;
        } catch (error) {
          stopped ??= error;
        } finally {
          inFlight -= 1;
        }
      })(),
    );
  }
  await Promise.all(running);
  if (stopped !== undefined) throw stopped;
  return done;
}
