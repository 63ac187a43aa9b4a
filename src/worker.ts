import { existsSync } from 'node:fs';
import path from 'node:path';
import { Runtime } from '@temporalio/worker';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { installRuntime } from './monitoring/runtime';
import { startWorkerMetrics } from './monitoring/worker-metrics';
import { configuredPipelines } from './pipelines';
import { connectClient, connectWorker } from './temporal';
import { startPipelineWebhooks } from './webhooks/server';
import { createWorkers } from './workers';

/** `npm run build` writes the workflow bundle beside the compiled worker; without it, bundle at start. */
const prebuiltBundle = path.join(__dirname, 'workflow-bundle.js');

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const metricsServed = installRuntime(logger, config.metrics.address);
  const connection = await connectWorker(config);
  const client = await connectClient(config);
  const { workers, pipelines, close } = await createWorkers(config, {
    connection,
    client,
    ...(existsSync(prebuiltBundle) ? { workflowBundle: { codePath: prebuiltBundle } } : {}),
  });
  logger.info(
    {
      pipelines: configuredPipelines(config).map((run) => run.name),
      taskQueues: [config.pipeline.taskQueue, config.pipeline.destinationTaskQueue],
    },
    'record-sync worker polling',
  );
  // Without an endpoint, counting problem records would be visibility queries for nothing.
  const metrics = metricsServed
    ? startWorkerMetrics({
        client,
        meter: Runtime.instance().metricMeter,
        pipelines: configuredPipelines(config).map((run) => run.name),
        logger,
      })
    : null;
  // Destinations that answer by webhook (a PIM publishing) call back here.
  const webhooks = await startPipelineWebhooks(config.webhooks, { client, pipelines, logger });
  // The SDK shuts workers down gracefully on SIGINT and SIGTERM.
  await Promise.all(workers.map((worker) => worker.run()));
  await metrics?.stop();
  await webhooks?.close();
  await close();
  await connection.close();
  await client.connection.close();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
