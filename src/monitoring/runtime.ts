import { Runtime, type TelemetryOptions } from '@temporalio/worker';
import type pino from 'pino';
import { temporalLogger } from '../logger';
import { COUNTERS_TOTAL_SUFFIX, HISTOGRAM_BUCKETS } from './metrics';

/**
 * The SDK's Prometheus exporter at `address`, serving `/metrics`: the SDK's own metrics
 * (`temporal_*`) and record-sync's (`record_sync_*`, src/monitoring/metrics.ts).
 */
export function prometheusTelemetry(address: string): TelemetryOptions {
  return {
    metrics: {
      prometheus: {
        bindAddress: address,
        // Prometheus' conventions: counters end in _total, durations are in seconds. The SDK's
        // defaults (no suffix, milliseconds) are older than them.
        countersTotalSuffix: COUNTERS_TOTAL_SUFFIX,
        useSecondsForDurations: true,
        histogramBucketOverrides: HISTOGRAM_BUCKETS,
      },
    },
  };
}

/**
 * Installs the process' Temporal Runtime (one per process, before any connection): the SDK's log
 * through the process logger and, unless `metricsAddress` is null, the metrics endpoint. An
 * address that cannot be bound (another process holds it) is logged and the worker runs on
 * without metrics: syncing records matters more than being watched, and Prometheus shows the
 * target down. Returns whether metrics are served.
 */
export function installRuntime(logger: pino.Logger, metricsAddress: string | null): boolean {
  if (metricsAddress !== null) {
    try {
      Runtime.install({
        logger: temporalLogger(logger),
        telemetryOptions: prometheusTelemetry(metricsAddress),
      });
      logger.info({ metrics: `http://${metricsAddress}/metrics` }, 'serving Prometheus metrics');
      return true;
    } catch (error) {
      logger.error(
        { error: (error as Error).message },
        `RECORD_SYNC_METRICS_ADDRESS: cannot serve metrics at ${metricsAddress}; running without them`,
      );
    }
  }
  Runtime.install({ logger: temporalLogger(logger) });
  return false;
}
