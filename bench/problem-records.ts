import os from 'node:os';
import { parseConfig, syncSettings } from '../src/config';
import { toIsoInstant } from '../src/domain/checkpoint';
import type { RecordFailure } from '../src/domain/sync';
import { pipelineOperations } from '../src/operations';
import type { ProblemPage } from '../src/problem-records';
import { pipelineWorkflowId, recordWorkflowId } from '../src/workflows/ids';
import { measuredPipeline, type BenchEnvironment } from './environment';
import { HISTORY_WARNING } from './histories';
import { listRuns, scanHistories, type HistoryScan } from './problem-histories';
import {
  countResponses,
  inPool,
  percentile,
  phaseClock,
  pollUntil,
  round,
  sampleBacklog,
  timed,
  workflowBacklog,
  type PhaseFigures,
} from './phases';
import { replaySteps, type ReplaySteps } from './replay-steps';
import { startWorkerProcess, type MemorySample } from './worker-process';

/** The NetSuite sandbox rejects phones with fewer than seven digits. */
const BAD_PHONE = '555-01';
const GOOD_PHONE = '+1 415 555 0100';
const LIST_PAGE_SIZE = 1000;
/** The bulk workflow's own default (src/workflows/problem-records-bulk.ts). */
const BULK_PAGE_SIZE = 200;
const MB = 1024 * 1024;

export interface ProblemRecordsSettings {
  records: number;
  latencyMs: number;
  concurrency: number;
  window: number | undefined;
  reportConcurrency: number;
  /** How many the bulk replay takes (those that failed first); undefined: all. */
  replay: number | undefined;
  historySample: number;
}

export interface LargestHistory {
  events: number;
  bytes: number;
  workflowId: string;
}

export interface ProblemRecordsFigures {
  records: number;
  pipeline: string;
  /** os.loadavg() (1, 5, 15 min) when the measurement started and when it ended. */
  loadAverage: { before: number[]; after: number[] };
  phases: PhaseFigures[];
  create: { reportP50Ms: number; reportP95Ms: number; workflowBacklogPeak: number };
  count: {
    polls: number;
    countByStatusP50Ms: number;
    countByStatusMaxMs: number;
    counted: Record<string, number>;
  };
  list: { pages: number; listed: number; distinct: number; pageP50Ms: number; pageMaxMs: number };
  replay: {
    /** Problem records the bulk replay took (the rest stay open). */
    records: number;
    bulkWorkflowId: string;
    /** Replays at once (SYNC_WINDOW_SIZE, as `startBulk` passes it). */
    bulkConcurrency: number;
    bulkRuns: number;
    pages: number;
    counts: Record<string, number>;
    status429: number;
    netsuitePeakConcurrency: number;
    netsuiteRequests: number;
    salesforceRequests: number;
  };
  after: { openProblemRecords: number; customers: number; distinctExternalIds: number };
  largestHistory: {
    bulkRun: LargestHistory;
    owner: LargestHistory;
    /** Among `sampled` problem-record workflows. */
    problemRecord: LargestHistory & { sampled: number };
    underWarningThresholds: boolean;
  };
  largestPayload: { bytes: number; eventType: string; workflowId: string; largestEventBytes: number };
  /** For the sampled problem records, from server event times. */
  replaySteps: ReplaySteps;
  /** JSON sizes of what an operator gets back. */
  answerBytes: { problemQuery: number; pipelineStatus: number; listPage: number; bulkResult: number };
  worker: { peakRssMb: number; medianRssFirstThirdMb: number; medianRssLastThirdMb: number };
  /** What did not come out as it must; empty when everything did. */
  failedChecks: string[];
}

function largest(scans: HistoryScan[]): LargestHistory {
  const most = scans.reduce((a, b) => (b.events > a.events ? b : a), scans[0]);
  return most
    ? { events: most.events, bytes: Math.max(...scans.map((s) => s.bytes)), workflowId: most.workflowId }
    : { events: 0, bytes: 0, workflowId: '' };
}

function memoryFigures(samples: MemorySample[]): ProblemRecordsFigures['worker'] {
  const rss = samples.map((s) => s.rssBytes / MB);
  const third = Math.max(1, Math.floor(rss.length / 3));
  return {
    peakRssMb: round(Math.max(...rss)),
    medianRssFirstThirdMb: round(percentile(rss.slice(0, third), 50)),
    medianRssLastThirdMb: round(percentile(rss.slice(-third), 50)),
  };
}

/**
 * N problem records through their whole life, against the production worker in its own process:
 * reported as a failed record workflow reports them, counted and listed over visibility, then
 * fixed at the source and replayed by one bulk workflow.
 */
