import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { parseConfig } from '../src/config';
import type { BenchEnvironment } from './environment';
import type { CeilingRunInput, ceilingRun } from './ceiling-workflows';
import { historySizes, readRunChain, type HistorySize, type RunPage } from './histories';
import { cpuMeter } from './processes';
import { startWorkerProcess, type MemorySample } from './worker-process';

export interface CeilingSettings {
  records: number;
  concurrency: number;
  pageSize: number;
  window: number | undefined;
  historySample: number;
}

/** The pipeline worker's tuning in src/workers.ts, which the ceiling's worker copies. */
export interface WorkerTuning {
  nonStickyToStickyPollRatio: number;
  maxConcurrentLocalActivityExecutions: number;
  /** Tuning options src/workers.ts sets on the pipeline worker that the ceiling does not copy. */
  notCopied: string[];
}

export interface CeilingMeasurement {
  records: number;
  /** From the start request to the last record workflow's close (server time). */
  seconds: number;
  pageSize: number;
  windowSize: number;
  tuning: WorkerTuning;
  pages: RunPage[];
  runHistories: HistorySize[];
  childHistories: HistorySize[];
  childRequests: Map<string, { initiatedAt: number; completedAt?: number }>;
  memory: MemorySample[];
  /** CPU seconds per process from the start request until the client saw the result. */
  cpu: { worker: number; server: number; sandboxesAndBench: number; otherProcesses: number };
  /** Wall seconds of that CPU window. */
  cpuWindowSeconds: number;
}

/** Worker options that change how fast a worker takes tasks (`WorkerOptions` of @temporalio/worker). */
const TUNING_OPTIONS = [
  'maxConcurrentWorkflowTaskExecutions',
  'maxConcurrentLocalActivityExecutions',
  'maxConcurrentActivityTaskExecutions',
  'maxConcurrentWorkflowTaskPolls',
  'maxConcurrentActivityTaskPolls',
  'workflowTaskPollerBehavior',
  'activityTaskPollerBehavior',
  'nonStickyToStickyPollRatio',
  'maxCachedWorkflows',
  'workflowThreadPoolSize',
  'reuseV8Context',
  'stickyQueueScheduleToStartTimeout',
  'tuner',
  'maxActivitiesPerSecond',
  'maxTaskQueueActivitiesPerSecond',
];
const COPIED = new Set(['nonStickyToStickyPollRatio', 'maxConcurrentLocalActivityExecutions']);

/**
 * Reads record-sync's pipeline worker tuning from src/workers.ts (its constants are not exported),
 * so the ceiling follows a change there. Fails loudly when the source no longer matches.
 */
export function recordSyncWorkerTuning(maxConcurrentRequests: number): WorkerTuning {
  const file = path.resolve(__dirname, '../src/workers.ts');
  const source = readFileSync(file, 'utf8');
  // The pipeline worker is the first Worker.create; the destination worker the second.
  const pipelineWorker = source.split('Worker.create(')[1]?.split('Worker.create(')[0] ?? '';
  const ratio = /nonStickyToStickyPollRatio:\s*([\d.]+)/.exec(pipelineWorker);
  const slots =
    /maxConcurrentLocalActivityExecutions:\s*config\.netsuite\.maxConcurrentRequests\s*\+\s*(\w+)/.exec(
      pipelineWorker,
    );
  const extra = slots && new RegExp(`const ${slots[1]}\\s*=\\s*(\\d+)`).exec(source);
  if (!ratio || !slots || !extra) {
    throw new Error(
      `bench/ceiling.ts no longer finds the pipeline worker's nonStickyToStickyPollRatio and ` +
        `maxConcurrentLocalActivityExecutions in ${file}: update recordSyncWorkerTuning()`,
    );
  }
  return {
    nonStickyToStickyPollRatio: Number(ratio[1]),
    maxConcurrentLocalActivityExecutions: maxConcurrentRequests + Number(extra[1]),
    notCopied: TUNING_OPTIONS.filter(
      (option) => !COPIED.has(option) && new RegExp(`\\b${option}\\s*:`).test(pipelineWorker),
    ),
  };
}

