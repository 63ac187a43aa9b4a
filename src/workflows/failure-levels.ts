import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { INVALID_RECORD, PERMANENT_FAILURE, PIPELINE_FAILURE } from '../domain/failures';
import type { FailureKind } from '../domain/sync';

/** Details an activity attaches to its failures (see activities/failures). */
interface FailureDetails {
  field?: string;
  value?: string;
  retryAfterMs?: number;
}

/**
 * Where a failed call's cause lies, which decides what happens next: the record (held for a
 * person), the pipeline (stop and pause until a person fixes the account or credentials), or a
 * passing condition (retry within the record's time budget).
 */
export type FailureLevel =
  | { level: 'record'; kind: FailureKind; error: string; field?: string; value?: string }
  | { level: 'pipeline'; error: string }
  | { level: 'transient'; error: string; retryAfterMs?: number };

export function failureLevel(error: unknown): FailureLevel {
  // A local activity's failure can arrive without the ActivityFailure wrapper a remote one has.
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as FailureDetails;
    if (cause.type === PIPELINE_FAILURE) return { level: 'pipeline', error: cause.message };
    if (cause.type === INVALID_RECORD || cause.type === PERMANENT_FAILURE || cause.nonRetryable) {
      return {
        level: 'record',
        kind: cause.type === INVALID_RECORD ? 'invalid' : 'rejected',
        error: cause.message,
        field: details.field,
        value: details.value,
      };
    }
    return { level: 'transient', error: cause.message, retryAfterMs: details.retryAfterMs };
  }
  if (cause instanceof TimeoutFailure) {
    return { level: 'transient', error: 'no answer before the timeout' };
  }
  // Cancellation and anything unforeseen: not ours to classify.
  throw error;
}
