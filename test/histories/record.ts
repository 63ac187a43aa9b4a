import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { pipelineWorkflowId, problemWorkflowId, recordWorkflowId } from '../../src/workflows/ids';
import type { reconcilePipeline } from '../../src/workflows/reconciliation';
import type { syncRun } from '../../src/workflows/sync-run';
import { checkpointOf } from '../../src/domain/checkpoint';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eventually, startSyncEnvironment, startTemporal } from '../harness';
import { SAMPLES, startVendorEnvironment } from '../vendor-harness';

const rejectedPhone = (account: { Phone: string | null }) =>
  account.Phone !== null && account.Phone.replace(/\D/g, '').length < 7;

/**
 * `npm run histories:record`: runs representative workflows against a dev server and the sandboxes
 * and saves their histories, which test/replay.test.ts replays against the current workflow code.
 * Re-record only for a change that cannot affect running workflows, or after guarding the change
 * with `patched()` (then keep the old histories too, so both paths stay covered). `legacy-*.json`
 * were recorded before problem records and guard the workflows' legacy paths;
 * `before-pipelines-*.json` before pipelines (checkpoint objects, the accounts-only load);
 * `one-page-runs-*.json` before overlapping pages (a run read one page, drained it, continued as new).
 */
async function save(client: Client, name: string, workflowId: string, runId?: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(path.join(__dirname, `${name}.json`), historyToJSON(history));
  console.log(`${name}: ${history.events?.length} events`);
}

