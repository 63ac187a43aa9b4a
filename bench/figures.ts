import type { BaselineResult } from './baseline';
import { HISTORY_WARNING } from './histories';
import type { RecordSyncMeasurement } from './record-sync';

const MB = 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export interface Latency {
  p50Ms: number;
  p95Ms: number;
}

function latencyOf(pairs: [readAt: number, writtenAt: number | undefined][]): Latency {
  const sorted = pairs
    .filter((pair): pair is [number, number] => pair[1] !== undefined)
    .map(([readAt, writtenAt]) => writtenAt - readAt)
    .sort((a, b) => a - b);
  return { p50Ms: Math.round(percentile(sorted, 50)), p95Ms: Math.round(percentile(sorted, 95)) };
}

export interface BaselineFigures {
  latencyMs: number;
  records: number;
  written: number;
  failed: number;
  seconds: number;
  recordsPerSecond: number;
  latency: Latency;
  status429: number;
}

export function baselineFigures(
  result: BaselineResult,
  latencyMs: number,
  startedAt: number,
  writtenAt: Map<string, number>,
  lastWriteAt: number,
  status: Record<string, number>,
): BaselineFigures {
  const seconds = (lastWriteAt - startedAt) / 1000;
  return {
    latencyMs,
    records: result.read,
    written: result.written,
    failed: result.failed,
    seconds: round(seconds, 2),
    recordsPerSecond: round(result.read / seconds),
    latency: latencyOf([...result.readAt].map(([id, readAt]) => [readAt, writtenAt.get(id)])),
    status429: status['429'] ?? 0,
  };
}

export interface RecordSyncFigures {
  latencyMs: number;
  records: number;
  synced: number;
  deadLettered: number;
  seconds: number;
  recordsPerSecond: number;
  /** records/s ÷ (C / L); null at L = 0, where the destination sets no ceiling. */
  fractionOfDestinationLimit: number | null;
  latency: Latency;
  status429: number;
  destinationPeakConcurrency: number;
  historyEventsPerRecord: { recordWorkflow: number; runAndPipelineShare: number; total: number };
  /** The most events and the most bytes any one history (runs, pipeline, sampled records) reached. */
  largestHistory: { events: number; bytes: number; workflowId: string; underWarningThresholds: boolean };
  worker: { peakRssMb: number; medianRssFirstThirdMb: number; medianRssLastThirdMb: number };
  /** CPU cores busy on average during the sync (CPU seconds ÷ wall seconds). */
  coresBusy: { worker: number; server: number; sandboxesAndBench: number; otherProcesses: number };
  /** Where a sampled record's time goes, p50 ms per step, from server event times. */
  recordSteps: RecordSteps;
}

export interface RecordSteps {
  /** The run's start request → the record workflow exists (the server's transfer queue). */
  startRequestedToStarted: number;
  /** → a worker picks up its workflow task (matching, pollers). */
  startedToTaskPickedUp: number;
  /** → that task completes: the workflow code and the upsert inside it. */
  taskDuration: number;
  /** The record workflow closes → its run learns of it. */
  closedToRunNotified: number;
}

function recordSteps(m: RecordSyncMeasurement): RecordSteps {
  const steps = m.childHistories.flatMap(({ workflowId, timeline }) => {
    const request = m.childRequests.get(workflowId);
    return request?.completedAt === undefined
      ? []
      : [{ ...timeline, ...request, completedAt: request.completedAt }];
  });
  const p50 = (step: (s: (typeof steps)[number]) => number) =>
    round(median(steps.map(step).filter((value) => Number.isFinite(value))), 0);
  return {
    startRequestedToStarted: p50((s) => s.startedAt - s.initiatedAt),
    startedToTaskPickedUp: p50((s) => s.firstTaskStartedAt - s.startedAt),
    taskDuration: p50((s) => s.firstTaskCompletedAt - s.firstTaskStartedAt),
    closedToRunNotified: p50((s) => s.completedAt - s.closedAt),
  };
}

export function recordSyncFigures(
  m: RecordSyncMeasurement,
  latencyMs: number,
  concurrency: number,
): RecordSyncFigures {
  const recordsPerSecond = m.read / m.seconds;
  const childEvents = m.childHistories.reduce((sum, h) => sum + h.events, 0) / m.childHistories.length;
  const runEvents = m.runHistories.reduce((sum, h) => sum + h.events, 0) + m.pipelineHistory.events;
  const histories = [...m.runHistories, m.pipelineHistory, ...m.childHistories];
  const mostEvents = histories.reduce((a, b) => (b.events > a.events ? b : a));
  const mostBytes = Math.max(...histories.map((h) => h.bytes));
  const rss = m.memory.map((s) => s.rssBytes / MB);
  const third = Math.max(1, Math.floor(rss.length / 3));
  return {
    latencyMs,
    records: m.read,
    synced: m.synced,
    deadLettered: m.deadLettered,
    seconds: round(m.seconds, 2),
    recordsPerSecond: round(recordsPerSecond),
    fractionOfDestinationLimit:
      latencyMs > 0 ? round(recordsPerSecond / ((concurrency * 1000) / latencyMs), 3) : null,
    latency: latencyOf(
      m.pages.flatMap((page) =>
        page.recordIds.map((id) => [page.readAt, m.writtenAt.get(id)] as [number, number | undefined]),
      ),
    ),
    status429: m.status['429'] ?? 0,
    destinationPeakConcurrency: m.maxConcurrent,
    historyEventsPerRecord: {
      recordWorkflow: round(childEvents),
      runAndPipelineShare: round(runEvents / m.read),
      total: round(childEvents + runEvents / m.read),
    },
    largestHistory: {
      events: mostEvents.events,
      bytes: mostBytes,
      workflowId: mostEvents.workflowId,
      underWarningThresholds: mostEvents.events < HISTORY_WARNING.events && mostBytes < HISTORY_WARNING.bytes,
    },
    worker: {
      peakRssMb: round(Math.max(...rss)),
      medianRssFirstThirdMb: round(median(rss.slice(0, third))),
      medianRssLastThirdMb: round(median(rss.slice(-third))),
    },
    coresBusy: {
      worker: round(m.cpu.worker / m.seconds, 2),
      server: round(m.cpu.server / m.seconds, 2),
      sandboxesAndBench: round(m.cpu.sandboxesAndBench / m.seconds, 2),
      otherProcesses: round(m.cpu.otherProcesses / m.seconds, 2),
    },
    recordSteps: recordSteps(m),
  };
}
