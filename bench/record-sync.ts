import type { syncRun } from '../src/workflows/sync-run';
import { DestinationRequests, type DestinationRequestCounts } from './destination-requests';
import { measuredPipeline, type BenchEnvironment } from './environment';
import { historySizes, readRunChain, type HistorySize, type RunPage } from './histories';
import { cpuMeter } from './processes';
import { startWorkerProcess, type MemorySample } from './worker-process';
import type { WriteLog } from './writes';

export interface RecordSyncSettings {
  latencyMs: number;
  concurrency: number;
  pageSize: number;
  window: number | undefined;
  historySample: number;
  cpuProfileDir?: string;
  /** The worker entry point of another checkout (`--compare-with`); default: this one's src/worker.ts. */
  workerEntry?: string;
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
  const { pipeline, environment } = measuredPipeline(bench, settings, {
    SYNC_PAGE_SIZE: String(settings.pageSize),
    ...settings.extraEnvironment,
  });
  const worker = await startWorkerProcess(environment, bench.workDir, {
    ...settings,
    entry: settings.workerEntry,
  });
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
    const cpuUsed = cpuMeter(() => worker.cpuSeconds(), bench.serverPid);
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

    const cpu = cpuUsed();
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
      cpu,
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
