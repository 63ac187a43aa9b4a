import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { PIPELINE_FAILURE } from '../domain/failures';
import {
  problemStatusOf,
  type FieldChoices,
  type ProblemResolution,
  type RecordFailure,
  type SyncSettings,
} from '../domain/sync';
import type { EngineActivities } from '../activities';
import { innermostMessage } from '../domain/failure-text';
import { recordWorkflowId } from './ids';
import {
  discardRequestProblem,
  isRecordFailure,
  isSyncedVersion,
  replayRequestProblem,
  resolveConflictProblem,
} from './message-checks';
import {
  confirmOrphanUpdate,
  discardUpdate,
  problemQuery,
  recordFailedSignal,
  recordSyncedSignal,
  replayUpdate,
  resolveConflictUpdate,
  type ProblemView,
  type ReplayAnswer,
  type ReplayRequest,
  type ResolveConflictRequest,
} from './messages';
import { problemAttributes, recordVersionAttributes } from './search-attributes';
import type { syncRecordVersion } from './sync-record-version';

/** A person's decision on a conflict as the field choices the write applies. */
function conflictChoices(request: ResolveConflictRequest, failure: RecordFailure): FieldChoices {
  const fields = (failure.diff ?? []).map((d) => d.field);
  if (request.use === 'merge') return { ...request.fields };
  const side = request.use === 'destination' ? 'destination' : 'source';
  return Object.fromEntries(fields.map((field) => [field, side]));
}

const describeChoices = (choices: FieldChoices): string =>
  Object.entries(choices)
    .map(([field, side]) => `${field}: ${side}`)
    .join(', ') || 'source';

export interface ProblemRecordInput {
  pipeline: string;
  recordId: string;
  settings: SyncSettings;
  /** Carried across continue-as-new. */
  state?: ProblemView;
}

/**
 * One record that waits for a person: its latest failure, how often it failed and was replayed,
 * and the actions a person takes on it (replay, replay with an edit, discard). It is started by the
 * record's first failure (signal-with-start) and completes when the record is resolved, so the
 * running problem-record workflows are exactly the open problems: `RecordSyncStatus` filters them
 * in the UI. Its state is one record's, whatever the number of problems.
 */
