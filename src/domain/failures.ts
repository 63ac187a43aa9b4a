/**
 * Error type names that Temporal retry policies match on (`nonRetryableErrorTypes`).
 * Connectors name their errors with these and workflows list them, so both sides
 * must read them from here rather than repeat the strings.
 */
export const PERMANENT_FAILURE = 'PermanentError';
export const RETRYABLE_FAILURE = 'RetryableError';
/**
 * Neither retrying nor moving on to the next record can help: the credentials, the integration's
 * permissions or the account id are wrong, and the pipeline must stop until a person fixes them.
 */
export const PIPELINE_FAILURE = 'PipelineFailure';
/** A source record that cannot be mapped to a destination record: never retried. */
export const INVALID_RECORD = 'InvalidRecord';
/** A record's transient failures outlasted its retry budget; the run decides: outage or bad record. */
export const RETRY_BUDGET_EXHAUSTED = 'RetryBudgetExhausted';
/** The workflow holding the pipeline's checkpoint is gone: runs refuse to start until recovered. */
export const PIPELINE_OWNER_MISSING = 'PipelineOwnerMissing';
