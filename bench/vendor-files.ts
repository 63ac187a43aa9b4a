import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoSecrets } from '../sandbox/settings';
import { freePort } from '../scripts/dev-server';
import { parseConfig } from '../src/config';
import { connectPostgres, type Database } from '../src/connectors/database';
import type { RunCounts, RunSummary } from '../src/domain/sync';
import { connectClient } from '../src/temporal';
import { pipelineWorkflowId } from '../src/workflows/ids';
import type { syncRun } from '../src/workflows/sync-run';
import { HISTORY_WARNING, historySizes, readRunChain, type HistorySize } from './histories';
import { startBenchServer } from './environment';
import { percentile, round } from './phases';
import { scanHistory } from './problem-histories';
import type { LargestHistory } from './problem-records';
import { childProcesses, cpuMeter, residentBytes } from './processes';
import { VENDOR_A_FILE, writeVendorCsv } from './vendor-csv';
import { startWorkerProcess, type MemorySample } from './worker-process';

const MB = 1024 * 1024;
/** Second-half RSS growth under this share of the end RSS reads as flat (GC saw-teeth are noise). */
const FLAT_SHARE = 0.05;

export interface VendorFilesSettings {
  rows: number;
  /** SYNC_WINDOW_SIZE; undefined keeps the product's default. */
  window: number | undefined;
  historySample: number;
}

export interface VendorFilesFigures {
  rows: number;
  pipeline: string;
  file: { name: string; megabytes: number; writeSeconds: number };
  pageSize: number;
  windowSize: number;
  /** os.loadavg() (1, 5, 15 min) when the measurement started and when it ended. */
  loadAverage: { before: number[]; after: number[] };
  /** From the start request to the run's result (the file reconciled and archived). */
  seconds: number;
  rowsPerSecond: number;
  counts: RunCounts;
  pages: number;
  /** Rows the first page held, and the most any page held. */
  pageRows: { first: number; most: number };
  /**
   * From the runs' histories: the read activity of the pages with rows after the first (the first
   * of them, the median, the last: whether reads slow as workflows pile up), and the last run's
   * end after its rows (reconciliation, archive).
   */
  readActivityMs: { first: number; p50: number; last: number };
  lastPageEndMs: number;
  cpuMsPerRow: { worker: number; server: number; postgres: number; bench: number };
  coresBusy: { worker: number; server: number; postgres: number; bench: number; otherProcesses: number };
  worker: {
    startRssMb: number;
    peakRssMb: number;
    endRssMb: number;
    /** Median of each quarter of the run. */
    quarterMediansMb: number[];
    /** Least-squares slope of RSS over the second half of the run, per minute and per 10,000 rows. */
    secondHalfSlopeMbPerMinute: number;
    secondHalfSlopeMbPer10kRows: number;
    secondHalfGrowthMb: number;
    flat: boolean;
  };
  largestHistory: {
    run: LargestHistory & { runs: number };
    owner: LargestHistory;
    row: LargestHistory & { sampled: number };
    underWarningThresholds: boolean;
  };
  /** In the largest run's history: a page's rows travel in the read's result and in each child's input. */
  largestPayload: { bytes: number; eventType: string; largestEventBytes: number };
  database: {
    performanceRecords: number;
    auditRows: number;
    reconciliation: Record<string, number>;
    fileLoad: string;
    megabytes: number;
  };
  failedChecks: string[];
}

/** The machine's PostgreSQL, as test/postgres.ts finds it. */
const postgresUrl = (database: string) =>
  `postgres://${encodeURIComponent(process.env.PGUSER ?? 'postgres')}@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}/${database}`;

/**
 * CPU seconds of every PostgreSQL process on the machine, plus those its exited backends left in
 * the postmaster's cutime/cstime: the server does the upserts' work, which would otherwise count
 * as "other processes". Other clients of the same server count too.
 */
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      // After the command name: utime, stime, cutime, cstime are fields 14 to 17.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  // Linux counts them in 1/100 s (USER_HZ), as processes.ts reads them.
  return ticks / 100;
}

