import {
  ApplicationFailure,
  condition,
  deprecatePatch,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { PIPELINE_FAILURE, RETRY_BUDGET_EXHAUSTED } from '../domain/failures';
import {
  problemStatusOf,
  type FieldChoices,
  type RecordFailure,
  type RecordOutcome,
  type RecordStatus,
  type SyncSettings,
} from '../domain/sync';
import type { EngineActivities } from '../activities';
import { innermostMessage } from '../domain/failure-text';
import type { AwaitedEvent, LoadResult } from '../pipelines/contract';
import { failureLevel } from './failure-levels';
import { problemWorkflowId } from './ids';
import { isDestinationEvent } from './message-checks';
import { destinationEventSignal, recordSyncedSignal, recordStagedSignal } from './messages';
import { PIPELINES } from './patches';
import { outcomeAttribute } from './search-attributes';

export interface SyncRecordVersionInput {
  pipeline: string;
  recordId: string;
  version: string;
  /** The record as the run read it; absent on a replay, which reads the current record again. */
  record?: unknown;
  /** A person's field changes, applied before the record is loaded (edit-and-replay). */
  edit?: Record<string, unknown>;
  settings: SyncSettings;
  /** An open problem record exists for this record: a sync resolves it. */
  resolvesProblem?: boolean;
  /** Started by a problem record's replay, which handles the outcome itself. */
  replay?: boolean;
  /** What the destination held when the run read the page (null: nothing); absent on a replay. */
  destination?: unknown;
  /** The run that read it, for the destination's audit trail. */
  runId?: string;
  /** A person's decision on a version conflict, field by field. */
  choices?: FieldChoices;
}

/** Details of a RetryBudgetExhausted failure: the run decides whether the record or the destination is at fault. */
export interface BudgetExhausted {
  firstFailedAt: string;
  attempts: number;
  error: string;
}

/** What a newer version's workflow tells an older one still waiting: its event will not come. */
const SUPERSEDED = 'internal.superseded';

/** How long a record waits for the destination's event when the pipeline does not say. */
const DEFAULT_EVENT_DEADLINE_MS = 7 * 24 * 3_600_000;

/** A record status, or a pipeline's own stage (PIM_UPSERTED, PUBLISHED, LIVE). */
function setOutcome(outcome: RecordStatus | string): void {
  upsertSearchAttributes([{ key: outcomeAttribute, value: outcome }]);
}

function activities(settings: SyncSettings) {
  const source = proxyActivities<EngineActivities>({
    taskQueue: settings.taskQueue,
    startToCloseTimeout: '1 minute',
    retry: { maximumInterval: '1 minute', nonRetryableErrorTypes: [PIPELINE_FAILURE] },
  });
  // The load is a local activity: it runs inside the record's one workflow task (no activity task
  // to match, no second workflow task). Its retries are this workflow's own loop, so that the
  // record shows RETRY_PENDING while it waits and the wait is bounded by time, not attempts.
  const local = proxyLocalActivities<EngineActivities>({
    startToCloseTimeout: settings.destinationTimeoutMs + 5_000,
    retry: { maximumAttempts: 1 },
  });
  const report = proxyLocalActivities<EngineActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { maximumInterval: '30 seconds' },
  });
  return {
    readRecord: source.readRecord,
    loadRecord: local.loadRecord,
    reportProblem: report.reportProblem,
  };
}

/**
 * One record version: load it into the destination, retrying passing failures within the
 * record's time budget. A record that cannot be synced becomes a problem record for a person
 * (VALIDATION_FAILED or DEAD_LETTER) and this workflow still completes, so one bad record never
 * fails its run. A pipeline-level failure (credentials, permissions) or an exhausted budget fails
 * this workflow instead: the run decides whether to pause the pipeline, and the same version can
 * be started again once it resumes.
 */
