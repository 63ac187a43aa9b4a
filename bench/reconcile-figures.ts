import os from 'node:os';
import type { ProblemStatus, ReconciliationSummary } from '../src/domain/sync';
import type { NetSuiteStats, SandboxCustomer } from '../sandbox/netsuite';
import type { DestinationRequestCounts } from './destination-requests';
import { BUSY_MACHINE_CORES } from './figures';
import { HISTORY_WARNING } from './histories';
import { percentile, round } from './phases';
import type { HistoryScan } from './problem-histories';
import type { ReconciledPage, ReconciliationChain } from './reconcile-history';
import type { expectedSummary, PlantedDifferences } from './reconcile-plant';
import type { ReconciliationSettings } from './reconciliation';
import type { MemorySample } from './worker-process';

const MB = 1024 * 1024;

export interface LargestRun {
  events: number;
  bytes: number;
  workflowId: string;
  /** Histories it is the largest of. */
  of: number;
}

/** One pass over one side: its pages, their records, and the pass's wall time from the histories. */
export interface PassFigures {
  pages: number;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /** The reconcilePage activity (scheduled → completed) of its pages. */
  pageActivityMs: { p50: number; max: number };
}

export interface ReconciliationFigures {
  records: number;
  pipeline: string;
  settings: ReconciliationSettings;
  /** os.loadavg() (1, 5, 15 min) when the measurement started and when it ended. */
  loadAverage: { before: number[]; after: number[] };
  setup: {
    /** Reading every account and building its customer through record-sync's own load path. */
    buildSeconds: number;
    /** Filling the NetSuite sandbox and planting the differences. */
    seedSeconds: number;
    customersSeeded: number;
    refusedByNetSuite: number;
    unmappable: number;
    /** Reporting the refused accounts as problem records and waiting for the worker to start them. */
    heldProblemsSeconds: number;
  };
  /** Start request → result. */
  seconds: number;
  /** Accounts compared ÷ seconds. */
  recordsPerSecond: number;
  source: PassFigures & {
    /** The source pass without its re-syncs: the comparison's own rate. */
    compareRecordsPerSecond: number;
  };
  orphans: PassFigures;
  /** The workflow's re-syncs: from each page's result to its next step, summed; record workflows started. */
  repair: { seconds: number; recordWorkflows: number; pagesWithResyncs: number };
  /** finishReconciliation scheduled → the run closed (report files assembled, the owner told). */
  finishSeconds: number;
  planted: { drift: number; mismatch: number; missing: number; orphans: number };
  expected: ReturnType<typeof expectedSummary>;
  found: Pick<ReconciliationSummary, 'matching' | 'held' | 'differences' | 'repaired' | 'stoppedBy'>;
  problemRecords: Record<ProblemStatus, number>;
  netsuite: {
    requests: number;
    writes: number;
    suiteQl: number;
    other: number;
    byStatus: Record<string, number>;
    status429: number;
    peakConcurrency: number;
    /** NETSUITE_MAX_CONCURRENT_REQUESTS, and the sandbox's limit. */
    concurrencyLimit: number;
    /** SuiteQL requests' time in the sandbox (arrival → last byte), summed; ÷ queries. */
    suiteQlMs: { total: number; perQuery: number };
  };
  /** Requests answered; `ms`: their time in the sandbox (arrival → last byte), summed. */
  salesforce: { requests: number; ms: number; queries: number; pages: number };
  cpuMsPerRecord: { worker: number; server: number; bench: number };
  coresBusy: { worker: number; server: number; bench: number; otherProcesses: number };
  busyMachine: boolean;
  workerPeakRssMb: number;
  largestHistory: {
    run: LargestRun;
    owner: LargestRun;
    recordWorkflow: LargestRun;
    problemRecord: LargestRun;
    underWarningThresholds: boolean;
  };
  largestPayload: { bytes: number; eventType: string; workflowId: string; largestEventBytes: number };
  reportFiles: { html: number; json: number; csv: number };
  failedChecks: string[];
}

export interface ReconciliationMeasurement {
  settings: ReconciliationSettings;
  pipeline: string;
  loadBefore: number[];
  setup: { accounts: number; buildSeconds: number; seedSeconds: number; heldSeconds: number };
  planted: PlantedDifferences;
  expected: ReturnType<typeof expectedSummary>;
  summary: ReconciliationSummary;
  seconds: number;
  startedAt: number;
  chain: ReconciliationChain;
  customers: SandboxCustomer[];
  problems: Record<ProblemStatus, number>;
  netsuite: { stats: NetSuiteStats; requests: DestinationRequestCounts };
  salesforce: { requests: number; ms: number; queries: number; pages: number };
  cpu: { worker: number; server: number; sandboxesAndBench: number; otherProcesses: number };
  memory: MemorySample[];
  histories: { runs: HistoryScan[]; owner: HistoryScan[]; records: HistoryScan[]; problems: HistoryScan[] };
  reportFiles: { html: number; json: number; csv: number };
}

