import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config';
import { createLogger, installTemporalLogging } from './logger';
import { configuredPipelines } from './pipelines';
import { connectClient, connectWorker } from './temporal';
import { createWorkers } from './workers';

/** `npm run build` writes the workflow bundle beside the compiled worker; without it, bundle at start. */
const prebuiltBundle = path.join(__dirname, 'workflow-bundle.js');

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  installTemporalLogging(logger);
  const connection = await connectWorker(config);
  const client = await connectClient(config);
  const { workers, close } = await createWorkers(config, {
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
  // The SDK shuts workers down gracefully on SIGINT and SIGTERM.
  await Promise.all(workers.map((worker) => worker.run()));
  await close();
  await connection.close();
  await client.connection.close();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
