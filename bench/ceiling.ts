import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { parseConfig } from '../src/config';
import { pipelineWorkerTuning } from '../src/workers';
import type { BenchEnvironment } from './environment';
import type { CeilingRunInput, CeilingSteps, ceilingOwner, ceilingRun } from './ceiling-workflows';
import { ownerDoneSignal } from './ceiling-workflows';
import { historySizes, readRunChain, type HistorySize, type RunPage } from './histories';
import { cpuMeter } from './processes';
import { startWorkerProcess, type MemorySample } from './worker-process';

export interface CeilingSettings {
  records: number;
  concurrency: number;
  pageSize: number;
  window: number | undefined;
  historySample: number;
  /** Steps of record-sync's record path added to the ceiling (bench/steps.ts); none: the ceiling itself. */
  steps?: CeilingSteps;
  /** Payloads encrypted with record-sync's data converter, by the worker and the starting client. */
  codec?: boolean;
}

/** The pipeline worker's tuning (src/workers.ts), which the ceiling's worker takes as it is. */
export type WorkerTuning = ReturnType<typeof pipelineWorkerTuning>;

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
  const tuning = pipelineWorkerTuning(config);
  const unique = randomUUID().slice(0, 8);
  const prefix = `ceiling-${unique}`;
  const taskQueue = `ceiling-${unique}`;
  const worker = await startWorkerProcess(
    {
      ...(settings.codec ? bench.environment : { TEMPORAL_ADDRESS: bench.environment.TEMPORAL_ADDRESS }),
      CEILING_TASK_QUEUE: taskQueue,
      CEILING_TUNING: JSON.stringify(tuning),
      CEILING_CODEC: settings.codec ? '1' : '0',
    },
    bench.workDir,
    { entry: path.resolve(__dirname, 'ceiling-worker.ts'), ready: /ceiling worker polling/ },
  );
  // No payload codec unless asked: the ceiling is the engine alone (record-sync's encryption is its own cost).
  const client = settings.codec
    ? bench.client
    : new Client({ connection: bench.client.connection, namespace: bench.client.options.namespace });
  const steps = settings.steps ?? {};
  const workflowId = `${prefix}-run`;
  let startedAt: number;
  let firstRunId: string;
  let measured: Pick<CeilingMeasurement, 'cpu' | 'memory' | 'cpuWindowSeconds'>;
  try {
    const cpuUsed = cpuMeter(() => worker.cpuSeconds(), bench.serverPid);
    worker.sampleMemory();
    startedAt = Date.now();
    const owner = steps.ownerSignal
      ? await client.workflow.start<typeof ceilingOwner>('ceilingOwner', {
          workflowId: `${prefix}-owner`,
          taskQueue,
        })
      : undefined;
    const input: CeilingRunInput = {
      prefix,
      records: settings.records,
      pageSize,
      windowSize,
      offset: 0,
      steps,
    };
    const handle = await client.workflow.start<typeof ceilingRun>('ceilingRun', {
      workflowId,
      taskQueue,
      args: [input],
    });
    firstRunId = handle.firstExecutionRunId;
    await handle.result();
    await owner?.signal(ownerDoneSignal);
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
