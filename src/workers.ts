import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { createLegacyActivities } from './activities/legacy';
import { EncryptionCodec } from './codec/encryption-codec';
import { dataConverter } from './codec/data-converter';
import { ConfigError, type Config } from './config';
import { configuredPipelines, createPipelines } from './pipelines';

const PROBLEM_REPORT_SLOTS = 4;
/** Loads at once where no NetSuite limit applies (the vendor-file pipeline's database). */
const DEFAULT_LOAD_SLOTS = 5;

export interface WorkerDependencies {
  connection: NativeConnection;
  /** Must encrypt payloads like the workers do (`dataConverter(config)`): activities write with it. */
  client: Client;
  /** A prebuilt workflow bundle (tests build one once); otherwise the worker bundles at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

const loadSlots = (config: Config) => config.accounts?.netsuite.maxConcurrentRequests ?? DEFAULT_LOAD_SLOTS;

/** How the pipeline worker takes tasks (the benchmark's engine ceiling is tuned the same way). */
export function pipelineWorkerTuning(config: Config) {
  return {
    // A load waiting for a destination slot would hold its workflow task open for nothing; the few
    // more are for the local activities that report problem records.
    maxConcurrentLocalActivityExecutions: loadSlots(config) + PROBLEM_REPORT_SLOTS,
    // Every record workflow is new and does all its work in its first workflow task, which comes
    // from the task queue itself rather than this worker's sticky queue: the SDK's default ratio
    // (0.2) leaves 2 of 10 pollers there, which capped the rate (33.7 -> 46.0 records/s; see the
    // README's benchmark results).
    nonStickyToStickyPollRatio: 0.8,
  } satisfies Partial<WorkerOptions>;
}

/**
 * The engine's worker, running every configured pipeline on one task queue (each pipeline's
 * connectors come from the registry; clients of one connection are shared, and so are its
 * request limits), and, with the accounts pipeline, the destination task queue where record
 * workflows begun before the upserts became local activities still send theirs.
 */
export async function createWorkers(
  config: Config,
  { connection, client, workflowBundle }: WorkerDependencies,
) {
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  if (!codecs.some((codec) => codec instanceof EncryptionCodec)) {
    throw new Error(
      'createWorkers needs a client built with dataConverter(config), or records go to Temporal in plaintext',
    );
  }
  const runs = configuredPipelines(config);
  if (runs.length === 0) {
    throw new ConfigError(
      'No pipeline is configured: set the Salesforce and NetSuite settings (accounts pipeline), ' +
        'VENDOR_FILES_FOLDER / VENDOR_FILES_S3_BUCKET (vendor-performance pipeline) or ' +
        'PRODUCT_FILES_FOLDER / PRODUCT_FILES_S3_BUCKET (products pipeline); see .env.example',
    );
  }
  const { pipelines, connections, accounts, close } = await createPipelines(config);
  const engine = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.pipeline.taskQueue,
    dataConverter: dataConverter(config),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      client,
      pipelines,
      runSettings: new Map(runs.map(({ name, settings, scheduleId }) => [name, { settings, scheduleId }])),
      accounts,
      reconciliation: config.reconciliation,
      config,
    }),
    ...pipelineWorkerTuning(config),
  });
  const maxConcurrentRequests = loadSlots(config);
  if (!accounts || !connections.netsuite) return { workers: [engine], pipelines, close };
  const legacy = createLegacyActivities(accounts.pipeline);
  const destination = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.pipeline.destinationTaskQueue,
    dataConverter: dataConverter(config),
    activities: { upsertCustomer: legacy.upsertCustomer },
    maxConcurrentActivityTaskExecutions: maxConcurrentRequests,
  });
  return { workers: [engine, destination], pipelines, close };
}
