import { isAxiosError } from 'axios';
import { PERMANENT_FAILURE, RETRYABLE_FAILURE } from '../domain/failures';

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
abstract class ConnectorError extends Error {
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

/** Worth retrying: the same call may succeed later (outage, throttling, expired session). */
export class RetryableError extends ConnectorError {
  override readonly name: string = RETRYABLE_FAILURE;
}

/** Retrying cannot help: the request or the configuration has to change first. */
export class PermanentError extends ConnectorError {
  override readonly name: string = PERMANENT_FAILURE;
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

/** Classifies a completed HTTP exchange whose status is not the expected success. */
export function classifyHttpStatus(
  vendor: string,
  status: number,
  error: VendorError,
  secrets: string[],
): RetryableError | PermanentError {
  const where = error.field ? ` (field ${error.field})` : '';
  const what = [error.code, error.message].filter(Boolean).join(': ') || 'no error detail';
  const message = redactSecrets(`${vendor} HTTP ${status}${where}: ${what}`, secrets);
  const details = { status, code: error.code, field: error.field };
  // Salesforce reports exhausted API limits as 403; they reset, so waiting helps.
  const throttled = status === 429 || error.code === 'REQUEST_LIMIT_EXCEEDED';
  if (status >= 500 || throttled) return new RetryableError(message, details);
  return new PermanentError(message, details);
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
