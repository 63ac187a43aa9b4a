import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import type pino from 'pino';
import { ALERT_RULES } from '../domain/alerts';
import { DIFFERENCE_KINDS } from '../domain/sync';
import { problemRecords } from '../problem-records';
import { METRICS, problemRecordsOpen, RECORD_OUTCOMES, type MetricDefinition } from './metrics';

/** How often each worker counts the open problem records (a few visibility queries per pipeline). */
export const PROBLEM_RECORDS_INTERVAL_MS = 30_000;

export interface WorkerMetricsDependencies {
  client: Client;
  /** The Runtime's meter: these metrics belong to the worker process, not to a workflow or activity. */
  meter: MetricMeter;
  pipelines: string[];
  logger: pino.Logger;
  intervalMs?: number;
}

/**
 * The metrics a worker process keeps itself: the open problem records of each pipeline it runs,
 * counted now and every `intervalMs` (no workflow knows them all: each is a workflow of its own),
 * and record-sync's counters exported at zero from the start, so that dashboards and rules see
 * them before their first event (a restarted worker too) and `increase()` counts that first one.
 * Returns how to stop it.
 */
export function startWorkerMetrics({
  client,
  meter,
  pipelines,
  logger,
  intervalMs = PROBLEM_RECORDS_INTERVAL_MS,
}: WorkerMetricsDependencies): { stop(): Promise<void> } {
  const counter = (metric: MetricDefinition) =>
    meter.createCounter(metric.name, metric.unit, metric.description);
  const records = counter(METRICS.records);
  const differences = counter(METRICS.reconciliationDifferences);
  for (const pipeline of pipelines) {
    for (const status of RECORD_OUTCOMES) records.add(0, { pipeline, status });
    for (const kind of DIFFERENCE_KINDS) differences.add(0, { pipeline, kind });
  }
  // Alerts are not per pipeline; their channel is known once one is sent.
  const alerts = counter(METRICS.alertsSent);
  for (const rule of ALERT_RULES) alerts.add(0, { rule });

  const problems = problemRecords(client);
  const count = async () => {
    for (const pipeline of pipelines) {
      try {
        const open = await problems.countByStatus(pipeline);
        for (const [status, n] of Object.entries(open)) problemRecordsOpen(meter, pipeline, status, n);
      } catch (error) {
        // The gauge keeps its last value; the next count tries again.
        logger.warn({ pipeline, error: (error as Error).message }, 'could not count open problem records');
      }
    }
  };
  let counting: Promise<void> | undefined;
  const countNow = () => {
    // A count slower than the interval is skipped, not queued behind.
    counting ??= count().finally(() => (counting = undefined));
  };
  countNow();
  const timer = setInterval(countNow, intervalMs);
  // The worker's run, not this timer, decides when the process ends.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await counting;
    },
  };
}
