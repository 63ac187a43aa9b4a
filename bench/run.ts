import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseConfig } from '../src/config';
import { runBaseline } from './baseline';
import { startBenchEnvironment } from './environment';
import { measureCeiling } from './ceiling';
import { checkoutOf } from './checkout';
import {
  baselineFigures,
  ceilingFigures,
  ceilingPair,
  recordSyncFigures,
  spreadOf,
  type BaselineFigures,
  type CeilingFigures,
  type CeilingPair,
  type RecordSyncFigures,
} from './figures';
import { parseOptions, type BenchOptions } from './options';
import { measureProblemRecords } from './problem-records';
import { printProblemTable } from './problem-table';
import { printReconciliationTable } from './reconcile-table';
import { measureReconciliation } from './reconciliation';
import { measureRecordSync } from './record-sync';
import { cpuSeconds, machineBusySeconds } from './processes';
import { pathSteps, recordInputBytes, stepCosts, type StepTable } from './steps';
import { printTable, type Report } from './table';
import { measureVendorFiles } from './vendor-files';
import { printVendorTable } from './vendor-table';
import { WriteLog } from './writes';

// The benchmark's own client logs nothing useful at info level.
Runtime.install({ logger: new DefaultLogger('WARN') });

const log = (line: string) => console.error(`[bench] ${line}`);

const machine = () => ({
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
});