function largest(scans: HistoryScan[]): LargestRun {
  if (scans.length === 0) return { events: 0, bytes: 0, workflowId: '', of: 0 };
  const most = scans.reduce((a, b) => (b.events > a.events ? b : a));
  return {
    events: most.events,
    bytes: Math.max(...scans.map((s) => s.bytes)),
    workflowId: most.workflowId,
    of: scans.length,
  };
}

/** A pass's figures from its pages: from its first page's read to the step after its last. */
function pass(pages: ReconciledPage[], records: number, from: number, to: number): PassFigures {
  const seconds = (to - from) / 1000;
  const activity = pages.map((p) => p.completedAt - p.scheduledAt);
  return {
    pages: pages.length,
    records,
    seconds: round(seconds, 2),
    recordsPerSecond: seconds > 0 ? round(records / seconds) : 0,
    pageActivityMs: { p50: round(percentile(activity, 50)), max: round(Math.max(0, ...activity)) },
  };
}

export function reconciliationFigures(m: ReconciliationMeasurement): ReconciliationFigures {
  const { chain, planted, expected, summary } = m;
  const sourcePages = chain.pages.filter((p) => p.phase === 'source');
  const orphanPages = chain.pages.filter((p) => p.phase === 'orphans');
  const orphansFrom = orphanPages[0]?.scheduledAt ?? chain.finishScheduledAt;
  const compared = sourcePages.reduce((sum, p) => sum + p.compared, 0);
  const source = pass(sourcePages, compared, chain.startedAt, orphansFrom);
  // The orphan pass pages every customer, the re-synced missing ones included.
  const orphans = pass(orphanPages, m.customers.length, orphansFrom, chain.finishScheduledAt);
  const resyncing = chain.pages.filter((p) => p.resync > 0);
  const repairMs = resyncing.reduce((sum, p) => sum + (p.nextAt - p.completedAt), 0);
  const compareSeconds = source.seconds - repairMs / 1000;

  const cores = (value: number) => round(value / m.seconds, 2);
  const perRecord = (value: number) => round((value * 1000) / m.setup.accounts, 2);
  const suiteQlMs = m.netsuite.requests.suiteQlSpans.reduce((sum, [from, to]) => sum + to - from, 0);
  const { runs, owner, records, problems } = m.histories;
  const all = [...runs, ...owner, ...records, ...problems];
  const mostPayload = all.reduce((a, b) => (b.largestPayload.bytes > a.largestPayload.bytes ? b : a));

  const figures: ReconciliationFigures = {
    records: m.setup.accounts,
    pipeline: m.pipeline,
    // Only the knobs this measurement reads (the report's options hold the whole command line).
    settings: {
      records: m.settings.records,
      latencyMs: m.settings.latencyMs,
      concurrency: m.settings.concurrency,
      pageSize: m.settings.pageSize,
      window: m.settings.window,
      historySample: m.settings.historySample,
    },
    loadAverage: {
      before: m.loadBefore.map((l) => round(l, 2)),
      after: os.loadavg().map((l) => round(l, 2)),
    },
    setup: {
      buildSeconds: round(m.setup.buildSeconds, 2),
      seedSeconds: round(m.setup.seedSeconds, 2),
      customersSeeded: planted.seeded,
      refusedByNetSuite: planted.refused.length,
      unmappable: planted.unmappable,
      heldProblemsSeconds: round(m.setup.heldSeconds, 2),
    },
    seconds: round(m.seconds, 2),
    recordsPerSecond: round(compared / m.seconds),
    source: {
      ...source,
      compareRecordsPerSecond: compareSeconds > 0 ? round(compared / compareSeconds) : 0,
    },
    orphans,
    repair: {
      seconds: round(repairMs / 1000, 2),
      recordWorkflows: chain.childWorkflowIds.length,
      pagesWithResyncs: resyncing.length,
    },
    finishSeconds: round((chain.closedAt - chain.finishScheduledAt) / 1000, 2),
    planted: {
      drift: planted.drift.length,
      mismatch: planted.mismatch.length,
      missing: planted.missing.length,
      orphans: planted.orphans.length,
    },
    expected,
    found: {
      matching: summary.matching,
      held: summary.held,
      differences: summary.differences,
      repaired: summary.repaired,
      ...(summary.stoppedBy ? { stoppedBy: summary.stoppedBy } : {}),
    },
    problemRecords: m.problems,
    netsuite: {
      requests: m.netsuite.stats.requests,
      writes: m.netsuite.stats.writes,
      suiteQl: m.netsuite.requests.suiteQl,
      other: m.netsuite.requests.other,
      byStatus: m.netsuite.stats.byStatus,
      status429: m.netsuite.stats.byStatus['429'] ?? 0,
      peakConcurrency: m.netsuite.stats.maxConcurrent,
      concurrencyLimit: m.settings.concurrency,
      suiteQlMs: {
        total: round(suiteQlMs),
        perQuery: m.netsuite.requests.suiteQl > 0 ? round(suiteQlMs / m.netsuite.requests.suiteQl) : 0,
      },
    },
    salesforce: m.salesforce,
    cpuMsPerRecord: {
      worker: perRecord(m.cpu.worker),
      server: perRecord(m.cpu.server),
      bench: perRecord(m.cpu.sandboxesAndBench),
    },
    coresBusy: {
      worker: cores(m.cpu.worker),
      server: cores(m.cpu.server),
      bench: cores(m.cpu.sandboxesAndBench),
      otherProcesses: cores(m.cpu.otherProcesses),
    },
    busyMachine: m.cpu.otherProcesses / m.seconds > BUSY_MACHINE_CORES,
    workerPeakRssMb: round(Math.max(0, ...m.memory.map((s) => s.rssBytes / MB))),
    largestHistory: {
      run: largest(runs),
      owner: largest(owner),
      recordWorkflow: largest(records),
      problemRecord: largest(problems),
      underWarningThresholds: all.every(
        (s) => s.events < HISTORY_WARNING.events && s.bytes < HISTORY_WARNING.bytes,
      ),
    },
    largestPayload: {
      bytes: mostPayload.largestPayload.bytes,
      eventType: mostPayload.largestPayload.eventType,
      workflowId: mostPayload.workflowId,
      largestEventBytes: Math.max(...all.map((s) => s.largestEventBytes)),
    },
    reportFiles: m.reportFiles,
    failedChecks: [],
  };
  figures.failedChecks = checks(m, figures);
  return figures;
}