export async function problemRecord(input: ProblemRecordInput): Promise<ProblemView | null> {
  const { pipeline, recordId, settings } = input;
  let view: ProblemView | undefined = input.state;
  let replaying = false;
  let replayCount = input.state?.replays ?? 0;

  const { readRecord } = proxyActivities<EngineActivities>({
    taskQueue: settings.taskQueue,
    startToCloseTimeout: '1 minute',
    retry: { maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: [PIPELINE_FAILURE] },
  });
  const { checkEdit } = proxyLocalActivities<EngineActivities>({ startToCloseTimeout: '30 seconds' });
  const { retireOrphan } = proxyActivities<EngineActivities>({
    taskQueue: settings.taskQueue,
    startToCloseTimeout: '1 minute',
    retry: { maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: [PIPELINE_FAILURE] },
  });
  let retiring = false;

  const showStatus = (current: ProblemView) =>
    upsertSearchAttributes(
      problemAttributes(pipeline, recordId, { ...current.failure, status: current.status }),
    );

  const fail = (failure: RecordFailure) => {
    if (view?.resolution) return;
    const firstFailedAt = view?.firstFailedAt ?? failure.failedAt;
    view = {
      pipeline,
      recordId,
      status: problemStatusOf(failure.kind),
      failure,
      firstFailedAt,
      failures: (view?.failures ?? 0) + 1,
      replays: replayCount,
      lastReplay: view?.lastReplay,
    };
    showStatus(view);
  };

  const resolve = (
    status: ProblemResolution,
    details: { by?: string; reason?: string; decision?: string },
  ) => {
    if (!view || view.resolution) return;
    view.status = status;
    view.resolution = { status, at: new Date(Date.now()).toISOString(), ...details };
    showStatus(view);
  };

  setHandler(recordFailedSignal, (failure) => {
    if (!isRecordFailure(failure)) {
      log.warn('ignored a malformed internal.recordFailed signal');
      return;
    }
    // A failure of an older version than the one held says nothing new.
    if (view && failure.version < view.failure.version) return;
    fail(failure);
  });

  setHandler(recordSyncedSignal, (synced) => {
    if (!isSyncedVersion(synced)) {
      log.warn('ignored a malformed internal.recordSynced signal');
      return;
    }
    if (view && !replaying && synced.version >= view.failure.version) {
      resolve('SYNCED', { by: `a later sync of version ${synced.version}` });
    }
  });

  /** Reads and checks a person's edit before the replay is queued; a rejected edit fails the update. */
  const prepare = async (request: ReplayRequest) => {
    if (!request.edit) return { version: view!.failure.version, record: undefined };
    const current = await readRecord({ pipeline, recordId, version: view!.failure.version });
    if (current === null) throw new Error('the record no longer exists in the source');
    await checkEdit({ pipeline, record: current.record, edit: request.edit });
    return current;
  };

  const replay = async (
    request: ReplayRequest,
    { version, record }: { version: string; record: unknown },
    choices?: FieldChoices,
  ): Promise<ReplayAnswer> => {
    const held = view!;
    const previous = held.status;
    replayCount += 1;
    held.replays = replayCount;
    held.status = 'PROCESSING';
    showStatus(held);
    try {
      const child = await startChild<typeof syncRecordVersion>('syncRecordVersion', {
        workflowId: `${recordWorkflowId(pipeline, recordId, version)}-replay-${replayCount}`,
        args: [{ pipeline, recordId, version, record, edit: request.edit, settings, replay: true, choices }],
        taskQueue: settings.taskQueue,
        typedSearchAttributes: recordVersionAttributes(pipeline, recordId),
      });
      const outcome = await child.result();
      if (outcome.status === 'SYNCED' || outcome.status === 'SKIPPED') {
        const decision = choices ? describeChoices(choices) : undefined;
        resolve('SYNCED', { by: request.by ?? 'a replay', ...(decision ? { decision } : {}) });
        return outcome.status === 'SYNCED'
          ? { outcome: 'SYNCED', recordId, version: outcome.version }
          : { outcome: 'SKIPPED', recordId, reason: outcome.reason };
      }
      fail(outcome);
      return { outcome: outcome.status, recordId, error: outcome.error, field: outcome.field };
    } catch (error) {
      // Stopped by a pipeline-level failure or an outage: the problem stays as it was.
      held.status = previous;
      showStatus(held);
      return { outcome: 'stopped', recordId, error: innermostMessage(error) };
    }
  };

  /** Runs a replay as an update: answers once it has finished, or at once with `wait: false`. */
  const replayAnswering = async (request: ReplayRequest, choices?: FieldChoices): Promise<ReplayAnswer> => {
    replaying = true;
    let prepared: { version: string; record: unknown };
    try {
      prepared = await prepare(request);
    } catch (error) {
      replaying = false;
      throw ApplicationFailure.create({
        message: `edit rejected: ${innermostMessage(error)}`,
        nonRetryable: true,
      });
    }
    const at = new Date(Date.now()).toISOString();
    const running = replay(request, prepared, choices)
      .then((answer) => {
        view!.lastReplay = { at, by: request.by, edited: request.edit !== undefined, answer };
        return answer;
      })
      .finally(() => {
        replaying = false;
      });
    if (request.wait === false) return { outcome: 'queued', recordId };
    return running;
  };

  const checkReplayable = () => {
    if (!view || view.resolution) throw new Error('this record has no open problem');
    if (replaying || retiring) throw new Error('already replaying');
    // Its source record is gone: there is nothing to replay.
    if (view.status === 'ORPHANED') throw new Error('an orphan is confirmed (confirmOrphan) or discarded');
  };

  setHandler(replayUpdate, (request) => replayAnswering(request ?? {}), {
    validator: (request) => {
      const problem = replayRequestProblem(request);
      if (problem) throw new Error(problem);
      checkReplayable();
    },
  });

  setHandler(
    resolveConflictUpdate,
    (request) =>
      replayAnswering({ by: request.by, wait: request.wait }, conflictChoices(request, view!.failure)),
    {
      validator: (request) => {
        checkReplayable();
        if (view!.status !== 'VERSION_CONFLICT') throw new Error('this record is not in a version conflict');
        const problem = resolveConflictProblem(request, view!.failure.diff?.map((d) => d.field) ?? []);
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(
    discardUpdate,
    (request) => {
      resolve('DISCARDED', { by: request.by, reason: request.reason.trim() });
      return view!;
    },
    {
      validator: (request) => {
        const problem = discardRequestProblem(request);
        if (problem) throw new Error(problem);
        if (!view || view.resolution) throw new Error('this record has no open problem');
        if (replaying) throw new Error('a replay is running; discard once it has finished');
      },
    },
  );

  setHandler(
    confirmOrphanUpdate,
    async (request) => {
      retiring = true;
      try {
        await retireOrphan({ pipeline, recordId, runId: workflowInfo().workflowId });
      } catch (error) {
        throw ApplicationFailure.create({
          message: `not retired: ${innermostMessage(error)}`,
          nonRetryable: true,
        });
      } finally {
        retiring = false;
      }
      resolve('RETIRED', { by: request?.by, decision: 'retired in the destination' });
      return view!;
    },
    {
      validator: (request) => {
        const by = (request as { by?: unknown } | undefined)?.by;
        if (by !== undefined && (typeof by !== 'string' || by.length > 255))
          throw new Error('"by" must be a short text');
        if (!view || view.resolution) throw new Error('this record has no open problem');
        if (view.status !== 'ORPHANED') throw new Error('this record is not an orphan');
        if (retiring) throw new Error('already being retired');
      },
    },
  );

  setHandler(problemQuery, () => view ?? null);

  // Started by hand without a failure: nothing to hold.
  if (!(await condition(() => view !== undefined, '1 minute'))) return null;

  for (;;) {
    await condition(
      () =>
        !replaying && !retiring && (view!.resolution !== undefined || workflowInfo().continueAsNewSuggested),
    );
    await condition(allHandlersFinished);
    if (view!.resolution) return view!;
    if (workflowInfo().continueAsNewSuggested && !replaying) {
      await continueAsNew<typeof problemRecord>({ pipeline, recordId, settings, state: view });
    }
  }
}
