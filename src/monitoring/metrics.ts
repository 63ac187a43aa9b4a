import type { MetricMeter } from '@temporalio/common';
import type { AlertRule } from '../domain/alerts';
import type { DifferenceKind, RunCounts } from '../domain/sync';

/**
 * record-sync's own metrics: the one list of their names, which the code emitting them, the
 * exporter's bucket settings, the Grafana dashboard and the Prometheus rules (checked by
 * test/metrics.test.ts) all go by. Workflows import this module, so it imports types only.
 *
 * Every metric goes through one of Temporal's metric meters (the workflow's, an activity's or the
 * Runtime's), so the SDK's Prometheus endpoint serves them beside its own.
 */
export interface MetricDefinition {
  /** The name given to the meter. */
  name: string;
  kind: 'counter' | 'histogram' | 'gauge';
  unit: string;
  description: string;
  labels: readonly string[];
}

export const METRICS = {
  records: {
    name: 'record_sync_records',
    kind: 'counter',
    unit: '{record}',
    description: 'Record versions a run is done with, by pipeline and status (counted page by page)',
    labels: ['pipeline', 'status'],
  },
  runDuration: {
    name: 'record_sync_run_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'How long a sync run took, from its start to its last page (outcome completed or stopped)',
    labels: ['pipeline', 'outcome'],
  },
  readToWriteLatency: {
    name: 'record_sync_read_to_write_latency_seconds',
    kind: 'histogram',
    unit: 's',
    description: "From a page's read to its run seeing the record synced to the destination",
    labels: ['pipeline'],
  },
  checkpointLag: {
    name: 'record_sync_checkpoint_lag_seconds',
    kind: 'gauge',
    unit: 's',
    description: 'How far behind now the checkpoint was when it last moved',
    labels: ['pipeline'],
  },
  problemRecordsOpen: {
    name: 'record_sync_problem_records_open',
    kind: 'gauge',
    unit: '{record}',
    description: 'Open problem records, by pipeline and status (counted every 30 s by each worker)',
    labels: ['pipeline', 'status'],
  },
  reconciliationDifferences: {
    name: 'record_sync_reconciliation_differences',
    kind: 'counter',
    unit: '{record}',
    description: 'Differences reconciliations found between source and destination, by kind',
    labels: ['pipeline', 'kind'],
  },
  alertsSent: {
    name: 'record_sync_alerts_sent',
    kind: 'counter',
    unit: '{alert}',
    description: 'Alert notifications sent, by rule and channel',
    labels: ['rule', 'channel'],
  },
} as const satisfies Record<string, MetricDefinition>;

/**
 * The exporter is installed with `countersTotalSuffix` (src/monitoring/runtime.ts), as Prometheus
 * names counters: `record_sync_records` is scraped as `record_sync_records_total`.
 */
export const COUNTERS_TOTAL_SUFFIX = true;

/** The name Prometheus scrapes a metric under (a histogram's series add `_bucket`, `_sum`, `_count`). */
export function exportedName(metric: MetricDefinition): string {
  return metric.kind === 'counter' && COUNTERS_TOTAL_SUFFIX ? `${metric.name}_total` : metric.name;
}

/** Bucket bounds, in seconds: a run takes seconds to hours, a record milliseconds to a retry budget. */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [METRICS.runDuration.name]: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600],
  [METRICS.readToWriteLatency.name]: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
};

/** The `status` values of record_sync_records, one per count a run keeps. */
const RECORD_STATUS_OF = {
  synced: 'SYNCED',
  skipped: 'SKIPPED',
  validationFailed: 'VALIDATION_FAILED',
  conflicts: 'VERSION_CONFLICT',
  deadLettered: 'DEAD_LETTER',
  alreadyProcessed: 'ALREADY_PROCESSED',
} as const satisfies Record<Exclude<keyof RunCounts, 'read'>, string>;

export const RECORD_OUTCOMES = Object.values(RECORD_STATUS_OF);

const counter = (meter: MetricMeter, metric: MetricDefinition) =>
  meter.createCounter(metric.name, metric.unit, metric.description);
const histogram = (meter: MetricMeter, metric: MetricDefinition) =>
  meter.createHistogram(metric.name, 'float', metric.unit, metric.description);
const gauge = (meter: MetricMeter, metric: MetricDefinition) =>
  meter.createGauge(metric.name, 'float', metric.unit, metric.description);

/**
 * A page's records, by status: what the run's counts gained from `before` to `after`. Zeros are
 * added too, so that each status has a series from the first page on and `increase()` sees its
 * first records.
 */
export function recordsDone(meter: MetricMeter, pipeline: string, before: RunCounts, after: RunCounts): void {
  const records = counter(meter, METRICS.records);
  for (const [count, status] of Object.entries(RECORD_STATUS_OF) as [
    keyof typeof RECORD_STATUS_OF,
    string,
  ][]) {
    // A count missing from a run's progress (an older run's) counts nothing rather than NaN.
    const gained = (after[count] ?? 0) - (before[count] ?? 0);
    records.add(gained > 0 ? gained : 0, { pipeline, status });
  }
}

/** A run's duration, once it completed or stopped. */
export function runFinished(
  meter: MetricMeter,
  pipeline: string,
  outcome: 'completed' | 'stopped',
  startedAt: string,
  finishedAt: string,
): void {
  const seconds = (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000;
  if (Number.isFinite(seconds))
    histogram(meter, METRICS.runDuration).record(Math.max(0, seconds), { pipeline, outcome });
}

export function readToWriteLatency(meter: MetricMeter, pipeline: string, seconds: number): void {
  histogram(meter, METRICS.readToWriteLatency).record(Math.max(0, seconds), { pipeline });
}

export function checkpointLag(meter: MetricMeter, pipeline: string, seconds: number): void {
  gauge(meter, METRICS.checkpointLag).set(Math.max(0, seconds), { pipeline });
}

export function problemRecordsOpen(meter: MetricMeter, pipeline: string, status: string, open: number): void {
  gauge(meter, METRICS.problemRecordsOpen).set(open, { pipeline, status });
}

/** For the reconciliation: the differences of one kind it found in a pipeline. */
export function reconciliationDifferences(
  meter: MetricMeter,
  pipeline: string,
  kind: DifferenceKind,
  differences: number,
): void {
  if (differences > 0) counter(meter, METRICS.reconciliationDifferences).add(differences, { pipeline, kind });
}

/** For the alerts: one notification sent, of `rule`, through `channel` (slack, webhook, email). */
export function alertSent(meter: MetricMeter, rule: AlertRule, channel: string): void {
  counter(meter, METRICS.alertsSent).add(1, { rule, channel });
}
