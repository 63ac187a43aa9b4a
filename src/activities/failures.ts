import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { PermanentError, PipelineError, RetryableError } from '../connectors/errors';
import { INVALID_RECORD, PERMANENT_FAILURE, PIPELINE_FAILURE, RETRYABLE_FAILURE } from '../domain/failures';

/** Details a caller adds from what it knows about the call, such as the offending value. */
export type ExtraDetails = (error: unknown) => Pick<FailureDetails, 'value'>;

/** What a workflow learns about a failed call, beyond its message. */
export interface FailureDetails {
  attempt: number;
  status?: number;
  code?: string;
  field?: string;
  /** The offending value as a person should see it (added by the caller, see `classified`). */
  value?: string;
  /** The wait the vendor asked for, also given to Temporal as the next retry's delay. */
  retryAfterMs?: number;
}

/**
 * Turns a connector's classified error into the failure Temporal records:
 * - PipelineError: type PipelineFailure, non-retryable; the workflow must stop the pipeline, not
 *   move on to the next record (every record would fail the same way);
 * - PermanentError: non-retryable (the retry policy also lists its type);
 * - RetryableError: left to the retry policy, but a vendor's retry hint sets the next delay.
 * Anything unclassified is treated as retryable, as Temporal does by default. `attempt` defaults
 * to the current activity's, so outside an activity it must be given.
 */
export function asActivityFailure(error: unknown, attempt?: number, extra?: ExtraDetails): unknown {
  const known =
    error instanceof PipelineError || error instanceof PermanentError || error instanceof RetryableError;
  if (!known) return error;
  const retryAfterMs = error instanceof RetryableError ? error.retryAfterMs : undefined;
  const details: FailureDetails = {
    attempt: attempt ?? Context.current().info.attempt,
    status: error.status,
    code: error.code,
    field: error.field,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...extra?.(error),
  };
  const type =
    error instanceof PipelineError
      ? PIPELINE_FAILURE
      : error instanceof PermanentError
        ? PERMANENT_FAILURE
        : RETRYABLE_FAILURE;
  return ApplicationFailure.create({
    type,
    message: error.message,
    nonRetryable: !(error instanceof RetryableError),
    details: [details],
    // A zero wait (a Retry-After date already past) is no hint: the policy's backoff applies.
    ...(retryAfterMs ? { nextRetryDelay: retryAfterMs } : {}),
  });
}

/** Runs a connector call, converting its classified errors for Temporal (with `extra` details). */
export async function classified<T>(call: () => Promise<T>, extra?: ExtraDetails): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asActivityFailure(error, undefined, extra);
  }
}

/** What is wrong with one field of a record, and its value as a person should see it. */
export interface FieldIssue {
  field: string;
  message: string;
  value?: string;
}

/**
 * A record that cannot be loaded as it is: a record-level failure, held for a person, naming the
 * first field (problem records are filtered by it) and every issue in its message.
 */
export function recordRejected(issues: FieldIssue[]): ApplicationFailure {
  const [first] = issues;
  return ApplicationFailure.create({
    type: INVALID_RECORD,
    nonRetryable: true,
    message: issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
    details: [{ attempt: 1, field: first?.field, value: first?.value }],
  });
}
