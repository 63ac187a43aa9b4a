import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { configuredSecrets } from '../src/config';
import type { RunSummary } from '../src/domain/sync';
import type { syncRun } from '../src/workflows/sync-run';
import { eventually, startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

describe('a worker killed mid-run', () => {
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  const workers: WorkerProcess[] = [];
  before(async () => {
    temporal = await startTemporal();
    sync = await startSyncEnvironment({ temporal, seedCount: 600 });
  });
  after(async () => {
    for (const worker of workers) await worker.kill();
    await sync?.teardown();
    await temporal?.teardown();
  });

  it('is restarted and the run completes with nothing lost or doubled, and no secret in its logs', async () => {
    // Slow writes, so the kill lands in the middle of the run.
    sync.netsuite.setFaults({ latencyMs: 30 });
    workers.push(startWorkerProcess(sync.environment));
    const run = await sync.client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: `kill-test-${randomUUID()}`,
      taskQueue: sync.config.pipeline.taskQueue,
      args: [{ pipeline: sync.config.pipeline.name }],
    });

    await eventually(async () => (sync.netsuite.customers().length >= 150 ? true : undefined), 120_000);
    await workers[0].kill();
    const syncedAtKill = sync.netsuite.customers().length;
    assert.ok(syncedAtKill < 590, 'the kill came too late to test anything');

    workers.push(startWorkerProcess(sync.environment));
    const summary = (await run.result()) as RunSummary;

    const accounts = sync.salesforce.accounts();
    const rejected = accounts.filter((a) => a.Phone !== null && a.Phone.replace(/\D/g, '').length < 7);
    const customers = sync.netsuite.customers();
    const externalIds = customers.map((c) => c.externalId);
    assert.equal(new Set(externalIds).size, externalIds.length, 'a customer was created twice');
    assert.deepEqual(
      [...externalIds].sort(),
      accounts
        .filter((a) => !rejected.includes(a))
        .map((a) => a.Id)
        .sort(),
    );
    assert.equal(summary.counts.read, accounts.length);
    assert.equal(summary.counts.synced + summary.counts.validationFailed, accounts.length);
    await sync.problemsSettled(rejected.length);

    const logs = workers.map((worker) => worker.output()).join('\n');
    assert.match(logs, /record-sync worker polling/);
    for (const secret of configuredSecrets(sync.config)) {
      assert.ok(!logs.includes(secret), 'a configured secret appeared in the worker log');
    }
  });
});
