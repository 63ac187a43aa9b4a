import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { dataConverter, failureConverterPath } from '../src/codec/data-converter';
import { parseConfig } from '../src/config';
import { problemRecords } from '../src/problem-records';
import type { WorkerTuning } from './ceiling';
import type { CeilingActivities } from './ceiling-workflows';

/**
 * The engine ceiling's worker, in its own process (started by bench/ceiling.ts like the record-sync
 * worker, so its CPU is its own): the workflows of bench/ceiling-workflows.ts, bundled with
 * `bundleWorkflowCode`, a no-op local activity and a page read. Tuned exactly as record-sync's
 * pipeline worker (`pipelineWorkerTuning()` of src/workers.ts, passed in by the benchmark).
 * With CEILING_CODEC=1 it encrypts payloads with record-sync's data converter, configured from the
 * same environment as record-sync's worker.
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
  const codec = process.env.CEILING_CODEC === '1' ? dataConverter(parseConfig(process.env)) : undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./ceiling-workflows'),
    logger: new DefaultLogger('WARN'),
    ...(codec ? { failureConverterPath } : {}),
  });
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const address = setting('TEMPORAL_ADDRESS');
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const problems = problemRecords(client);
  const activities: CeilingActivities = {
    noop: async () => {},
    async readPage({ pipeline, recordIds, openProblems }) {
      if (openProblems) await problems.openAmong(pipeline, recordIds);
      return recordIds;
    },
  };
  const worker = await Worker.create({
    connection,
    namespace,
    ...(codec ? { dataConverter: codec } : {}),
    taskQueue: setting('CEILING_TASK_QUEUE'),
    workflowBundle: { code },
    activities,
    ...(JSON.parse(setting('CEILING_TUNING')) as WorkerTuning),
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