export async function syncRecordVersion(input: SyncRecordVersionInput): Promise<RecordOutcome> {
  const { pipeline, recordId, settings } = input;
  const { readRecord, loadRecord, reportProblem } = activities(settings);
  // Events may come before the record waits for them (a PIM publishing at once): kept until then.
  const received = new Map<string, unknown>();
  setHandler(destinationEventSignal, (message) => {
    if (!isDestinationEvent(message)) return log.warn('ignored a malformed internal.destinationEvent signal');
    // A webhook delivered twice is one event.
    if (!received.has(message.event)) received.set(message.event, message.payload);
  });
  // Retired (issue #14): record workflows begun before pipelines loaded through the accounts-only
  // activity; none can still run (each ends within its retry budget). Deprecated rather than removed,
  // since workflows begun since carry its marker; removable once those have all closed.
  deprecatePatch(PIPELINES);
  const now = () => new Date(Date.now()).toISOString();

  let version = input.version;
  let record = input.record;
  if (record === undefined) {
    const current = await readRecord({ pipeline, recordId, version });
    if (current !== null) ({ record, version } = current);
  }

  const fail = async (failure: Omit<RecordFailure, 'recordId' | 'version' | 'failedAt' | 'workflowId'>) => {
    const reported: RecordFailure = {
      ...failure,
      recordId,
      version,
      failedAt: now(),
      workflowId: workflowInfo().workflowId,
    };
    const status = problemStatusOf(failure.kind);
    setOutcome(status);
    if (!input.replay) await reportProblem({ pipeline, settings, failure: reported });
    return { status, ...reported };
  };

  if (record === undefined || record === null) {
    return fail({ kind: 'not-found', error: 'the record no longer exists in the source', attempts: 1 });
  }

  const loaded = await withinBudget(settings, (attempt) => {
    // A retry reads NetSuite's copy again: it may hold a newer version by now.
    const destination = attempt === 1 ? input.destination : undefined;
    return loadRecord({
      pipeline,
      recordId,
      version,
      record,
      ...(input.edit ? { edit: input.edit } : {}),
      destination,
      choices: input.choices,
      runId: input.runId ?? workflowInfo().workflowId,
      workflowId: workflowInfo().workflowId,
    });
  });
  if ('failure' in loaded) return fail(loaded.failure);
  let result = loaded.result;
  // A staged record's outcome is its last stage's (LIVE), set by nextStage.
  const staged = result.status === 'SYNCED' && result.awaits !== undefined;
  if (result.status === 'SYNCED' && result.awaits) {
    const next = await nextStage(input, { version, record }, result.awaits, received);
    if ('failure' in next) return fail(next.failure);
    result = next.result;
  }

  if (result.status === 'VERSION_CONFLICT') {
    const fields = result.diff.map((d) => d.field).join(', ');
    return fail({
      kind: 'conflict',
      error: `changed in NetSuite since record-sync last wrote it (${fields}): a person decides`,
      field: result.diff[0]?.field,
      attempts: 1,
      diff: result.diff,
    });
  }
  if (!staged) setOutcome(result.status);
  // NetSuite holding this content (written, or found there) resolves an open problem record.
  if (input.resolvesProblem) {
    try {
      await getExternalWorkflowHandle(problemWorkflowId(pipeline, recordId)).signal(recordSyncedSignal, {
        version,
      });
    } catch (error) {
      // Resolved or discarded by a person meanwhile: nothing left to resolve.
      log.info('problem record already closed', { recordId, error: String(error) });
    }
  }
  return result.status === 'SYNCED'
    ? { status: 'SYNCED', recordId, version, checksum: result.checksum, internalId: result.internalId }
    : { status: 'SKIPPED', recordId, version, reason: result.reason };
}

type RecordLevelFailure = Omit<RecordFailure, 'recordId' | 'version' | 'failedAt' | 'workflowId'>;

/**
 * Calls `attempt` until it answers, retrying passing failures within the record's time budget
 * (RETRY_PENDING while it waits). A record-level failure is answered; a pipeline-level failure or
 * a spent budget fails the workflow, for the run to decide.
 */
async function withinBudget(
  settings: SyncSettings,
  attempt: (attempt: number) => Promise<LoadResult>,
): Promise<{ result: LoadResult } | { failure: RecordLevelFailure }> {
  let firstFailedAt: number | null = null;
  for (let n = 1; ; n += 1) {
    try {
      return { result: await attempt(n) };
    } catch (error) {
      const failure = failureLevel(error);
      if (failure.level === 'record') {
        const { kind, error: message, field, value } = failure;
        return { failure: { kind, error: message, field, value, attempts: n } };
      }
      if (failure.level === 'pipeline') {
        setOutcome('PENDING');
        throw ApplicationFailure.create({
          type: PIPELINE_FAILURE,
          message: failure.error,
          nonRetryable: true,
        });
      }
      firstFailedAt ??= Date.now();
      const { initialIntervalMs, backoffCoefficient, maximumIntervalMs, budgetMs } = settings.retry;
      const delay =
        failure.retryAfterMs ??
        Math.min(initialIntervalMs * backoffCoefficient ** (n - 1), maximumIntervalMs);
      if (Date.now() + delay > firstFailedAt + budgetMs) {
        setOutcome('PENDING');
        const details: BudgetExhausted = {
          firstFailedAt: new Date(firstFailedAt).toISOString(),
          attempts: n,
          error: failure.error,
        };
        throw ApplicationFailure.create({
          type: RETRY_BUDGET_EXHAUSTED,
          message: `still failing after ${n} attempts: ${failure.error}`,
          nonRetryable: true,
          details: [details],
        });
      }
      if (n === 1) setOutcome('RETRY_PENDING');
      await sleep(delay);
    }
  }
}

