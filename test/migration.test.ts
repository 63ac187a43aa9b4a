import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { dataConverter, failureConverterPath } from '../src/codec/data-converter';
import { checkpointOf, compareCheckpoints } from '../src/domain/checkpoint';
import { asPosition } from '../src/domain/position';
import { pipelineWorkflowId } from '../src/workflows/ids';
import type { DeadLetter } from '../src/workflows/legacy/types';
import type { pipelineWorkflow as legacyOwner } from './fixtures/legacy-owner';
import { startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

describe('an owner from before problem records', () => {
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  let stopWorkers: () => Promise<void>;
  before(async () => {
    temporal = await startTemporal();
    sync = await startSyncEnvironment({ temporal, seedCount: 30 });
    stopWorkers = await sync.startWorkers();
  });
  after(async () => {
    await stopWorkers?.();
    await sync?.teardown();
    await temporal?.teardown();
  });

  it('is moved on the first run: its dead letters become problem records, its checkpoint carries over', async () => {
    const accounts = sync.salesforce.accounts();
    const checkpoint = { systemModstamp: '2026-01-01T00:00:00.000Z', id: accounts[0].Id };
    const deadLetters: DeadLetter[] = accounts.slice(0, 3).map((account, i) => ({
      recordId: account.Id,
      version: '2026-01-01T00:00:00.000Z',
      record: account,
      kind: 'rejected',
      error: `NetSuite HTTP 400 (field phone): legacy dead letter ${i}`,
      field: 'phone',
      attempts: 1,
      firstFailedAt: '2026-02-01T00:00:00.000Z',
      lastFailedAt: '2026-02-01T00:00:00.000Z',
      replays: 0,
    }));
    const legacyQueue = `${sync.config.pipeline.taskQueue}-legacy`;
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: legacyQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: require.resolve('./fixtures/legacy-owner'),
        failureConverterPath,
      }),
      dataConverter: dataConverter(sync.config),
    });
    await worker.runUntil(async () => {
      await sync.client.workflow.start<typeof legacyOwner>('pipelineWorkflow', {
        workflowId: pipelineWorkflowId(sync.config.pipeline.name),
        taskQueue: legacyQueue,
        args: [
          {
            status: {
              pipeline: sync.config.pipeline.name,
              checkpoint,
              currentRun: null,
              lastRun: null,
              deadLetterCount: 3,
              replaysInFlight: 0,
            },
            deadLetters,
          },
        ],
      });
      assert.equal(await sync.operations.create(), 'migrated');
    });

    const problems = await sync.problemsSettled(3);
    assert.deepEqual(problems.map((p) => p.recordId).sort(), deadLetters.map((d) => d.recordId).sort());
    const problem = await sync.problem(deadLetters[0].recordId);
    assert.match(problem?.failure.error ?? '', /legacy dead letter/);
    const status = await sync.operations.status();
    // Carried over, as a position now.
    assert.equal(status.checkpoint, asPosition(checkpoint));
    // The next run reads on from the carried checkpoint, not from the beginning.
    const summary = await sync.runSync();
    const after = accounts.filter((a) => compareCheckpoints(checkpointOf(a), checkpoint) > 0);
    assert.ok(after.length < accounts.length, 'the carried checkpoint must leave some accounts behind');
    assert.equal(summary.counts.read, after.length);
  });
});