function writeReport(options: BenchOptions, report: object): void {
  mkdirSync(path.dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  log(`figures written to ${options.json}`);
}

/** `--problem-records N`: only the problem-records measurement, against the same environment. */
async function problemRecordsOnly(options: BenchOptions, records: number): Promise<void> {
  log(`seeding ${records} accounts, starting a dev server and the sandboxes`);
  const bench = await startBenchEnvironment(records);
  let figures;
  try {
    figures = await measureProblemRecords(bench, { ...options, records }, log);
  } finally {
    await bench.teardown();
  }
  const report = { date: new Date().toISOString(), machine: machine(), options, problemRecords: figures };
  printProblemTable(report);
  writeReport(options, report);
}

/** `--vendor-rows N`: only the vendor-file measurement, with its own dev server and database. */
async function vendorFilesOnly(options: BenchOptions, rows: number): Promise<void> {
  const figures = await measureVendorFiles({ ...options, rows }, log);
  const report = { date: new Date().toISOString(), machine: machine(), options, vendorFiles: figures };
  printVendorTable(report);
  writeReport(options, report);
}

/** `--reconcile N`: only the reconciliation measurement, over N accounts in fresh sandboxes. */
async function reconciliationOnly(options: BenchOptions, records: number): Promise<void> {
  log(`seeding ${records} accounts, starting a dev server and the sandboxes`);
  const bench = await startBenchEnvironment(records);
  let figures;
  try {
    figures = await measureReconciliation(bench, { ...options, records }, log);
  } finally {
    await bench.teardown();
  }
  const report = { date: new Date().toISOString(), machine: machine(), options, reconciliation: figures };
  printReconciliationTable(report);
  writeReport(options, report);
}

/** CPU seconds per process over `work`, for a measurement without a worker (the baseline). */
async function withCpu<T>(serverPid: number, work: () => Promise<T>) {
  const before = [cpuSeconds(serverPid), process.cpuUsage(), machineBusySeconds()] as const;
  const startedAt = Date.now();
  const result = await work();
  const own = process.cpuUsage(before[1]);
  const server = cpuSeconds(serverPid) - before[0];
  const sandboxesAndBench = (own.user + own.system) / 1e6;
  const machine = machineBusySeconds() - before[2];
  const cpu = {
    worker: 0,
    server,
    sandboxesAndBench,
    otherProcesses: Math.max(0, machine - server - sandboxesAndBench),
  };
  return { result, cpu: { seconds: (Date.now() - startedAt) / 1000, cpu } };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.problemRecords !== undefined) return problemRecordsOnly(options, options.problemRecords);
  if (options.vendorRows !== undefined) return vendorFilesOnly(options, options.vendorRows);
  if (options.reconcile !== undefined) return reconciliationOnly(options, options.reconcile);
  log(`seeding ${options.records} accounts, starting a dev server and the sandboxes`);
  const bench = await startBenchEnvironment(options.records);
  const writes = new WriteLog(bench.netsuitePort);
  let baseline: BaselineFigures | null = null;
  const recordSync: RecordSyncFigures[] = [];
  const ceilingPairs: CeilingPair[] = [];
  const loadAverage = { before: os.loadavg(), after: [] as number[] };
  const checkout = options.compareWith ? checkoutOf(options.compareWith) : null;
  let recordWorkflowSample: string | undefined;
  let steps: StepTable | null = null;
  const syncAt = async (latencyMs: number, label: string, profile: boolean, workerEntry?: string) => {
    log(`${label}`);
    const measurement = await measureRecordSync(bench, writes, {
      ...options,
      latencyMs,
      workerEntry,
      cpuProfileDir: profile ? path.join(path.dirname(options.json), 'profiles') : undefined,
    });
    recordWorkflowSample ??= measurement.childRequests.keys().next().value;
    const figures = recordSyncFigures(measurement, latencyMs, options.concurrency, label);
    recordSync.push(figures);
    return figures;
  };
  try {
    if (!options.skipBaseline) {
      log(
        `baseline: sequential script at L = ${options.latencyMs} ms, first ${options.baselineRecords} records`,
      );
      bench.netsuite.reset();
      bench.netsuite.setFaults({ latencyMs: options.latencyMs, concurrencyLimit: options.concurrency });
      writes.clear();
      const startedAt = Date.now();
      const { result, cpu } = await withCpu(bench.serverPid, () =>
        runBaseline(parseConfig(bench.environment), null, options.baselineRecords),
      );
      baseline = baselineFigures(
        result,
        options.latencyMs,
        startedAt,
        writes.writtenAt,
        writes.lastWriteAt,
        bench.netsuite.stats.byStatus,
        cpu,
      );
    }
    if (options.latencyMs > 0) await syncAt(options.latencyMs, `record-sync L=${options.latencyMs}ms`, false);
    // At L = 0: the engine ceiling and record-sync, interleaved (ceiling, record-sync, ceiling, …),
    // so that whatever else the machine does meanwhile weighs on both alike.
    const zeroLatency = options.latencyMs === 0 || !options.skipZeroLatency;
    const pairs = zeroLatency ? Math.max(1, options.ceilingPairs) : 0;
    for (let pair = 1; pair <= pairs; pair += 1) {
      const suffix = options.ceilingPairs > 1 ? ` #${pair}` : '';
      let ceiling: CeilingFigures | undefined;
      if (options.ceilingPairs > 0) {
        log(`engine ceiling${suffix}: ${options.records} records, one workflow each, L = 0`);
        ceiling = ceilingFigures(await measureCeiling(bench, options), `ceiling${suffix}`);
      }
      const figures = await syncAt(0, `record-sync L=0ms${suffix}`, options.profile && pair === 1);
      const compared = checkout
        ? await syncAt(0, `record-sync@${checkout.commit} L=0ms${suffix}`, false, checkout.workerEntry)
        : undefined;
      if (ceiling) ceilingPairs.push(ceilingPair(ceiling, figures, compared));
    }
    if (!options.skipSteps && ceilingPairs.length > 0 && recordWorkflowSample) {
      // Each step alone on top of the ceiling, priced against the pairs' ceilings.
      const measured = [];
      for (const step of pathSteps(await recordInputBytes(bench.client, recordWorkflowSample))) {
        log(`per-step cost: the engine ceiling + ${step.name}`);
        const figures = ceilingFigures(
          await measureCeiling(bench, { ...options, ...step.settings }),
          `+ ${step.name}`,
        );
        measured.push({ step, figures });
      }
      const ceilings = ceilingPairs.map((p) => p.ceiling);
      steps = stepCosts(ceilings, spreadOf(ceilings.map((c) => c.recordsPerSecond))!, measured);
    }
    if (!zeroLatency && options.ceilingPairs > 0) {
      log('no engine ceiling: it pairs with record-sync at L = 0, which --skip-zero-latency leaves out');
    }
  } finally {
    writes.close();
    await bench.teardown();
    checkout?.remove();
  }
  loadAverage.after = os.loadavg();

  const report: Report = {
    date: new Date().toISOString(),
    machine: machine(),
    options,
    loadAverage,
    baseline,
    recordSync,
    ceilingPairs,
    ceilingRatio: spreadOf(ceilingPairs.map((p) => p.ratio)),
    compared: checkout
      ? {
          commit: checkout.commit,
          ceilingRatio: spreadOf(ceilingPairs.flatMap((p) => (p.compared ? [p.compared.ratio] : []))),
        }
      : null,
    steps,
  };
  printTable(report);
  writeReport(options, report);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