/**
 * The engine ceiling (bench/ceiling-workflows.ts) over `records` ids: its worker in its own
 * process, the same dev server, page size and window as record-sync, no destination at all.
 */
export async function measureCeiling(
  bench: BenchEnvironment,
  settings: CeilingSettings,
): Promise<CeilingMeasurement> {
  // The page size and window exactly as record-sync's configuration reads them (defaults included).
  const config = parseConfig({
    ...bench.environment,
    SYNC_PAGE_SIZE: String(settings.pageSize),
    NETSUITE_MAX_CONCURRENT_REQUESTS: String(settings.concurrency),
    ...(settings.window ? { SYNC_WINDOW_SIZE: String(settings.window) } : {}),
  });
  const { pageSize, windowSize } = config.pipeline;
  const tuning = recordSyncWorkerTuning(config.accounts!.netsuite.maxConcurrentRequests);
  const unique = randomUUID().slice(0, 8);
  const prefix = `ceiling-${unique}`;
  const taskQueue = `ceiling-${unique}`;
  const worker = await startWorkerProcess(
    {
      TEMPORAL_ADDRESS: bench.environment.TEMPORAL_ADDRESS,
      CEILING_TASK_QUEUE: taskQueue,
      CEILING_LOCAL_ACTIVITY_SLOTS: String(tuning.maxConcurrentLocalActivityExecutions),
      CEILING_NON_STICKY_TO_STICKY_POLL_RATIO: String(tuning.nonStickyToStickyPollRatio),
    },
    bench.workDir,
    { entry: path.resolve(__dirname, 'ceiling-worker.ts'), ready: /ceiling worker polling/ },
  );
  // No payload codec: the ceiling is the engine alone (record-sync's encryption is its own cost).
  const client = new Client({
    connection: bench.client.connection,
    namespace: bench.client.options.namespace,
  });
  const workflowId = `${prefix}-run`;
  let startedAt: number;
  let firstRunId: string;
  let measured: Pick<CeilingMeasurement, 'cpu' | 'memory' | 'cpuWindowSeconds'>;
  try {
    const cpuUsed = cpuMeter(() => worker.cpuSeconds(), bench.serverPid);
    worker.sampleMemory();
    startedAt = Date.now();
    const input: CeilingRunInput = { prefix, records: settings.records, pageSize, windowSize, offset: 0 };
    const handle = await client.workflow.start<typeof ceilingRun>('ceilingRun', {
      workflowId,
      taskQueue,
      args: [input],
    });
    firstRunId = handle.firstExecutionRunId;
    await handle.result();
    measured = {
      memory: worker.samples(),
      cpuWindowSeconds: (Date.now() - startedAt) / 1000,
      cpu: cpuUsed(),
    };
  } finally {
    await worker.stop();
  }

  const chain = await readRunChain(client, workflowId, firstRunId, (childId) =>
    childId.slice(prefix.length + 1),
  );
  const step = Math.max(1, Math.floor(chain.childWorkflowIds.length / settings.historySample));
  const sample = chain.childWorkflowIds.filter((_, index) => index % step === 0);
  const childHistories = await historySizes(client, sample.slice(0, settings.historySample));
  // The end: the last record workflow's close, like record-sync's last write (not the parent's
  // last workflow task after it).
  const [lastChild] = [...chain.children].sort(([, a], [, b]) => (b.completedAt ?? 0) - (a.completedAt ?? 0));
  const [last] = lastChild ? await historySizes(client, [lastChild[0]]) : [];
  const endedAt = last?.timeline.closedAt ?? Date.now();
  return {
    records: chain.childWorkflowIds.length,
    seconds: (endedAt - startedAt) / 1000,
    pageSize,
    windowSize,
    tuning,
    pages: chain.pages,
    runHistories: chain.histories,
    childHistories,
    childRequests: chain.children,
    ...measured,
  };
}
