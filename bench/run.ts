import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseConfig } from '../src/config';
import { runBaseline } from './baseline';
import { startBenchEnvironment } from './environment';
import { baselineFigures, recordSyncFigures, type BaselineFigures, type RecordSyncFigures } from './figures';
import { parseOptions } from './options';
import { measureRecordSync } from './record-sync';
import { printTable } from './table';
import { WriteLog } from './writes';

// The benchmark's own client logs nothing useful at info level.
Runtime.install({ logger: new DefaultLogger('WARN') });

const log = (line: string) => console.error(`[bench] ${line}`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
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

  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  const report = { date: new Date().toISOString(), machine, options, baseline, recordSync };
  printTable(report);
  mkdirSync(path.dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  log(`figures written to ${options.json}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