/** A dev server on two free ports, as bench/environment.ts starts it. */
async function startServer(dataDir: string) {
  // Each port is free when asked for but released at once: the kernel may hand out one twice.
  const ports = new Set<number>();
  while (ports.size < 2) ports.add(await freePort());
  const [port, uiPort] = [...ports];
  return startBenchServer(dataDir, port, uiPort);
}

function largest(histories: HistorySize[]): LargestHistory {
  const most = histories.reduce((a, b) => (b.events > a.events ? b : a), histories[0]);
  return most
    ? { events: most.events, bytes: Math.max(...histories.map((h) => h.bytes)), workflowId: most.workflowId }
    : { events: 0, bytes: 0, workflowId: '' };
}

/** Start, peak and end RSS, and whether it still grew over the second half of the run. */
function memoryFigures(samples: MemorySample[], rowsPerSecond: number): VendorFilesFigures['worker'] {
  const mb = samples.map((s) => ({ seconds: s.at / 1000, rss: s.rssBytes / MB }));
  const half = mb.filter((s) => s.seconds >= mb[mb.length - 1].seconds / 2);
  const meanOf = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const t = meanOf(half.map((s) => s.seconds));
  const r = meanOf(half.map((s) => s.rss));
  const variance = half.reduce((sum, s) => sum + (s.seconds - t) ** 2, 0);
  const slope = variance > 0 ? half.reduce((sum, s) => sum + (s.seconds - t) * (s.rss - r), 0) / variance : 0;
  const growth = slope * (half[half.length - 1].seconds - half[0].seconds);
  const end = mb[mb.length - 1].rss;
  const quarter = Math.max(1, Math.floor(mb.length / 4));
  return {
    startRssMb: round(mb[0].rss),
    peakRssMb: round(Math.max(...mb.map((s) => s.rss))),
    endRssMb: round(end),
    quarterMediansMb: [0, 1, 2, 3].map((q) =>
      round(
        percentile(
          mb.slice(q * quarter, q === 3 ? mb.length : (q + 1) * quarter).map((s) => s.rss),
          50,
        ),
      ),
    ),
    secondHalfSlopeMbPerMinute: round(slope * 60, 2),
    secondHalfSlopeMbPer10kRows: round((slope * 10_000) / rowsPerSecond, 1),
    secondHalfGrowthMb: round(growth),
    flat: growth < FLAT_SHARE * end,
  };
}

async function count(db: Database, sql: string): Promise<number> {
  return Number((await db.query<{ n: string }>(sql))[0].n);
}

/**
 * One vendor-a file of `rows` valid rows through the vendor-file pipeline: a dev server, a fresh
 * database on the machine's PostgreSQL, a folder drop, the production worker in its own process,
 * and one `syncRun` from the start request to its result (every row loaded, the file reconciled
 * and archived).
 */
