import { loadConfig } from './config';
import { createLogger, installTemporalLogging } from './logger';
import { connectClient, connectWorker } from './temporal';
import { createWorkers } from './workers';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  installTemporalLogging(logger);
  const connection = await connectWorker(config);
  const client = await connectClient(config);
  const workers = await createWorkers(config, { connection, client });
  logger.info(
    { taskQueues: [config.pipeline.taskQueue, config.pipeline.destinationTaskQueue] },
    'record-sync worker polling',
  );
  // The SDK shuts workers down gracefully on SIGINT and SIGTERM.
  await Promise.all(workers.map((worker) => worker.run()));
  await connection.close();
  await client.connection.close();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
