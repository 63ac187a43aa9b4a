import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { createDestinationActivities } from './activities/destination';
import { EncryptionCodec } from './codec/encryption-codec';
import { dataConverter } from './codec/data-converter';
import { destinationSettings, syncSettings, type Config } from './config';
import { NetSuiteClient } from './connectors/netsuite';
import { SalesforceClient } from './connectors/salesforce';

const PROBLEM_REPORT_SLOTS = 4;

export interface WorkerDependencies {
  connection: NativeConnection;
  /** Must encrypt payloads like the workers do (`dataConverter(config)`): activities write with it. */
  client: Client;
  /** A prebuilt workflow bundle (tests build one once); otherwise the worker bundles at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/**
 * Two workers sharing one NetSuite client, whose request limits keep this process under
 * NetSuite's: the pipeline's (workflows, source reads, and the upserts, as local activities of the
 * record workflows) and the destination's task queue, where record workflows started before the
 * upserts became local activities still send theirs.
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
  const salesforce = new SalesforceClient(config.salesforce);
  const netsuite = new NetSuiteClient(config.netsuite);
  const pipeline = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.pipeline.taskQueue,
    dataConverter: dataConverter(config),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      client,
      salesforce,
      netsuite,
      settings: syncSettings(config),
      destination: destinationSettings(config),
      writeBack: config.writeBack,
      scheduleId: config.pipeline.scheduleId,
    }),
    // An upsert waiting for a NetSuite slot would hold its workflow task open for nothing; the few
    // more are for the local activities that report problem records.
    maxConcurrentLocalActivityExecutions: config.netsuite.maxConcurrentRequests + PROBLEM_REPORT_SLOTS,
    // Every record workflow is new and does all its work in its first workflow task, which comes
    // from the task queue itself rather than this worker's sticky queue: the SDK's default ratio
    // (0.2) leaves 2 of 10 pollers there, which capped the rate (33.7 -> 46.0 records/s; see the
    // README's benchmark results).
    nonStickyToStickyPollRatio: 0.8,
  });
  const destination = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.pipeline.destinationTaskQueue,
    dataConverter: dataConverter(config),
    activities: createDestinationActivities({ netsuite, settings: destinationSettings(config) }),
    maxConcurrentActivityTaskExecutions: config.netsuite.maxConcurrentRequests,
  });
  return [pipeline, destination];
}