/** A reconciliation that repairs (drift re-synced, a mismatch and an orphan held) and an orphan retired. */
async function recordReconciliation(): Promise<void> {
  const sync = await startSyncEnvironment({ seedCount: 30 });
  const stopWorkers = await sync.startWorkers();
  try {
    const { client, config } = sync;
    const pipeline = config.pipeline.name;
    await sync.runSync();
    const valid = sync.salesforce.accounts().filter((a) => !rejectedPhone(a));
    const [drifted, edited, purged] = valid;
    sync.salesforce.updateAccount(drifted.Id, { Name: 'Drifted For Replay Ltd' });
    sync.netsuite.editAsUser(edited.Id, { companyName: 'Edited For Replay Ltd' });
    sync.salesforce.purgeAccount(purged.Id);
    const run = await client.workflow.start<typeof reconcilePipeline>('reconcilePipeline', {
      workflowId: 'recorded-reconciliation',
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    await run.result();
    await eventually(async () => ((await sync.problem(purged.Id))?.status === 'ORPHANED' ? true : undefined));
    await sync.operations.problems.confirmOrphan(pipeline, purged.Id, { by: 'recorded for replay tests' });
    await save(client, 'reconciliation-repaired', run.workflowId);
    await save(client, 'problem-record-orphan-retired', problemWorkflowId(pipeline, purged.Id));
  } finally {
    await stopWorkers();
    await sync.teardown();
  }
}

async function main(): Promise<void> {
  // `npx tsx test/histories/record.ts reconciliation`: only the histories added for reconciliation.
  if (process.argv[2] === 'reconciliation') return recordReconciliation();
  // `npx tsx test/histories/record.ts pages`: only the runs that keep their window full across pages.
  if (process.argv[2] === 'pages') return recordPages();
  const sync = await startSyncEnvironment({ seedCount: 210, overrides: { SYNC_PAGE_SIZE: '200' } });
  const stopWorkers = await sync.startWorkers();
  try {
    const { client, config } = sync;
    const pipeline = config.pipeline.name;
    for (const name of ['Fixed Later', 'Still Failing', 'Discarded']) {
      sync.salesforce.createAccount({ Name: `${name} Ltd`, Phone: '555-01' });
    }
    const run = await client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: 'recorded-sync-run',
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    await run.result();

    const accounts = sync.salesforce.accounts();
    const problems = await sync.problemsSettled(accounts.filter(rejectedPhone).length);
    const [fixed, stillFailing, discarded] = problems;
    sync.salesforce.updateAccount(fixed.recordId, { Phone: '+1 415 555 0100' });
    const held = (await sync.problem(stillFailing.recordId))!;
    await sync.operations.problems.replay(pipeline, fixed.recordId);
    await sync.operations.problems.replay(pipeline, stillFailing.recordId);
    await sync.operations.problems.discard(pipeline, discarded.recordId, { reason: 'recorded for replay tests' });

    const synced = accounts.find((a) => !rejectedPhone(a))!;
    const version = (id: string) => checkpointOf(accounts.find((a) => a.Id === id)!).systemModstamp;
    await save(client, 'sync-record-version-synced', recordWorkflowId(pipeline, synced.Id, checkpointOf(synced).systemModstamp));
    await save(client, 'sync-record-version-validation-failed', held.failure.workflowId);
    await save(client, 'sync-record-version-replayed', `${recordWorkflowId(pipeline, fixed.recordId, version(fixed.recordId))}-replay-1`);
    await save(client, 'problem-record-replayed', problemWorkflowId(pipeline, fixed.recordId));
    await save(client, 'problem-record-still-failing', problemWorkflowId(pipeline, stillFailing.recordId));
    await save(client, 'problem-record-discarded', problemWorkflowId(pipeline, discarded.recordId));

    // A version conflict a person resolves by a merge, and a version with nothing new (skipped).
    const [edited, unchanged] = accounts.filter((a) => !rejectedPhone(a) && a.Id !== synced.Id);
    sync.netsuite.editAsUser(edited.Id, { phone: '+1 212 555 0000' });
    sync.salesforce.updateAccount(edited.Id, { Name: 'Renamed For A Conflict Ltd' });
    const touched = sync.salesforce.updateAccount(unchanged.Id, { Industry: 'Not Mapped' });
    await sync.runSync();
    await eventually(async () => ((await sync.problem(edited.Id))?.status === 'VERSION_CONFLICT' ? true : undefined));
    await sync.operations.problems.resolveConflict(pipeline, edited.Id, {
      use: 'merge',
      fields: { phone: 'destination', companyName: 'source' },
    });
    await save(client, 'problem-record-conflict-merged', problemWorkflowId(pipeline, edited.Id));
    await save(client, 'sync-record-version-skipped', recordWorkflowId(pipeline, touched.Id, checkpointOf(touched).systemModstamp));

    // A pipeline-level failure: the run stops and pauses the pipeline.
    sync.netsuite.setFaults({ revokedToken: true });
    sync.salesforce.updateAccount(synced.Id, { Name: 'Recorded During A Revoked Token' });
    const stopped = await client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: 'recorded-sync-run-stopped',
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    await stopped.result().catch(() => undefined);
    await save(client, 'pipeline-owner', pipelineWorkflowId(pipeline));
    await recordVendorFiles(sync.temporal);
  } finally {
    await stopWorkers();
    await sync.teardown();
  }
  await recordReconciliation();
  await recordPages();
}

/**
 * Runs that keep their window full across pages: pages of 200, and a server that suggests
 * continuing as new early, so that a run holds several pages and the chain continues as new.
 */
async function recordPages(): Promise<void> {
  const temporal = await startTemporal({ suggestContinueAsNewAt: 1000 });
  const sync = await startSyncEnvironment({ temporal, seedCount: 450, overrides: { SYNC_PAGE_SIZE: '200' } });
  const stopWorkers = await sync.startWorkers();
  try {
    const { client, config } = sync;
    const pipeline = config.pipeline.name;
    const run = await client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: 'recorded-sync-run-pages',
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    await run.result();
    await save(client, 'sync-run-pages-continue-as-new', run.workflowId, run.firstExecutionRunId);
    await save(client, 'sync-run-pages-last', run.workflowId);

    // A pipeline-level failure: the run stops and pauses the pipeline.
    sync.netsuite.setFaults({ revokedToken: true });
    for (const account of sync.salesforce.accounts().slice(0, 260)) {
      sync.salesforce.updateAccount(account.Id, { Name: `${account.Name} Renamed` });
    }
    const stopped = await client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: 'recorded-sync-run-pages-stopped',
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    await stopped.result().catch(() => undefined);
    await save(client, 'sync-run-pages-stopped-by-pipeline-failure', stopped.workflowId);
  } finally {
    await stopWorkers();
    await sync.teardown();
  }
  await recordVendorFiles(temporal, 'runs');
  await temporal.teardown();
}

/** The vendor-file pipeline: deliveries (a file loaded, a file quarantined) and its rows. */
async function recordVendorFiles(temporal: TestWorkflowEnvironment, only: 'runs' | 'all' = 'all'): Promise<void> {
  const vendors = await startVendorEnvironment(temporal);
  const stopWorkers = await vendors.startWorkers();
  try {
    const { client, operations } = vendors;
    const pipeline = operations.pipeline;
    await operations.create();
    // vendor-a's file, then the same bytes again under the next month's name: a duplicate.
    vendors.drop('vendor-a-2026-10.csv');
    cpSync(path.join(SAMPLES, 'vendor-a-2026-10.csv'), path.join(vendors.folder, 'inbox', 'vendor-a-2026-11.csv'));
    const run = await client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: 'recorded-vendor-sync-run',
      taskQueue: vendors.config.pipeline.taskQueue,
      args: [{ pipeline }],
    });
    await run.result();
    // Pages of 7 in one run: three load the file (the last completes the delivery), one quarantines the copy.
    await save(client, 'vendor-sync-run-pages', run.workflowId);
    if (only === 'runs') return;
    const problems = await vendors.problemsSettled(6);
    const tolerance = problems.find((p) => p.field === 'Reported TWR %')!;
    const held = (await operations.problems.show(pipeline, tolerance.recordId))!;
    await save(client, 'vendor-sync-record-version-outside-tolerance', held.failure.workflowId);
    const badDate = problems.find((p) => p.field === 'Period Start')!;
    await operations.problems.replay(pipeline, badDate.recordId, { edit: { 'Period Start': '2026-10-01' } });
    await save(client, 'vendor-problem-record-edited-and-replayed', problemWorkflowId(pipeline, badDate.recordId));
    await save(client, 'vendor-pipeline-owner', pipelineWorkflowId(pipeline));
  } finally {
    await stopWorkers();
    await vendors.teardown();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
