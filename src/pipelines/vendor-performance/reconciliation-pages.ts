import { ApplicationFailure } from '@temporalio/common';
import { PIPELINE_FAILURE } from '../../domain/failures';
import type { RecordDifference } from '../contract';
import { PAGE_BYTES } from './source';

/** What a page's counts and cursor may take beside its differences. */
const PAGE_OVERHEAD_BYTES = 4 * 1024;
const TOO_LARGE = '(too large to show: see the file and the table)';

/** A reconciliation that cannot go on until a person acts (a file gone, a mapping removed). */
export const stop = (message: string) =>
  ApplicationFailure.create({ type: PIPELINE_FAILURE, nonRetryable: true, message });

/** A cursor this reconciler made, or a stop: another's cursor cannot be continued. */
export function parseCursor<T>(cursor: string, valid: (parsed: unknown) => parsed is T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = undefined;
  }
  if (!valid(parsed)) throw stop(`not a vendor reconciliation cursor: ${cursor.slice(0, 200)}`);
  return parsed;
}

/**
 * A page is one activity result, so its differences stay under the sync's page cap (PAGE_BYTES).
 * The function returned adds a difference while it fits, and says false (adding nothing) once one
 * does not: the page ends there and the next begins with it.
 */
export function byteBudget() {
  let left = PAGE_BYTES - PAGE_OVERHEAD_BYTES;
  return (differences: RecordDifference[], difference: RecordDifference): boolean => {
    let bytes = Buffer.byteLength(JSON.stringify(difference)) + 1;
    if (bytes > left && differences.length === 0) {
      // Alone on its page and still too large: its figures are shown by name only.
      difference = {
        ...difference,
        fields: difference.fields?.map(({ field }) => ({
          field,
          source: TOO_LARGE,
          destination: TOO_LARGE,
          lastSynced: TOO_LARGE,
        })),
      };
      bytes = Buffer.byteLength(JSON.stringify(difference)) + 1;
    }
    if (bytes > left) return false;
    differences.push(difference);
    left -= bytes;
    return true;
  };
}
