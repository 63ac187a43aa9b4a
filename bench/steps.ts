import type { Client } from '@temporalio/client';
import type { CeilingSettings } from './ceiling';
import type { CeilingSteps } from './ceiling-workflows';
import type { CeilingFigures, Spread } from './figures';

/**
 * The per-step cost table: each step of record-sync's record path, added alone to the engine
 * ceiling (a bench-only build of it: bench/ceiling-workflows.ts, bench/ceiling-worker.ts), and
 * priced as the change it makes to the ceiling's rate, CPU and events. Measured by adding each step
 * to the ceiling rather than removing it from record-sync: record-sync without its checks would
 * not be record-sync, and the ceiling with one step shows that step's own cost, every other step
 * equal.
 */
export interface PathStep {
  name: string;
  /** What record-sync does that the step reproduces. */
  what: string;
  settings: Pick<CeilingSettings, 'codec' | 'steps'>;
}

export function pathSteps(recordInputBytes: number): PathStep[] {
  const all: CeilingSteps = {
    inputBytes: recordInputBytes,
    outcomeAttribute: true,
    patchMarker: true,
    outcomeResult: true,
    pageRead: true,
    openProblems: true,
    ownerSignal: true,
  };
  return [
    {
      name: 'window drained at every page',
      what: "record-sync's runs before #14: each page's last record before the next page's read",
      settings: { steps: { drainEachPage: true } },
    },
    {
      name: 'payload codec',
      what: 'every payload encrypted and decrypted (AES-256-GCM) by worker and client',
      settings: { codec: true },
    },
    {
      name: `record input (${recordInputBytes.toLocaleString('en-US')} B)`,
      what: "each record workflow's input as large as record-sync's (record, settings, destination)",
      settings: { steps: { inputBytes: recordInputBytes } },
    },
    {
      name: 'outcome search attribute',
      what: 'each record workflow upserts RecordSyncOutcome when done',
      settings: { steps: { outcomeAttribute: true } },
    },
    {
      name: 'patch marker',
      what: "each record workflow's deprecatePatch('pipelines'): a marker and a TemporalChangeVersion upsert",
      settings: { steps: { patchMarker: true } },
    },
    {
      name: 'outcome reported to the run',
      what: 'each record workflow returns its outcome (status, version, checksum, NetSuite id)',
      settings: { steps: { outcomeResult: true } },
    },
    {
      name: 'page read and verification',
      what: 'an activity reads each page; a local activity checks it after its records',
      settings: { steps: { pageRead: true } },
    },
    {
      name: 'problem-record bookkeeping',
      what: "the page's read asks visibility which of its records have open problem records",
      settings: { steps: { pageRead: true, openProblems: true } },
    },
    {
      name: 'page report to the owner',
      what: 'the run signals the pipeline workflow after each page',
      settings: { steps: { ownerSignal: true } },
    },
    {
      name: 'all of the above but the drain',
      what: "record-sync's engine path without its connectors (Salesforce, NetSuite, mapping)",
      settings: { codec: true, steps: all },
    },
  ];
}

export interface StepCost {
  name: string;
  what: string;
  figures: CeilingFigures;
  /** This run's records/s ÷ the ceiling's (median of the ceiling runs) − 1. */
  rateChange: number;
  /** CPU ms per record over the ceiling's, worker and dev server. */
  workerCpuMs: number;
  serverCpuMs: number;
  /** History events per record over the ceiling's. */
  events: number;
}

export interface StepTable {
  records: number;
  ceiling: { recordsPerSecond: Spread; workerCpuMs: number; serverCpuMs: number; events: number };
  steps: StepCost[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Prices each step against the median of the ceiling runs measured in the same invocation. */
export function stepCosts(
  ceilings: CeilingFigures[],
  rate: Spread,
  measured: { step: PathStep; figures: CeilingFigures }[],
): StepTable {
  const base = {
    recordsPerSecond: rate,
    workerCpuMs: median(ceilings.map((c) => c.cpuPerRecord.workerMs)),
    serverCpuMs: median(ceilings.map((c) => c.cpuPerRecord.serverMs)),
    events: median(ceilings.map((c) => c.historyEventsPerRecord.total)),
  };
  return {
    records: measured[0]?.figures.records ?? 0,
    ceiling: base,
    steps: measured.map(({ step, figures }) => ({
      name: step.name,
      what: step.what,
      figures,
      rateChange: round(figures.recordsPerSecond / rate.median - 1, 3),
      workerCpuMs: round(figures.cpuPerRecord.workerMs - base.workerCpuMs, 2),
      serverCpuMs: round(figures.cpuPerRecord.serverMs - base.serverCpuMs, 2),
      events: round(figures.historyEventsPerRecord.total - base.events, 2),
    })),
  };
}

/**
 * Bytes of a record workflow's input as record-sync stores it: the start event's input payloads
 * of a record workflow of the measured run (encrypted, as the server holds them).
 */
export async function recordInputBytes(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  return payloads.reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);
}
