import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { pipelineWorkflowId, recordWorkflowId } from '../../src/workflows/messages';
import type { syncRun } from '../../src/workflows/sync-run';
import { checkpointOf } from '../../src/domain/checkpoint';
import { eventually, startSyncEnvironment } from '../harness';

/**
 * `npm run histories:record`: runs representative workflows against a dev server and the sandboxes
 * and saves their histories, which test/replay.test.ts replays against the current workflow code.
 * Re-record only for a change that cannot affect running workflows, or after guarding the change
 * with `patched()` (then keep the old histories too, so both paths stay covered).
 */
async function save(client: Client, name: string, workflowId: string, runId?: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(path.join(__dirname, `${name}.json`), historyToJSON(history));
  console.log(`${name}: ${history.events?.length} events`);
}

async function main(): Promise<void> {
  const sync = await startSyncEnvironment({ seedCount: 210, overrides: { SYNC_PAGE_SIZE: '200' } });
  const stopWorkers = await sync.startWorkers();
  try {
    const { client, config } = sync;
    const pipeline = config.pipeline.name;
    const run = await client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: 'recorded-sync-run',
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    await run.result();

    const accounts = sync.salesforce.accounts();
    const letters = await sync.operations.deadLetters();
    const [fixed, stillFailing] = letters;
    sync.salesforce.updateAccount(fixed.recordId, { Phone: '+1 415 555 0100' });
    await sync.operations.replay([fixed.recordId, stillFailing.recordId]);
    await eventually(async () => ((await sync.operations.status())?.replaysInFlight === 0 ? true : undefined));

    const synced = accounts.find((a) => !letters.some((d) => d.recordId === a.Id))!;
    await save(client, 'sync-run-first-page-continues-as-new', run.workflowId, run.firstExecutionRunId);
    await save(client, 'sync-run-last-page', run.workflowId);
    await save(client, 'sync-record-synced', recordWorkflowId(pipeline, synced.Id, checkpointOf(synced).systemModstamp));
    await save(client, 'sync-record-dead-lettered', recordWorkflowId(pipeline, stillFailing.recordId, stillFailing.version));
    await save(client, 'sync-record-replayed', `${recordWorkflowId(pipeline, fixed.recordId, fixed.version)}-replay-1`);
    await save(client, 'pipeline-with-replays', pipelineWorkflowId(pipeline));
  } finally {
    await stopWorkers();
    await sync.teardown();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
