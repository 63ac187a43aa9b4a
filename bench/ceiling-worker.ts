import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { CeilingActivities } from './ceiling-workflows';

/**
 * The engine ceiling's worker, in its own process (started by bench/ceiling.ts like the record-sync
 * worker, so its CPU is its own): the workflows of bench/ceiling-workflows.ts, bundled with
 * `bundleWorkflowCode`, and a no-op local activity. Tuned as src/workers.ts tunes record-sync's
 * pipeline worker; the benchmark reads those values from there and passes them in.
 */

const READY_LINE = 'ceiling worker polling';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  // record-sync's worker logs at info (LOG_LEVEL=info in the benchmark) through the same Runtime hook.
  Runtime.install({ logger: new DefaultLogger('INFO') });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./ceiling-workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const connection = await NativeConnection.connect({ address: setting('TEMPORAL_ADDRESS') });
  const activities: CeilingActivities = { noop: async () => {} };
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: setting('CEILING_TASK_QUEUE'),
    workflowBundle: { code },
    activities,
    maxConcurrentLocalActivityExecutions: Number(setting('CEILING_LOCAL_ACTIVITY_SLOTS')),
    nonStickyToStickyPollRatio: Number(setting('CEILING_NON_STICKY_TO_STICKY_POLL_RATIO')),
  });
  console.log(READY_LINE);
  // The SDK shuts the worker down gracefully on SIGINT.
  await worker.run();
  await connection.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
