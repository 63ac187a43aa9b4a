import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { dataConverter, failureConverterPath } from '../src/codec/data-converter';
import { parseConfig, type Config } from '../src/config';
import { innermostMessage } from '../src/domain/failure-text';
import { pipelineOperations } from '../src/operations';
import { createWorkers } from '../src/workers';
import { searchAttributes } from '../src/workflows/search-attributes';
import type { RunSummary } from '../src/domain/sync';
import type { ProblemSummary } from '../src/problem-records';
import type { ProblemView } from '../src/workflows/messages';
import type { syncRun } from '../src/workflows/sync-run';
import { sandboxSettings } from '../sandbox/settings';
import { startNetSuiteSandbox, type NetSuiteSandbox } from '../sandbox/netsuite';
import { startSalesforceSandbox, type SalesforceSandbox } from '../sandbox/salesforce';
import { findTemporalCli } from '../scripts/temporal-cli';

// Failing activities are expected in these tests: keep the SDK's own log to errors, unless
// RECORD_SYNC_TEST_LOG=WARN asks for activity failures too (when a test fails for a reason unseen).
Runtime.install({
  logger: new DefaultLogger(process.env.RECORD_SYNC_TEST_LOG === 'WARN' ? 'WARN' : 'ERROR'),
});

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow code, bundled once per test process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    // As in production: failure messages go through the payload codec too.
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/**
 * A real Temporal dev server, from the CLI the project provisions; or, with
 * RECORD_SYNC_TEST_TEMPORAL_ADDRESS set (`npm run test:postgres`), a server already running there.
 */
export async function startTemporal(
  options: { extraArgs?: string[]; suggestContinueAsNewAt?: number } = {},
): Promise<TestWorkflowEnvironment> {
  // Tests of bounded state make the server suggest continue-as-new early and push past it.
  const suggest = options.suggestContinueAsNewAt;
  if (suggest !== undefined) {
    const extraArgs = [
      ...(options.extraArgs ?? []),
      '--dynamic-config-value',
      `limit.historyCount.suggestContinueAsNew=${suggest}`,
    ];
    return startTemporal({ extraArgs });
  }
  const existing = process.env.RECORD_SYNC_TEST_TEMPORAL_ADDRESS;
  if (existing && !options.extraArgs)
    return TestWorkflowEnvironment.createFromExistingServer({ address: existing });
  const cli = findTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...('path' in cli ? { executable: { type: 'existing-path', path: cli.path } } : {}),
      ip: '127.0.0.1',
      ui: false,
      searchAttributes,
      log: { format: 'pretty', level: 'error' },
      extraArgs: options.extraArgs,
    },
  });
}

/** Environment variables that point a configuration at the given sandboxes. */
export function sandboxEnvironment(
  salesforce: SalesforceSandbox,
  netsuite: NetSuiteSandbox,
): Record<string, string> {
  const settings = sandboxSettings({ salesforce: salesforce.url, netsuite: netsuite.url });
  // A blank codec server token is an unset one: these workers do not need it.
  return { ...settings, RECORD_SYNC_CODEC_SERVER_TOKEN: '' };
}

export interface SyncEnvironment {
  temporal: TestWorkflowEnvironment;
  /** Encrypts and decrypts payloads as the workers do (`temporal.client` would see ciphertext). */
  client: Client;
  salesforce: SalesforceSandbox;
  netsuite: NetSuiteSandbox;
  config: Config;
  /** The environment variables the configuration was parsed from (for worker processes). */
  environment: Record<string, string>;
  operations: ReturnType<typeof pipelineOperations>;
  /** Starts the workers in this process; returns a function that stops them. */
  startWorkers(): Promise<() => Promise<void>>;
  /** Runs one sync to completion, as the schedule would start it. */
  runSync(): Promise<RunSummary>;
  /** The open problem records, as visibility lists them (it lags a moment behind the workflows). */
  openProblems(): Promise<ProblemSummary[]>;
  /** Waits until visibility lists exactly `count` open problem records, and returns them. */
  problemsSettled(count: number): Promise<ProblemSummary[]>;
  problem(recordId: string): Promise<ProblemView | null>;
  teardown(): Promise<void>;
}

