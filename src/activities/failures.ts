import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { PermanentError, RetryableError } from '../connectors/errors';
import { PERMANENT_FAILURE, RETRYABLE_FAILURE } from '../domain/failures';

/** What a workflow learns about a failed call, beyond its message. */
export interface FailureDetails {
  attempt: number;
  status?: number;
  code?: string;
  field?: string;
}

/**
 * Turns a connector's classified error into the failure Temporal records: permanent ones are
 * non-retryable (the retry policy also lists their type), retryable ones are left to the policy.
 * Anything unclassified is treated as retryable, as Temporal does by default.
 */
export function asActivityFailure(error: unknown): unknown {
  if (!(error instanceof PermanentError) && !(error instanceof RetryableError)) return error;
  const details: FailureDetails = {
    attempt: Context.current().info.attempt,
    status: error.status,
    code: error.code,
    field: error.field,
  };
  return ApplicationFailure.create({
    type: error instanceof PermanentError ? PERMANENT_FAILURE : RETRYABLE_FAILURE,
    message: error.message,
    nonRetryable: error instanceof PermanentError,
    details: [details],
  });
}

/** Runs a connector call, converting its classified errors for Temporal. */
export async function classified<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asActivityFailure(error);
  }
}
