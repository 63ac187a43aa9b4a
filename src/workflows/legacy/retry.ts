import type { RetryPolicy } from '@temporalio/workflow';
import { PERMANENT_FAILURE } from '../../domain/failures';
import type { SyncSettings } from './types';

/** The configured retry policy; permanent failures (and any other types given) are never retried. */
export function retryPolicy(settings: SyncSettings, ...alsoNonRetryable: string[]): RetryPolicy {
  return {
    initialInterval: settings.retry.initialIntervalMs,
    backoffCoefficient: settings.retry.backoffCoefficient,
    maximumAttempts: settings.retry.maximumAttempts,
    nonRetryableErrorTypes: [PERMANENT_FAILURE, ...alsoNonRetryable],
  };
}
