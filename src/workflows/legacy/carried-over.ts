import type { RecordFailure } from '../../domain/sync';
import type { DeadLetter } from './types';

/**
 * A legacy dead letter as a problem record's failure. The record itself is not carried: a replay
 * reads the source again.
 */
export function carriedOver(letter: DeadLetter, workflowId: string): RecordFailure {
  return {
    recordId: letter.recordId,
    version: letter.version,
    kind: letter.kind,
    error: letter.error,
    field: letter.field,
    attempts: letter.attempts,
    failedAt: letter.lastFailedAt,
    workflowId,
  };
}
