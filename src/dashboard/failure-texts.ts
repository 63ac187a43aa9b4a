import type { FieldDifference } from '../domain/sync';
import type { ProblemRecords, ProblemSummary } from '../problem-records';

/** A problem record's failure in words: visibility knows its kind and field, only the record its error. */
export interface FailureText {
  error: string;
  /** The failing field's value, as the record keeps it (shortened). */
  value?: string;
  /** A version conflict: each differing field's source, destination and last-synced value, to decide by. */
  diff?: FieldDifference[];
}

/** The dashboard asks each record once per failure; this many are remembered (a few pages' worth). */
const REMEMBERED = 5_000;
/** Queries in flight at once: enough to read a 500-record page in well under a second on a dev server. */
const IN_FLIGHT = 16;

/**
 * Reads the failure texts of listed problem records with the same `show` the command line uses,
 * remembering each until the record fails again (its failedAt changes), so that a page refreshed
 * every few seconds asks Temporal only about records it has not seen. A record that does not
 * answer is left out: its row and group say the text is unavailable.
 */
export function failureTexts(problems: ProblemRecords) {
  const known = new Map<string, FailureText>();
  const keyOf = (summary: ProblemSummary) => `${summary.workflowId}\n${summary.failedAt}`;

  async function read(pipeline: string, summary: ProblemSummary): Promise<void> {
    const view = await problems.show(pipeline, summary.recordId).catch(() => null);
    if (!view) return;
    const { error, value, diff } = view.failure;
    known.set(keyOf(summary), { error, value, diff });
    if (known.size > REMEMBERED) known.delete(known.keys().next().value!);
  }

  return async function textsOf(
    pipeline: string,
    summaries: readonly ProblemSummary[],
  ): Promise<Map<ProblemSummary, FailureText>> {
    const missing = [
      ...new Map(summaries.filter((s) => !known.has(keyOf(s))).map((s) => [keyOf(s), s])).values(),
    ];
    let next = 0;
    const reader = async () => {
      while (next < missing.length) await read(pipeline, missing[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, missing.length) }, reader));
    const texts = new Map<ProblemSummary, FailureText>();
    for (const summary of summaries) {
      const text = known.get(keyOf(summary));
      if (text) texts.set(summary, text);
    }
    return texts;
  };
}

export type FailureTexts = ReturnType<typeof failureTexts>;

/** Open problem records failing the same way. */
export interface ErrorGroup {
  kind: string;
  field: string;
  /** Null when no record of the group answered with its text. */
  error: string | null;
  count: number;
}

/** The most common failures among the first open problem records listed, most common first. */
export function topErrors(
  summaries: readonly ProblemSummary[],
  texts: ReadonlyMap<ProblemSummary, FailureText>,
  limit = 10,
): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const summary of summaries) {
    const error = texts.get(summary)?.error ?? null;
    const key = JSON.stringify([summary.kind, summary.field, error]);
    const group = groups.get(key) ?? { kind: summary.kind, field: summary.field, error, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, limit);
}
