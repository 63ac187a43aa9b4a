import type { BaselineResult } from './baseline';
import type { CeilingMeasurement, WorkerTuning } from './ceiling';
import { coveredMs } from './destination-requests';
import { HISTORY_WARNING, type HistorySize, type RunPage } from './histories';
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

/**
 * Other processes (builds, test suites) using more than this many cores on average during a
 * measurement compete with it for the CPU: its figures are not the engine's on this machine.
 */
export const BUSY_MACHINE_CORES = 0.2;

/** CPU seconds per process during a measurement (see processes.ts). */
interface CpuSeconds {
  worker: number;
  server: number;
  sandboxesAndBench: number;
  otherProcesses: number;
}

export interface CoresBusy {
  worker: number;
  server: number;
  sandboxesAndBench: number;
  otherProcesses: number;
}

function coresBusy(cpu: CpuSeconds, seconds: number): CoresBusy {
  return {
    worker: round(cpu.worker / seconds, 2),
    server: round(cpu.server / seconds, 2),
    sandboxesAndBench: round(cpu.sandboxesAndBench / seconds, 2),
    otherProcesses: round(cpu.otherProcesses / seconds, 2),
  };
}

export interface CpuPerRecord {
  workerMs: number;
  serverMs: number;
  sandboxesAndBenchMs: number;
}

function cpuPerRecord(cpu: CpuSeconds, records: number): CpuPerRecord {
  return {
    workerMs: round((cpu.worker * 1000) / records, 2),
    serverMs: round((cpu.server * 1000) / records, 2),
    sandboxesAndBenchMs: round((cpu.sandboxesAndBench * 1000) / records, 2),
  };
}

const mean = (values: number[]) => {
  const finite = values.filter((value) => Number.isFinite(value));
  return finite.length === 0 ? NaN : finite.reduce((sum, value) => sum + value, 0) / finite.length;
};

/** The serial steps of each page's run, from server event times (see histories.ts). */
function pageSpans(pages: RunPage[]) {
  const finite = (span: [number, number]) => span.every((t) => Number.isFinite(t));
  return {
    /** The run started → it asked for its first record workflow (the read, for record-sync). */
    start: pages.map((p) => [p.startedAt, p.firstChildAskedAt] as [number, number]).filter(finite),
    /** Its last record workflow done → the run closed (record-sync: verify, signal). */
    end: pages.map((p) => [p.lastChildDoneAt, p.closedAt] as [number, number]).filter(finite),
  };
}

export interface PageSteps {
  pages: number;
  /** Mean ms per page: run started → first record workflow asked for. */
  startMsPerPage: number;
  /** Mean ms per page: last record workflow done → run closed (continued as new). */
  endMsPerPage: number;
  /** The time covered by both, within the measured wall time, ÷ that wall time. */
  shareOfRunTime: number;
}

