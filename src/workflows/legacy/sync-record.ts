import {
  ActivityFailure,
  ApplicationFailure,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { INVALID_RECORD, PERMANENT_FAILURE } from '../../domain/failures';
import type { DeadLetter, FailureKind, LegacyActivities, RecordOutcome, SyncSettings } from './types';
import { deadLetterSignal, pipelineWorkflowId } from './messages';
import { retryPolicy } from './retry';
import { statusAttribute, type RecordStatus } from './search-attributes';

export interface SyncRecordInput {
  pipeline: string;
  recordId: string;
  version: string;
  /** The record as read by the run; absent on a replay, which reads the current record again. */
  record?: unknown;
  settings: SyncSettings;
  /** How often this record was replayed before, carried into its next dead letter. */
  replays?: number;
}

interface Failure {
  kind: FailureKind;
  error: string;
  field?: string;
  attempts: number;
}

/** Details a destination activity attaches to a permanent failure (see activities/destination). */
interface PermanentDetails {
  attempt?: number;
  field?: string;
}

const UPSERT_AS_LOCAL_ACTIVITY = 'upsert-as-local-activity';

function setStatus(status: RecordStatus): void {
  upsertSearchAttributes([{ key: statusAttribute, value: status }]);
}

function describeLoadFailure(error: unknown, maximumAttempts: number): Failure {
  // A local activity's failure can arrive without the ActivityFailure wrapper a remote one has.
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    if (cause.type === INVALID_RECORD || cause.type === PERMANENT_FAILURE || cause.nonRetryable) {
      const details = (cause.details?.[0] ?? {}) as PermanentDetails;
      const kind = cause.type === INVALID_RECORD ? 'invalid' : 'rejected';
      return { kind, error: cause.message, field: details.field, attempts: details.attempt ?? 1 };
    }
    return { kind: 'retries-exhausted', error: cause.message, attempts: maximumAttempts };
  }
  if (cause instanceof TimeoutFailure) {
    return {
      kind: 'retries-exhausted',
      error: `destination timed out (${cause.timeoutType})`,
      attempts: maximumAttempts,
    };
  }
  throw error;
}

/**
 * One record: transform and upsert it into the destination under a declared retry policy
 * (validation failures and the destination's rejections are permanent, never retried). A record that cannot be synced
 * is handed to the pipeline's dead letters; the child itself still completes, so one bad record
 * never fails the run that started it.
 */
export async function legacySyncRecord(input: SyncRecordInput): Promise<RecordOutcome> {
  const { settings, recordId, version } = input;
  const startedAt = new Date(workflowInfo().startTime).toISOString();
  const source = proxyActivities<LegacyActivities>({
    taskQueue: settings.taskQueue,
    startToCloseTimeout: '1 minute',
    retry: retryPolicy(settings),
  });
  const destination = {
    startToCloseTimeout: settings.destinationTimeoutMs + 5_000,
    retry: retryPolicy(settings, INVALID_RECORD),
  };
  // A local activity runs inside the record's one workflow task: no activity task to match and
  // no second workflow task: a third less server CPU per record. Records started before
  // this change finish on the destination's task queue, as their histories say.
  const upsertCustomer = patched(UPSERT_AS_LOCAL_ACTIVITY)
    ? proxyLocalActivities<LegacyActivities>(destination).upsertCustomer
    : proxyActivities<LegacyActivities>({ ...destination, taskQueue: settings.destinationTaskQueue })
        .upsertCustomer;

  const record = input.record !== undefined ? input.record : await source.fetchAccount(recordId);
  const failure = await (async (): Promise<Failure | null> => {
    if (record === null) {
      return { kind: 'not-found', error: 'the record no longer exists in the source', attempts: 1 };
    }
    try {
      await upsertCustomer(record);
      return null;
    } catch (error) {
      return describeLoadFailure(error, settings.retry.maximumAttempts);
    }
  })();

  if (!failure) {
    setStatus('synced');
    return { status: 'synced', recordId, version };
  }
  const deadLetter: DeadLetter = {
    recordId,
    version,
    record,
    kind: failure.kind,
    error: failure.error,
    field: failure.field,
    attempts: failure.attempts,
    firstFailedAt: startedAt,
    lastFailedAt: new Date().toISOString(),
    replays: input.replays ?? 0,
  };
  // Signalled before completing, so the dead letter is recorded even if the parent is gone.
  await getExternalWorkflowHandle(pipelineWorkflowId(input.pipeline)).signal(deadLetterSignal, deadLetter);
  setStatus('dead-lettered');
  return { status: 'dead-lettered', recordId, version, kind: failure.kind, error: failure.error };
}
