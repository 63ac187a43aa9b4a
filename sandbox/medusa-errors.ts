/**
 * Medusa v2's errors as its HTTP layer answers them (@medusajs/framework http/middlewares/
 * error-handler.ts): the status comes from the error's type, and the body is `{type, message}`,
 * plus `code` for some types. A type the handler does not know answers 500 with a fixed body, so
 * a connector never sees the cause of an unexpected failure (a malformed JSON body is one).
 */

export type MedusaErrorType =
  | 'invalid_data'
  | 'not_found'
  | 'not_allowed'
  | 'duplicate_error'
  | 'unauthorized'
  | 'conflict'
  | 'unknown_error';

export class MedusaError extends Error {
  constructor(
    readonly type: MedusaErrorType,
    message: string,
  ) {
    super(message);
  }
}

export interface MedusaReply {
  status: number;
  /** Absent: a body-less answer. */
  json?: unknown;
  headers?: Record<string, string>;
}

export const UNKNOWN_ERROR = {
  code: 'unknown_error',
  type: 'unknown_error',
  message: 'An unknown error occurred.',
} as const;

/** The error handler's switch: status and body for each type. */
export function errorReply(error: MedusaError): MedusaReply {
  switch (error.type) {
    case 'invalid_data':
    case 'not_allowed':
      return { status: 400, json: { type: error.type, message: error.message } };
    case 'not_found':
      return { status: 404, json: { type: error.type, message: error.message } };
    case 'unauthorized':
      return { status: 401, json: { type: error.type, message: error.message } };
    case 'duplicate_error':
      return {
        status: 422,
        json: { code: 'invalid_request_error', type: error.type, message: error.message },
      };
    case 'conflict':
      return {
        status: 409,
        json: {
          code: 'invalid_state_error',
          type: error.type,
          message:
            'The request conflicted with another request. You may retry the request with the provided Idempotency-Key.',
        },
      };
    default:
      return { status: 500, json: UNKNOWN_ERROR };
  }
}

export const invalidData = (message: string) => new MedusaError('invalid_data', message);
export const notFound = (message: string) => new MedusaError('not_found', message);

/**
 * A unique index violated, as Medusa's database error mapper words it: `Product with handle: x,
 * already exists.` It is `invalid_data` (400), not `duplicate_error`: the mapper says so.
 */
export function alreadyExists(table: string, pairs: [string, string][]): MedusaError {
  const what = table.charAt(0).toUpperCase() + table.slice(1);
  return invalidData(`${what} with ${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}, already exists.`);
}