/** What must hold after the run: the planted differences found and repaired, nothing else. */
function checks(m: ReconciliationMeasurement, f: ReconciliationFigures): string[] {
  const failed: string[] = [];
  const same = (what: string, found: unknown, expected: unknown) => {
    if (JSON.stringify(found) !== JSON.stringify(expected))
      failed.push(`${what}: found ${JSON.stringify(found)}, planted ${JSON.stringify(expected)}`);
  };
  same('differences', m.summary.differences, m.expected.differences);
  same('held', m.summary.held, m.expected.held);
  same('matching', m.summary.matching, m.expected.matching);
  same('repaired', m.summary.repaired, m.expected.repaired);
  if (m.summary.stoppedBy) failed.push(`stopped by: ${m.summary.stoppedBy}`);
  same('open problem records', m.problems, {
    VALIDATION_FAILED: m.planted.refused.length,
    VERSION_CONFLICT: m.planted.mismatch.length,
    DEAD_LETTER: 0,
    ORPHANED: m.planted.orphans.length,
  });
  const byExternalId = new Map(m.customers.map((c) => [c.externalId, c]));
  const drifted = m.planted.drift.filter(
    (id, i) => byExternalId.get(id)?.companyName !== `Drifted Holdings ${i + 1}`,
  );
  if (drifted.length > 0) failed.push(`${drifted.length} drifted customers not re-synced`);
  const missing = m.planted.missing.filter((id) => !byExternalId.has(id));
  if (missing.length > 0) failed.push(`${missing.length} missing customers not created`);
  const edited = m.planted.mismatch.filter(
    (id, i) => byExternalId.get(id)?.companyName !== `Edited In NetSuite ${i + 1}`,
  );
  if (edited.length > 0)
    failed.push(`${edited.length} edited customers overwritten (a conflict must wait for a person)`);
  if (f.netsuite.status429 > 0) failed.push(`${f.netsuite.status429} requests refused with 429`);
  if (f.netsuite.peakConcurrency > f.netsuite.concurrencyLimit)
    failed.push(
      `peak concurrency ${f.netsuite.peakConcurrency} over the limit ${f.netsuite.concurrencyLimit}`,
    );
  if (!f.largestHistory.underWarningThresholds) failed.push('a history passed a Temporal warning threshold');
  if (m.chain.pages.some((p) => Number.isNaN(p.completedAt) || Number.isNaN(p.nextAt)))
    failed.push('a page without its completion or next step in the history');
  return failed;
}
