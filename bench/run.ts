import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseConfig } from '../src/config';
import { runBaseline } from './baseline';
import { startBenchEnvironment } from './environment';
import { baselineFigures, recordSyncFigures, type BaselineFigures, type RecordSyncFigures } from './figures';
import { parseOptions, type BenchOptions } from './options';
import { measureProblemRecords } from './problem-records';
import { printProblemTable } from './problem-table';
import { measureRecordSync } from './record-sync';
import { printTable } from './table';
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

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.problemRecords !== undefined) return problemRecordsOnly(options, options.problemRecords);
  log(`seeding ${options.records} accounts, starting a dev server and the sandboxes`);
  const bench = await startBenchEnvironment(options.records);
  const writes = new WriteLog(bench.netsuitePort);
  let baseline: BaselineFigures | null = null;
  const recordSync: RecordSyncFigures[] = [];
  try {
    if (!options.skipBaseline) {
      log(
        `baseline: sequential script at L = ${options.latencyMs} ms, first ${options.baselineRecords} records`,
      );
      bench.netsuite.reset();
      bench.netsuite.setFaults({ latencyMs: options.latencyMs, concurrencyLimit: options.concurrency });
      writes.clear();
      const startedAt = Date.now();
      const result = await runBaseline(parseConfig(bench.environment), null, options.baselineRecords);
      baseline = baselineFigures(
        result,
        options.latencyMs,
        startedAt,
        writes.writtenAt,
        writes.lastWriteAt,
        bench.netsuite.stats.byStatus,
      );
    }
    const latencies = options.skipZeroLatency ? [options.latencyMs] : [options.latencyMs, 0];
    for (const latencyMs of [...new Set(latencies)]) {
      log(`record-sync at L = ${latencyMs} ms`);
      const profiling = options.profile && latencyMs === 0;
      const measurement = await measureRecordSync(bench, writes, {
        ...options,
        latencyMs,
        cpuProfileDir: profiling ? path.join(path.dirname(options.json), 'profiles') : undefined,
      });
      recordSync.push(recordSyncFigures(measurement, latencyMs, options.concurrency));
    }
  } finally {
    writes.close();
    await bench.teardown();
  }

  const report = { date: new Date().toISOString(), machine: machine(), options, baseline, recordSync };
  printTable(report);
  writeReport(options, report);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