export async function measureVendorFiles(
  settings: VendorFilesSettings,
  log: (line: string) => void,
): Promise<VendorFilesFigures> {
  const loadBefore = os.loadavg();
  const n = settings.rows;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'record-sync-bench-vendor-'));
  const drop = path.join(workDir, 'drop');
  const cleanup: (() => Promise<void>)[] = [async () => rmSync(workDir, { recursive: true, force: true })];
  try {
    mkdirSync(path.join(drop, 'inbox'), { recursive: true });
    log(`writing ${n} vendor-a rows`);
    const writeStarted = Date.now();
    const bytes = await writeVendorCsv(path.join(drop, 'inbox'), n);
    const file = {
      name: VENDOR_A_FILE,
      megabytes: round(bytes / MB, 2),
      writeSeconds: round((Date.now() - writeStarted) / 1000, 2),
    };
    log(`${file.name}: ${file.megabytes} MB in ${file.writeSeconds} s`);

    const database = `record_sync_bench_${randomBytes(6).toString('hex')}`;
    const admin = connectPostgres(postgresUrl('postgres'));
    cleanup.unshift(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.close();
    });
    await admin.query(`CREATE DATABASE ${database}`);

    log('starting a dev server');
    const server = await startServer(workDir);
    cleanup.unshift(() => server.stop());
    // The CLI the SDK downloads is named temporal-cli-<version>: match either.
    const [serverPid] = childProcesses(process.pid, 'temporal');

    const unique = randomBytes(4).toString('hex');
    const pipeline = `bench-${unique}`;
    const environment: Record<string, string> = {
      ...demoSecrets(),
      TEMPORAL_ADDRESS: server.address,
      SYNC_TASK_QUEUE: `record-sync-${unique}`,
      ...(settings.window ? { SYNC_WINDOW_SIZE: String(settings.window) } : {}),
      VENDOR_PIPELINE: pipeline,
      VENDOR_FILES_FOLDER: drop,
      // The file is whole before the worker starts: no copy to wait for.
      VENDOR_FILES_SETTLE: '0s',
      // The worker runs in workDir, where the default relative path finds nothing.
      VENDOR_MAPPINGS_FILE: path.resolve(__dirname, '../config/vendor-mappings.json'),
      DATABASE_URL: postgresUrl(database),
    };
    const config = parseConfig(environment);
    const vendor = config.vendorPerformance!;
    const client = await connectClient(config);
    cleanup.unshift(() => client.connection.close());

    log('starting the worker');
    const worker = await startWorkerProcess(environment, workDir);
    cleanup.unshift(() => worker.stop());

    log(`syncing ${n} rows, ${vendor.settings.pageSize} a page`);
    const workflowId = `${pipeline}-run`;
    const cpuUsed = cpuMeter(() => worker.cpuSeconds(), serverPid);
    const postgresBefore = postgresCpuSeconds();
    worker.sampleMemory();
    const startedAt = Date.now();
    const handle = await client.workflow.start<typeof syncRun>('syncRun', {
      workflowId,
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    const summary = (await handle.result()) as RunSummary;
    const seconds = (Date.now() - startedAt) / 1000;
    const cpu = cpuUsed();
    const postgres = postgresCpuSeconds() - postgresBefore;
    // One more sample, so that the end RSS is the run's end and not up to 500 ms before it.
    const endRss = residentBytes(worker.pid);
    const samples = [
      ...worker.samples(),
      ...(endRss ? [{ at: Date.now() - startedAt, rssBytes: endRss }] : []),
    ];
    await worker.stop();

    log('reading histories and counting rows');
    const chain = await readRunChain(client, workflowId, handle.firstExecutionRunId, (id) => id);
    const step = Math.max(1, Math.floor(chain.childWorkflowIds.length / settings.historySample));
    const sample = chain.childWorkflowIds
      .filter((_, index) => index % step === 0)
      .slice(0, settings.historySample);
    const rowHistories = await historySizes(client, sample);
    const [ownerHistory] = await historySizes(client, [pipelineWorkflowId(pipeline)]);
    const all = [...chain.histories, ownerHistory, ...rowHistories];
    const withRows = chain.pages.filter((p) => p.readAt > 0 && p.recordIds.length > 0);
    // The first page is small by design (its rows size the later ones): compare those after it.
    const reads = (withRows.length > 1 ? withRows.slice(1) : withRows).map(
      (p) => p.readAt - p.readScheduledAt,
    );
    const lastPage = chain.pages[chain.pages.length - 1];
    // Pages are sized by their rows' bytes (the first is small): scan the largest run's payloads.
    let largestRun = { runId: handle.firstExecutionRunId, size: -1 };
    for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      if ((run.historySize ?? 0) > largestRun.size)
        largestRun = { runId: run.runId, size: run.historySize ?? 0 };
    }
    const runScan = await scanHistory(client, workflowId, largestRun.runId);
    const pageRows = chain.pages.map((p) => p.recordIds.length);

    const db = connectPostgres(postgresUrl(database));
    let figures: VendorFilesFigures;
    try {
      const performanceRecords = await count(db, 'SELECT count(*) AS n FROM performance_records');
      const auditRows = await count(db, 'SELECT count(*) AS n FROM audit_log');
      const reconciliation = Object.fromEntries(
        (
          await db.query<{ status: string; n: string }>(
            'SELECT status, count(*) AS n FROM reconciliation_results GROUP BY status',
          )
        ).map((r) => [r.status, Number(r.n)]),
      );
      const [load] = await db.query<{ status: string; rows_read: number | null }>(
        'SELECT status, rows_read FROM file_loads',
      );
      const size = await count(db, 'SELECT pg_database_size(current_database()) AS n');
      const cores = (value: number) => round(value / seconds, 2);
      const perRow = (value: number) => round((value * 1000) / n, 2);
      const otherProcesses = Math.max(0, cpu.otherProcesses - postgres);
      figures = {
        rows: n,
        pipeline,
        file,
        pageSize: vendor.settings.pageSize,
        windowSize: vendor.settings.windowSize,
        loadAverage: {
          before: loadBefore.map((l) => round(l, 2)),
          after: os.loadavg().map((l) => round(l, 2)),
        },
        seconds: round(seconds, 2),
        rowsPerSecond: round(n / seconds),
        counts: summary.counts,
        pages: summary.pages,
        pageRows: { first: pageRows[0] ?? 0, most: Math.max(0, ...pageRows) },
        readActivityMs: { first: reads[0], p50: percentile(reads, 50), last: reads[reads.length - 1] },
        // A file of whole pages ends with an empty one: then the run's end follows its read.
        lastPageEndMs: round(
          lastPage.closedAt -
            (Number.isNaN(lastPage.lastChildDoneAt) ? lastPage.readAt : lastPage.lastChildDoneAt),
        ),
        cpuMsPerRow: {
          worker: perRow(cpu.worker),
          server: perRow(cpu.server),
          postgres: perRow(postgres),
          bench: perRow(cpu.sandboxesAndBench),
        },
        coresBusy: {
          worker: cores(cpu.worker),
          server: cores(cpu.server),
          postgres: cores(postgres),
          bench: cores(cpu.sandboxesAndBench),
          otherProcesses: cores(otherProcesses),
        },
        worker: memoryFigures(samples, n / seconds),
        largestHistory: {
          run: { ...largest(chain.histories), runs: chain.histories.length },
          owner: largest([ownerHistory]),
          row: { ...largest(rowHistories), sampled: rowHistories.length },
          underWarningThresholds: all.every(
            (h) => h.events < HISTORY_WARNING.events && h.bytes < HISTORY_WARNING.bytes,
          ),
        },
        largestPayload: {
          bytes: runScan.largestPayload.bytes,
          eventType: runScan.largestPayload.eventType,
          largestEventBytes: runScan.largestEventBytes,
        },
        database: {
          performanceRecords,
          auditRows,
          reconciliation,
          fileLoad: load ? `${load.status}, ${load.rows_read} rows read` : 'none',
          megabytes: round(size / MB),
        },
        failedChecks: [],
      };
    } finally {
      await db.close();
    }

    const check = (ok: boolean, what: string) => {
      if (!ok) figures.failedChecks.push(what);
    };
    const { counts } = summary;
    check(
      counts.read === n && counts.synced === n,
      `the run read ${counts.read} and synced ${counts.synced}`,
    );
    check(
      figures.database.performanceRecords === n,
      `performance_records has ${figures.database.performanceRecords} rows`,
    );
    check(figures.database.auditRows === n, `audit_log has ${figures.database.auditRows} rows`);
    check(
      figures.database.reconciliation.PASSED === n && !figures.database.reconciliation.FAILED,
      `reconciliation ${JSON.stringify(figures.database.reconciliation)}`,
    );
    check(figures.database.fileLoad === `LOADED, ${n} rows read`, `file load: ${figures.database.fileLoad}`);
    check(readdirSync(path.join(drop, 'inbox')).length === 0, 'the file is still in the inbox');
    check(
      chain.histories.length === summary.pages,
      `${chain.histories.length} runs for ${summary.pages} pages`,
    );
    check(figures.largestHistory.underWarningThresholds, 'a history passed a Temporal warning threshold');
    return figures;
  } finally {
    // Each step on its own: a server that would not stop must not leave the database behind.
    for (const step of cleanup) await step().catch((error: Error) => log(`cleanup: ${error.message}`));
  }
}
