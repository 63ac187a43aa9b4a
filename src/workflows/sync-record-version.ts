import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
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
import type { LoadResult } from '../pipelines/contract';
import { failureLevel } from './failure-levels';
import { problemWorkflowId } from './ids';
import { recordSyncedSignal } from './messages';
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

function setOutcome(outcome: RecordStatus): void {
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
    loadCustomer: local.loadCustomer,
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
  const { readRecord, loadRecord, loadCustomer, reportProblem } = activities(settings);
  // Record workflows begun before pipelines load through the accounts-only activity.
  const pipelines = patched(PIPELINES);
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
  // Before pipelines, an edit was merged here; now the pipeline applies it (a file row's fields
  // are not the record's own).
  const merged = input.edit ? { ...(record as Record<string, unknown>), ...input.edit } : record;

  let firstFailedAt: number | null = null;
  let result: LoadResult;
  for (let attempt = 1; ; attempt += 1) {
    try {
      // A retry reads NetSuite's copy again: it may hold a newer version by now.
      const destination = attempt === 1 ? input.destination : undefined;
      result = pipelines
        ? await loadRecord({
            pipeline,
            recordId,
            version,
            record,
            ...(input.edit ? { edit: input.edit } : {}),
            destination,
            choices: input.choices,
            runId: input.runId ?? workflowInfo().workflowId,
          })
        : await loadCustomer({ account: merged, destination, choices: input.choices });
      break;
    } catch (error) {
      const failure = failureLevel(error);
      if (failure.level === 'record') {
        const { kind, error: message, field, value } = failure;
        return fail({ kind, error: message, field, value, attempts: attempt });
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
        Math.min(initialIntervalMs * backoffCoefficient ** (attempt - 1), maximumIntervalMs);
      if (Date.now() + delay > firstFailedAt + budgetMs) {
        setOutcome('PENDING');
        const details: BudgetExhausted = {
          firstFailedAt: new Date(firstFailedAt).toISOString(),
          attempts: attempt,
          error: failure.error,
        };
        throw ApplicationFailure.create({
          type: RETRY_BUDGET_EXHAUSTED,
          message: `still failing after ${attempt} attempts: ${failure.error}`,
          nonRetryable: true,
          details: [details],
        });
      }
      if (attempt === 1) setOutcome('RETRY_PENDING');
      await sleep(delay);
    }
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
  setOutcome(result.status);
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