/**
 * A record whose load is followed by the destination's own event (issue #13: the PIM publishes
 * the product, then it goes to the storefront). The run is told the record reached its waiting
 * stage and goes on; this workflow waits for the event durably, up to the deadline, then runs the
 * next stage. A destination that is down or refuses the credentials in that stage is waited out
 * (up to the same deadline), never dead-lettered record by record.
 */
async function nextStage(
  input: SyncRecordVersionInput,
  current: { version: string; record: unknown },
  awaits: AwaitedEvent,
  received: Map<string, unknown>,
): Promise<{ result: LoadResult } | { failure: RecordLevelFailure }> {
  const { pipeline, recordId, settings } = input;
  const { continueRecord } = proxyLocalActivities<EngineActivities>({
    startToCloseTimeout: settings.destinationTimeoutMs + 5_000,
    retry: { maximumAttempts: 1 },
  });
  const deadlineMs = settings.awaiting?.deadlineMs ?? DEFAULT_EVENT_DEADLINE_MS;
  const deadline = Date.now() + deadlineMs;
  setOutcome(awaits.waiting);
  const parent = workflowInfo().parent;
  if (parent && !input.replay) {
    try {
      await getExternalWorkflowHandle(parent.workflowId).signal(recordStagedSignal, {
        workflowId: workflowInfo().workflowId,
        stage: awaits.waiting,
      });
    } catch (error) {
      log.info('the run that started this record has ended', { error: String(error) });
    }
  }
  if (awaits.supersedes) {
    try {
      await getExternalWorkflowHandle(awaits.supersedes).signal(destinationEventSignal, {
        event: SUPERSEDED,
        payload: { by: workflowInfo().workflowId },
      });
    } catch (error) {
      log.info('the older version no longer waits', { error: String(error) });
    }
  }
  let payload = awaits.happened;
  if (payload === undefined) {
    const came = () => received.has(awaits.event) || received.has(SUPERSEDED);
    if (!(await condition(came, deadlineMs))) {
      return {
        failure: {
          kind: 'event-timeout',
          error: `not ${awaits.event} within ${Math.round(deadlineMs / 60_000)} min of reaching ${awaits.waiting}: check it in the destination, then replay`,
          attempts: 1,
        },
      };
    }
    if (!received.has(awaits.event)) {
      setOutcome('SKIPPED');
      return { result: { status: 'SKIPPED', reason: 'a newer version took its place at the destination' } };
    }
    payload = received.get(awaits.event);
  }
  setOutcome(awaits.continuing);
  for (;;) {
    try {
      const next = await withinBudget(settings, () =>
        continueRecord({
          pipeline,
          recordId,
          version: current.version,
          record: current.record,
          ...(input.edit ? { edit: input.edit } : {}),
          stage: awaits.waiting,
          event: awaits.event,
          payload,
          runId: input.runId ?? workflowInfo().workflowId,
        }),
      );
      if ('result' in next && next.result.status === 'SYNCED') setOutcome(awaits.done);
      return next;
    } catch (error) {
      const type = error instanceof ApplicationFailure ? error.type : undefined;
      if (type !== PIPELINE_FAILURE && type !== RETRY_BUDGET_EXHAUSTED) throw error;
      const wait = settings.retry.maximumIntervalMs;
      if (Date.now() + wait > deadline) {
        return {
          failure: {
            kind: 'retries-exhausted',
            error: `${awaits.continuing}, but its next stage kept failing until the deadline: ${innermostMessage(error)}`,
            attempts: 1,
          },
        };
      }
      log.warn('next stage failing; waiting it out', { recordId, error: innermostMessage(error) });
      setOutcome('RETRY_PENDING');
      await sleep(wait);
      setOutcome(awaits.continuing);
    }
  }
}