function pageSteps(pages: RunPage[], from: number, to: number): PageSteps {
  const spans = pageSpans(pages);
  const duration = ([a, b]: [number, number]) => b - a;
  return {
    pages: pages.length,
    startMsPerPage: round(mean(spans.start.map(duration)), 0),
    endMsPerPage: round(mean(spans.end.map(duration)), 0),
    shareOfRunTime: round(coveredMs([...spans.start, ...spans.end], from, to) / (to - from), 3),
  };
}

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
  /** Null when not sampled. */
  coresBusy: CoresBusy | null;
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
  cpu?: { seconds: number; cpu: CpuSeconds },
): BaselineFigures {
  const seconds = (lastWriteAt - startedAt) / 1000;
  return {
    latencyMs,
    coresBusy: cpu ? coresBusy(cpu.cpu, cpu.seconds) : null,
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
  /** e.g. `record-sync L=0ms #2` (the second pair with the engine ceiling). */
  label: string;
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
  coresBusy: CoresBusy;
  /** Other processes used more than BUSY_MACHINE_CORES meanwhile. */
  busyMachine: boolean;
  /** CPU ms per record read, per process. */
  cpuPerRecord: CpuPerRecord;
  /** Where a sampled record's time goes, p50 ms per step, from server event times. */
  recordSteps: RecordSteps;
  /** What the per-page destination reads cost the run. */
  destinationReads: DestinationReads;
}

/**
 * The per-page SuiteQL reads (the page's customers before its records, and the page's writes
 * after them) and the run's serial steps around them. A page's record workflows start only after
 * its read, and the next page's read only after the verification: these reads are on the run's
 * critical path, so their share of the wall time bounds what they cost in throughput.
 */
export interface DestinationReads {
  /** SuiteQL requests the NetSuite sandbox answered during the sync, all pages. */
  suiteQlRequests: number;
  suiteQlPerPage: number;
  /** Customer writes (upserts) it answered. */
  writes: number;
  /** SuiteQL time in the sandbox (arrival → answer), summed over the sync. */
  suiteQlMs: number;
  /** The same ÷ pages. */
  suiteQlMsPerPage: number;
  /** The SuiteQL time within the measured wall time ÷ that wall time. */
  suiteQlShareOfRunTime: number;
  /** From the run's history: the read activity's scheduled → completed (Salesforce, visibility, SuiteQL). */
  readActivityMsPerPage: number;
  /** The run's serial steps around its records (run start → first child; last child → next run). */
  pageSteps: PageSteps;
}

function destinationReads(m: RecordSyncMeasurement): DestinationReads {
  const pages = Math.max(1, m.pages.length);
  const { suiteQl, suiteQlSpans, writes } = m.destination;
  const suiteQlMs = suiteQlSpans.reduce((sum, [from, to]) => sum + (to - from), 0);
  const windowMs = m.lastWriteAt - m.startedAt;
  return {
    suiteQlRequests: suiteQl,
    suiteQlPerPage: round(suiteQl / pages, 2),
    writes,
    suiteQlMs: Math.round(suiteQlMs),
    suiteQlMsPerPage: round(suiteQlMs / pages, 1),
    suiteQlShareOfRunTime: round(coveredMs(suiteQlSpans, m.startedAt, m.lastWriteAt) / windowMs, 4),
    readActivityMsPerPage: round(
      mean(m.pages.filter((p) => p.readAt > 0).map((p) => p.readAt - p.readScheduledAt)),
      0,
    ),
    pageSteps: pageSteps(m.pages, m.startedAt, m.lastWriteAt),
  };
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

function recordSteps(m: {
  childHistories: HistorySize[];
  childRequests: Map<string, { initiatedAt: number; completedAt?: number }>;
}): RecordSteps {
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
  label = `record-sync L=${latencyMs}ms`,
): RecordSyncFigures {
  const recordsPerSecond = m.read / m.seconds;
  const childEvents = m.childHistories.reduce((sum, h) => sum + h.events, 0) / m.childHistories.length;
  const runEvents = m.runHistories.reduce((sum, h) => sum + h.events, 0) + m.pipelineHistory.events;
  const histories = [...m.runHistories, m.pipelineHistory, ...m.childHistories];
  const mostEvents = histories.reduce((a, b) => (b.events > a.events ? b : a));
  const mostBytes = Math.max(...histories.map((h) => h.bytes));
  const rss = m.memory.map((s) => s.rssBytes / MB);
  const third = Math.max(1, Math.floor(rss.length / 3));
  const cores = coresBusy(m.cpu, m.cpuWindowSeconds);
  return {
    label,
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
    coresBusy: cores,
    busyMachine: cores.otherProcesses > BUSY_MACHINE_CORES,
    cpuPerRecord: cpuPerRecord(m.cpu, m.read),
    recordSteps: recordSteps(m),
    destinationReads: destinationReads(m),
  };
}

export interface CeilingFigures {
  label: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  pageSize: number;
  windowSize: number;
  tuning: WorkerTuning;
  historyEventsPerRecord: { recordWorkflow: number; runShare: number; total: number };
  largestHistory: { events: number; bytes: number };
  workerPeakRssMb: number;
  coresBusy: CoresBusy;
  busyMachine: boolean;
  cpuPerRecord: CpuPerRecord;
  recordSteps: RecordSteps;
  pageSteps: PageSteps;
}

export function ceilingFigures(m: CeilingMeasurement, label: string): CeilingFigures {
  const childEvents = mean(m.childHistories.map((h) => h.events));
  const runEvents = m.runHistories.reduce((sum, h) => sum + h.events, 0);
  const histories = [...m.runHistories, ...m.childHistories];
  const cores = coresBusy(m.cpu, m.cpuWindowSeconds);
  const startedAt = m.pages[0]?.startedAt ?? NaN;
  return {
    label,
    records: m.records,
    seconds: round(m.seconds, 2),
    recordsPerSecond: round(m.records / m.seconds),
    pageSize: m.pageSize,
    windowSize: m.windowSize,
    tuning: m.tuning,
    historyEventsPerRecord: {
      recordWorkflow: round(childEvents),
      runShare: round(runEvents / m.records),
      total: round(childEvents + runEvents / m.records),
    },
    largestHistory: {
      events: Math.max(...histories.map((h) => h.events)),
      bytes: Math.max(...histories.map((h) => h.bytes)),
    },
    workerPeakRssMb: round(Math.max(...m.memory.map((s) => s.rssBytes / MB))),
    coresBusy: cores,
    busyMachine: cores.otherProcesses > BUSY_MACHINE_CORES,
    cpuPerRecord: cpuPerRecord(m.cpu, m.records),
    recordSteps: recordSteps(m),
    pageSteps: pageSteps(m.pages, startedAt, startedAt + m.seconds * 1000),
  };
}

/** One ceiling run and the record-sync run after it, at L = 0, over the same number of records. */
export interface CeilingPair {
  ceiling: CeilingFigures;
  recordSync: RecordSyncFigures;
  /** record-sync's records/s ÷ the ceiling's. */
  ratio: number;
  /** The record-sync of another revision (`--compare-with`), run after this pair's record-sync. */
  compared?: { recordSync: RecordSyncFigures; ratio: number };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  count: number;
}

export function spreadOf(values: number[]): Spread | null {
  if (values.length === 0) return null;
  // The middle value, or the mean of the two middle ones for an even count (two pairs: their mean).
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  const middle = sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
  return {
    median: round(middle, 3),
    min: round(Math.min(...values), 3),
    max: round(Math.max(...values), 3),
    count: values.length,
  };
}

export function ceilingPair(
  ceiling: CeilingFigures,
  recordSync: RecordSyncFigures,
  compared?: RecordSyncFigures,
): CeilingPair {
  const ratio = (r: RecordSyncFigures) => round(r.recordsPerSecond / ceiling.recordsPerSecond, 3);
  return {
    ceiling,
    recordSync,
    ratio: ratio(recordSync),
    ...(compared ? { compared: { recordSync: compared, ratio: ratio(compared) } } : {}),
  };
}