export async function measureProblemRecords(
  bench: BenchEnvironment,
  settings: ProblemRecordsSettings,
  log: (line: string) => void,
): Promise<ProblemRecordsFigures> {
  const loadBefore = os.loadavg();
  const n = settings.records;
  const m = settings.replay ?? n;
  const { pipeline, environment } = measuredPipeline(bench, settings);
  const config = parseConfig(environment);
  const operations = pipelineOperations(bench.client, config);
  const { problems } = operations;
  const reportSettings = syncSettings(config);
  const failedChecks: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) failedChecks.push(what);
  };

  const ids = bench.salesforce.accounts().map((a) => a.Id);
  bench.salesforce.touchAccounts(ids, { Phone: BAD_PHONE });
  const version = toIsoInstant(String(bench.salesforce.accounts()[0].SystemModstamp));

  const worker = await startWorkerProcess(environment, bench.workDir);
  const salesforceResponses = countResponses(Number(new URL(config.accounts!.salesforce.loginUrl).port));
  let measured;
  try {
    await operations.create();
    const origin = Date.now();
    worker.sampleMemory();
    const clock = phaseClock(worker, bench.serverPid, origin);
    // The first m fail a minute before the others: the bulk replay takes those failed until then.
    const replayFrom = new Date(origin - 60_000).toISOString();
    const replayUntil = new Date(origin - 30_000).toISOString();
    const replayed = new Set(ids.slice(0, m));

    log(`reporting ${n} problem records, ${settings.reportConcurrency} at a time`);
    const reportMs: number[] = [];
    const backlog = sampleBacklog(bench.client, config.pipeline.taskQueue);
    await clock.run('create (report)', n, () =>
      inPool(ids, settings.reportConcurrency, async (recordId) => {
        const failure: RecordFailure = {
          recordId,
          version,
          kind: 'rejected',
          error: 'Phone number should have seven digits or more.',
          field: 'phone',
          value: BAD_PHONE,
          attempts: 1,
          failedAt: replayed.has(recordId) && m < n ? replayFrom : new Date().toISOString(),
          workflowId: recordWorkflowId(pipeline, recordId, version),
        };
        await timed(reportMs, () => problems.report(pipeline, reportSettings, failure));
      }),
    );

    log('counting until visibility shows them all');
    const countMs: number[] = [];
    const counted = await clock.run('count until all visible', null, () =>
      pollUntil(
        () => timed(countMs, () => problems.countByStatus(pipeline)),
        (counts) => counts.VALIDATION_FAILED >= n,
        60_000 + n * 5,
      ),
    );
    check(counted.VALIDATION_FAILED === n, `counted ${JSON.stringify(counted)}, not ${n} VALIDATION_FAILED`);

    // During creation the worker may fall far behind (see the README): give it time to catch up.
    const left = await clock.run('worker catches up (backlog 0)', null, () =>
      pollUntil(
        () => workflowBacklog(bench.client, config.pipeline.taskQueue),
        (backlog) => backlog === 0,
        60_000 + n * 50,
      ),
    );
    check(left === 0, `${left} workflow tasks still waiting for the worker`);
    const backlogPeak = await backlog.stop();

    log(`listing them, ${LIST_PAGE_SIZE} a page`);
    const pageMs: number[] = [];
    const listed: string[] = [];
    let largestPage = 0;
    await clock.run(`list (${LIST_PAGE_SIZE} a page)`, n, async () => {
      let page: ProblemPage | undefined;
      do {
        const token = page?.nextPageToken;
        page = await timed(pageMs, () => problems.listPage(pipeline, {}, LIST_PAGE_SIZE, token));
        listed.push(...page.problems.map((p) => p.recordId));
        largestPage = Math.max(largestPage, Buffer.byteLength(JSON.stringify(page)));
      } while (page.nextPageToken);
    });
    const distinct = new Set(listed).size;
    check(distinct === n && listed.length === n, `listed ${listed.length} (${distinct} distinct), not ${n}`);
    const problemQuery = Buffer.byteLength(JSON.stringify(await problems.show(pipeline, ids[0])));
    const pipelineStatus = Buffer.byteLength(JSON.stringify(await operations.status()));

    log(`fixing the phones at the source and replaying ${m === n ? 'them all' : `the first ${m}`} in bulk`);
    bench.salesforce.touchAccounts([...replayed], { Phone: GOOD_PHONE });
    bench.netsuite.reset();
    bench.netsuite.setFaults({ latencyMs: settings.latencyMs, concurrencyLimit: settings.concurrency });
    const salesforceBefore = salesforceResponses.count();
    const bulk = await operations.startBulk('replay', m < n ? { until: replayUntil } : {});
    const result = await clock.run('replay (bulk)', m, () => bulk.result());
    const { stats } = bench.netsuite;
    check(
      JSON.stringify(result.counts) === JSON.stringify({ SYNCED: m }),
      `bulk result ${JSON.stringify(result.counts)}, not { SYNCED: ${m} }`,
    );
    const replay = {
      records: m,
      bulkWorkflowId: bulk.workflowId,
      bulkConcurrency: config.pipeline.windowSize,
      pages: result.pages,
      counts: result.counts,
      status429: stats.byStatus['429'] ?? 0,
      netsuitePeakConcurrency: stats.maxConcurrent,
      netsuiteRequests: stats.requests,
      salesforceRequests: salesforceResponses.count() - salesforceBefore,
    };

    const open = await clock.run(`open count reaches ${n - m}`, null, () =>
      pollUntil(
        () => problems.count(pipeline),
        (count) => count === n - m,
        60_000 + n * 2,
      ),
    );
    check(open === n - m, `${open} problem records open after the replay, not ${n - m}`);
    const customers = bench.netsuite.customers();
    const externalIds = new Set(customers.map((c) => c.externalId)).size;
    check(
      customers.length === m && externalIds === m,
      `${customers.length} customers, ${externalIds} external ids`,
    );

    const samples = worker.samples();
    const phases = clock.phases.map(({ from, to, ...phase }) => ({
      ...phase,
      // Samples come every 500 ms: a shorter phase gets its neighbours'.
      workerPeakRssMb: round(
        Math.max(
          ...samples.filter((s) => s.at >= from - 500 && s.at <= to + 500).map((s) => s.rssBytes / MB),
        ),
      ),
    }));
    measured = {
      phases,
      create: {
        reportP50Ms: round(percentile(reportMs, 50)),
        reportP95Ms: round(percentile(reportMs, 95)),
        workflowBacklogPeak: backlogPeak,
      },
      count: {
        polls: countMs.length,
        countByStatusP50Ms: round(percentile(countMs, 50)),
        countByStatusMaxMs: round(Math.max(...countMs)),
        counted,
      },
      list: {
        pages: pageMs.length,
        listed: listed.length,
        distinct,
        pageP50Ms: round(percentile(pageMs, 50)),
        pageMaxMs: round(Math.max(...pageMs)),
      },
      replay,
      after: { openProblemRecords: open, customers: customers.length, distinctExternalIds: externalIds },
      answerBytes: {
        problemQuery,
        pipelineStatus,
        listPage: largestPage,
        bulkResult: Buffer.byteLength(JSON.stringify(result)),
      },
      worker: memoryFigures(samples),
    };
  } finally {
    salesforceResponses.close();
    await worker.stop();
  }

  log('reading histories');
  const bulkRuns = await listRuns(bench.client, `WorkflowId = "${measured.replay.bulkWorkflowId}"`);
  const bulkScans = await scanHistories(bench.client, bulkRuns);
  const [ownerScan] = await scanHistories(bench.client, [{ workflowId: pipelineWorkflowId(pipeline) }]);
  // Replayed ones: the longest histories, and the ones with replay steps to time.
  const sample = await listRuns(
    bench.client,
    `WorkflowType = "problemRecord" AND RecordSyncPipeline = "${pipeline}" AND ExecutionStatus = "Completed"`,
    settings.historySample,
  );
  const problemScans = await scanHistories(bench.client, sample);
  const all = [...bulkScans, ownerScan, ...problemScans];
  const mostPayload = all.reduce((a, b) => (b.largestPayload.bytes > a.largestPayload.bytes ? b : a));
  const largestHistory = {
    bulkRun: largest(bulkScans),
    owner: largest([ownerScan]),
    problemRecord: { ...largest(problemScans), sampled: problemScans.length },
    underWarningThresholds: all.every(
      (s) => s.events < HISTORY_WARNING.events && s.bytes < HISTORY_WARNING.bytes,
    ),
  };
  check(largestHistory.underWarningThresholds, 'a history passed a Temporal warning threshold');
  check(
    bulkRuns.length === measured.replay.pages,
    `${bulkRuns.length} bulk runs for ${measured.replay.pages} pages`,
  );
  check(measured.replay.pages >= Math.ceil(m / BULK_PAGE_SIZE), `only ${measured.replay.pages} bulk pages`);

  return {
    records: n,
    pipeline,
    loadAverage: { before: loadBefore.map((l) => round(l, 2)), after: os.loadavg().map((l) => round(l, 2)) },
    ...measured,
    replay: { ...measured.replay, bulkRuns: bulkRuns.length },
    largestHistory,
    largestPayload: {
      bytes: mostPayload.largestPayload.bytes,
      eventType: mostPayload.largestPayload.eventType,
      workflowId: mostPayload.workflowId,
      largestEventBytes: Math.max(...all.map((s) => s.largestEventBytes)),
    },
    replaySteps: await replaySteps(
      bench.client,
      sample.map((run) => run.workflowId),
    ),
    failedChecks,
  };
}
