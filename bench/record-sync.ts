import { randomUUID } from 'node:crypto';
import type { syncRun } from '../src/workflows/sync-run';
import { DestinationRequests, type DestinationRequestCounts } from './destination-requests';
import type { BenchEnvironment } from './environment';
import { historySizes, readRunChain, type HistorySize, type RunPage } from './histories';
import { cpuSeconds, machineBusySeconds } from './processes';
import { startWorkerProcess, type MemorySample } from './worker-process';
import type { WriteLog } from './writes';

export interface RecordSyncSettings {
  latencyMs: number;
  concurrency: number;
  pageSize: number;
  window: number | undefined;
  historySample: number;
  cpuProfileDir?: string;
  /** Further settings for the worker, e.g. a tuning knob being compared. */
  extraEnvironment?: Record<string, string>;
}

export interface RecordSyncMeasurement {
  read: number;
  synced: number;
  deadLettered: number;
  /** From the start request to the destination's answer to the last write. */
  seconds: number;
  /** When the start request was sent and the last write answered (ms since the epoch). */
  startedAt: number;
  lastWriteAt: number;
  /** The NetSuite sandbox's requests during the sync, by kind (SuiteQL reads timed). */
  destination: DestinationRequestCounts;
  pages: RunPage[];
  writtenAt: Map<string, number>;
  status: Record<string, number>;
  maxConcurrent: number;
  runHistories: HistorySize[];
  pipelineHistory: HistorySize;
  childHistories: HistorySize[];
  /** For every record workflow: when its run asked for it and learnt that it had completed. */
  childRequests: Map<string, { initiatedAt: number; completedAt?: number }>;
  memory: MemorySample[];
  /** CPU seconds per process from the start request until the client saw the run's result. */
  cpu: { worker: number; server: number; sandboxesAndBench: number; otherProcesses: number };
  /** Wall seconds of that CPU window. */
  cpuWindowSeconds: number;
}

/**
 * One sync of every seeded account by record-sync: a fresh pipeline (so no checkpoint yet), the
 * production worker in its own process, and the run started as the schedule would start it.
 */
export async function measureRecordSync(
  bench: BenchEnvironment,
  writes: WriteLog,
  settings: RecordSyncSettings,
): Promise<RecordSyncMeasurement> {
  const unique = randomUUID().slice(0, 8);
  const pipeline = `bench-${unique}`;
  const environment = {
    ...bench.environment,
    SYNC_PIPELINE: pipeline,
    SYNC_TASK_QUEUE: `record-sync-${unique}`,
    NETSUITE_TASK_QUEUE: `record-sync-netsuite-${unique}`,
    SYNC_PAGE_SIZE: String(settings.pageSize),
    NETSUITE_MAX_CONCURRENT_REQUESTS: String(settings.concurrency),
    ...(settings.window ? { SYNC_WINDOW_SIZE: String(settings.window) } : {}),
    ...settings.extraEnvironment,
  };
  const worker = await startWorkerProcess(environment, bench.workDir, settings);
  const destination = new DestinationRequests(bench.netsuitePort);
  let measured: Omit<
    RecordSyncMeasurement,
    'runHistories' | 'pipelineHistory' | 'childHistories' | 'pages' | 'childRequests'
  >;
  const workflowId = `${pipeline}-run`;
  let firstRunId: string;
  try {
    bench.netsuite.reset();
    bench.netsuite.setFaults({ latencyMs: settings.latencyMs, concurrencyLimit: settings.concurrency });
    writes.clear();
    destination.clear();
    const cpuBefore = [
      worker.cpuSeconds(),
      cpuSeconds(bench.serverPid),
      process.cpuUsage(),
      machineBusySeconds(),
    ] as const;
    worker.sampleMemory();

    const startedAt = Date.now();
    const handle = await bench.client.workflow.start<typeof syncRun>('syncRun', {
      workflowId,
      taskQueue: environment.SYNC_TASK_QUEUE,
      args: [{ pipeline }],
    });
    firstRunId = handle.firstExecutionRunId;
    const summary = await handle.result();
    if (writes.lastWriteAt === 0) {
      throw new Error('the benchmark saw no customer write reach the NetSuite sandbox: see bench/writes.ts');
    }

    const ownCpu = process.cpuUsage(cpuBefore[2]);
    const cpu = {
      worker: worker.cpuSeconds() - cpuBefore[0],
      server: cpuSeconds(bench.serverPid) - cpuBefore[1],
      sandboxesAndBench: (ownCpu.user + ownCpu.system) / 1e6,
    };
    // Anything else this machine ran meanwhile (other builds, tests) competed for the same cores.
    const machine = machineBusySeconds() - cpuBefore[3];
    measured = {
      read: summary.counts.read,
      synced: summary.counts.synced,
      deadLettered: summary.counts.deadLettered,
      seconds: (writes.lastWriteAt - startedAt) / 1000,
      startedAt,
      lastWriteAt: writes.lastWriteAt,
      destination: destination.snapshot(),
      cpuWindowSeconds: (Date.now() - startedAt) / 1000,
      writtenAt: new Map(writes.writtenAt),
      status: { ...bench.netsuite.stats.byStatus },
      maxConcurrent: bench.netsuite.stats.maxConcurrent,
      memory: worker.samples(),
      cpu: { ...cpu, otherProcesses: Math.max(0, machine - cpu.worker - cpu.server - cpu.sandboxesAndBench) },
    };
  } finally {
    destination.close();
    await worker.stop();
  }

  const prefix = `record-sync-${pipeline}-`;
  const chain = await readRunChain(
    bench.client,
    workflowId,
    firstRunId,
    (childId) => childId.slice(prefix.length).split('-')[0],
  );
  const sample = chain.childWorkflowIds.filter(
    (_, index, all) => index % Math.max(1, Math.floor(all.length / settings.historySample)) === 0,
  );
  const [pipelineHistory] = await historySizes(bench.client, [`record-sync-pipeline-${pipeline}`]);
  return {
    ...measured,
    pages: chain.pages,
    childRequests: chain.children,
    runHistories: chain.histories,
    pipelineHistory,
    childHistories: await historySizes(bench.client, sample.slice(0, settings.historySample)),
  };
}
