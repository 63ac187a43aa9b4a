import { noRecords, type RunCounts, type RunSummary } from '../domain/sync';

/** A run as the dashboard lists it: its summary and how long it took. */
export interface RunView extends RunSummary {
  /** Null while it runs. */
  durationMs: number | null;
}

/** What a person reads first about a pipeline, over its latest finished runs. */
export interface PipelineFigures {
  /** How many finished runs the figures sum up. */
  runs: number;
  /** Each status's records, summed over those runs: the status mix. */
  totals: RunCounts;
  /**
   * The share of the records the runs had work for that need nothing more: synced, or skipped
   * because the destination already held them. Skipped counts as success: with write-back on,
   * every run re-reads the accounts it wrote to and skips them, which is no failure. Records
   * already processed by an earlier run are left out of both sides. Null: nothing to judge by.
   */
  successRate: number | null;
  /** Records read per minute of run time, over runs that read any (idle runs say nothing of speed). */
  recordsPerMinute: number | null;
}

export function durationOf(run: RunSummary): number | null {
  if (!run.finishedAt) return null;
  return Math.max(0, Date.parse(run.finishedAt) - Date.parse(run.startedAt));
}

export const runView = (run: RunSummary): RunView => ({ ...run, durationMs: durationOf(run) });

export function pipelineFigures(recentRuns: readonly RunSummary[]): PipelineFigures {
  const finished = recentRuns.filter((run) => run.finishedAt !== null);
  const totals = noRecords();
  let busyMs = 0;
  let busyRead = 0;
  for (const run of finished) {
    for (const key of Object.keys(totals) as (keyof RunCounts)[]) totals[key] += run.counts[key] ?? 0;
    if (run.counts.read > 0) {
      busyMs += durationOf(run) ?? 0;
      busyRead += run.counts.read;
    }
  }
  const judged = totals.read - totals.alreadyProcessed;
  return {
    runs: finished.length,
    totals,
    successRate: judged > 0 ? (totals.synced + totals.skipped) / judged : null,
    recordsPerMinute: busyMs > 0 ? busyRead / (busyMs / 60_000) : null,
  };
}
