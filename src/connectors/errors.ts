import { isAxiosError } from 'axios';
import { PERMANENT_FAILURE, PIPELINE_FAILURE, RETRYABLE_FAILURE } from '../domain/failures';

/** What a vendor said about a failed call, copied out of the response (never the response itself). */
export interface FailureDetails {
  status?: number;
  /** Vendor error code, e.g. INVALID_SESSION_ID or USER_ERROR. */
  code?: string;
  /** Offending field: NetSuite o:errorPath or Salesforce fields[0]. */
  field?: string;
}

/**
 * Errors are plain messages plus status/code/field. They never carry an AxiosError as cause
 * because its config holds Authorization headers and request bodies, and Temporal stores
 * failures (with causes) in workflow history.
 */
export abstract class ConnectorError extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly field?: string;

  constructor(message: string, details: FailureDetails = {}) {
    super(message);
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.field !== undefined) this.field = details.field;
  }
}

/** Worth retrying: the same call may succeed later (outage, throttling, a dropped connection). */
export class RetryableError extends ConnectorError {
  override readonly name: string = RETRYABLE_FAILURE;
  /** How long the vendor asked us to wait (Retry-After, or what its limit implies); unset: the retry policy decides. */
  readonly retryAfterMs?: number;

  constructor(message: string, details: FailureDetails & { retryAfterMs?: number } = {}) {
    super(message, details);
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** Retrying this record cannot help: the record (or this one request) has to change first. */
export class PermanentError extends ConnectorError {
  override readonly name: string = PERMANENT_FAILURE;
}

/**
 * Neither retrying nor moving on to the next record can help: authentication failed, the
 * integration lacks a permission, or the account is the wrong one. Every other record would fail
 * the same way, so the pipeline must stop until a person fixes the configuration or the account.
 */
export class PipelineError extends ConnectorError {
  override readonly name: string = PIPELINE_FAILURE;
}

/** A Retry-After longer than this is more likely a mistake than a plan; the retry waits this long at most. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, 0 once past), at most MAX_RETRY_AFTER_MS; undefined when
 * absent or unparsable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // An HTTP-date starts with the day name; Date.parse alone would also take '1.5' or '-3'.
    if (!/^[A-Za-z]{3}/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - nowMs);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** The statuses whose Retry-After we honour: throttling and unavailability. */
export function retryAfterApplies(status: number): boolean {
  return status === 429 || status === 503;
}

const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret, raw or URL-encoded (form bodies and query
 * strings echo them encoded). Multi-line secrets such as PEM keys are also redacted line
 * by line, in case a fragment is echoed.
 */
export function redactSecrets(text: string, secrets: string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 16) forms.add(line.trim());
  }
  // Longest first, so a secret containing another is removed whole.
  return [...forms]
    .sort((a, b) => b.length - a.length)
    .reduce((out, form) => out.split(form).join(REDACTED), text);
}

/** The vendor's account of an HTTP error, extracted from its error body. */
export interface VendorError {
  code?: string;
  message?: string;
  field?: string;
}

/**
 * Classifies a completed HTTP exchange whose status is not the expected success:
 * - 401 (authentication) and 403 (permission), except Salesforce's REQUEST_LIMIT_EXCEEDED:
 *   PipelineError, since every other record would be refused the same way;
 * - 429, 5xx and REQUEST_LIMIT_EXCEEDED: RetryableError, with `retryAfterMs` when given;
 * - anything else (400 with a field, 404 of one record, ...): PermanentError for this request.
 */
export function classifyHttpStatus(
  vendor: string,
  status: number,
  error: VendorError,
  secrets: string[],
  retryAfterMs?: number,
): RetryableError | PermanentError | PipelineError {
  const where = error.field ? ` (field ${error.field})` : '';
  const what = [error.code, error.message].filter(Boolean).join(': ') || 'no error detail';
  const text = `${vendor} HTTP ${status}${where}: ${what}`;
  const details = { status, code: error.code, field: error.field };
  // Salesforce reports exhausted API limits as 403; they reset, so waiting helps.
  const throttled = status === 429 || error.code === 'REQUEST_LIMIT_EXCEEDED';
  if (status >= 500 || throttled) {
    return new RetryableError(redactSecrets(text, secrets), { ...details, retryAfterMs });
  }
  if (status === 401) {
    const hint = `; authentication failed: check the ${vendor} credentials and account`;
    return new PipelineError(redactSecrets(text + hint, secrets), details);
  }
  if (status === 403) {
    const hint = `; permission denied: check the ${vendor} integration user's role and permissions`;
    return new PipelineError(redactSecrets(text + hint, secrets), details);
  }
  return new PermanentError(redactSecrets(text, secrets), details);
}

/**
 * A success status with a body that is not the documented shape (an HTML login page from a
 * proxy, a truncated or empty body). Never treated as success; retried because such
 * responses come from transient infrastructure trouble.
 */
export function unexpectedResponse(vendor: string, status: number, problem: string): RetryableError {
  return new RetryableError(`${vendor} returned an unexpected response (HTTP ${status}): ${problem}`, {
    status,
  });
}

// Axios codes that mean the request itself was malformed: retrying the same call cannot help.
const PERMANENT_TRANSPORT_CODES = new Set(['ERR_INVALID_URL', 'ERR_BAD_OPTION', 'ERR_BAD_OPTION_VALUE']);

/** Classifies a failure where no HTTP response arrived: connection errors and timeouts. */
export function classifyTransportError(
  vendor: string,
  error: unknown,
  secrets: string[],
): RetryableError | PermanentError {
  if (!isAxiosError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new RetryableError(redactSecrets(`${vendor} request failed: ${message}`, secrets));
  }
  const code = error.code;
  // An aborted signal is how this project enforces the overall deadline.
  const reason = code === 'ERR_CANCELED' ? 'no response before the timeout' : error.message;
  const message = redactSecrets(`${vendor} request failed${code ? ` (${code})` : ''}: ${reason}`, secrets);
  if (code !== undefined && PERMANENT_TRANSPORT_CODES.has(code)) return new PermanentError(message, { code });
  return new RetryableError(message, { code });
}