/**
 * Dev server, both sandboxes and a configuration pointing at them. Each environment gets its
 * own pipeline and task queues, so tests sharing a server do not see each other's work.
 * Retries are fast here (50 ms initial interval) so that exhausting them takes little time.
 */
export async function startSyncEnvironment(
  options: {
    temporal?: TestWorkflowEnvironment;
    seedCount?: number;
    overrides?: Record<string, string>;
  } = {},
): Promise<SyncEnvironment> {
  const temporal = options.temporal ?? (await startTemporal());
  const salesforce = await startSalesforceSandbox({ seedCount: options.seedCount });
  const netsuite = await startNetSuiteSandbox();
  const unique = randomUUID().slice(0, 8);
  const environment = {
    ...sandboxEnvironment(salesforce, netsuite),
    TEMPORAL_ADDRESS: temporal.address,
    SYNC_PIPELINE: `test-${unique}`,
    SYNC_TASK_QUEUE: `record-sync-${unique}`,
    NETSUITE_TASK_QUEUE: `record-sync-netsuite-${unique}`,
    SYNC_RETRY_INITIAL_INTERVAL: '50ms',
    SYNC_RETRY_BACKOFF_COEFFICIENT: '2',
    SYNC_RETRY_MAXIMUM_INTERVAL: '500ms',
    SYNC_RETRY_BUDGET: '3s',
    // Tests of the look-back window set it; elsewhere re-reads would blur the counts.
    SYNC_LOOKBACK: '0s',
    NETSUITE_TIMEOUT: '2s',
    NETSUITE_MAX_CONCURRENT_REQUESTS: '10',
    ...options.overrides,
  };
  const config = parseConfig(environment);
  const client = new Client({
    connection: temporal.connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(config),
  });
  const stops = new Set<() => Promise<void>>();
  const operations = pipelineOperations(client, config);
  const openProblems = async () => {
    const listed: ProblemSummary[] = [];
    let token: string | undefined;
    do {
      const page = await operations.problems.listPage(config.pipeline.name, {}, 1000, token);
      listed.push(...page.problems);
      token = page.nextPageToken;
    } while (token);
    return listed;
  };

  const startWorkers = () => startWorkersIn(temporal, client, config, stops);

  return {
    temporal,
    client,
    salesforce,
    netsuite,
    config,
    environment,
    operations,
    startWorkers,
    runSync: () =>
      client.workflow.execute<typeof syncRun>('syncRun', {
        workflowId: `${config.pipeline.scheduleId}-run-${randomUUID()}`,
        taskQueue: config.pipeline.taskQueue,
        args: [{ pipeline: config.pipeline.name }],
      }) as Promise<RunSummary>,
    openProblems,
    problemsSettled: (count) =>
      eventually(async () => {
        const listed = await openProblems();
        return listed.length === count ? listed : undefined;
      }),
    problem: (recordId) => operations.problems.show(config.pipeline.name, recordId),
    async teardown() {
      for (const stop of [...stops]) await stop();
      await salesforce.close();
      await netsuite.close();
      if (!options.temporal) await temporal.teardown();
    },
  };
}

/**
 * The configuration's workers in this process, with the prebuilt bundle; the returned function
 * (also kept in `stops`, for a teardown) stops them and closes their pipelines' connections.
 */
export async function startWorkersIn(
  temporal: TestWorkflowEnvironment,
  client: Client,
  config: Config,
  stops: Set<() => Promise<void>>,
): Promise<() => Promise<void>> {
  const { workers, close } = await createWorkers(config, {
    connection: temporal.nativeConnection,
    client,
    workflowBundle: await workflowBundle(),
  });
  const done = Promise.all(workers.map((worker) => worker.run()));
  const stop = async () => {
    stops.delete(stop);
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await done;
    await close();
  };
  stops.add(stop);
  return stop;
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The reason a workflow failed, in its own words: fails the test if it did not fail. */
export async function runFailure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return innermostMessage(error);
  }
  throw new Error('expected the workflow to fail');
}
