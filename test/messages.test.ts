import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pipelineWorkflowId, problemWorkflowId } from '../src/workflows/ids';
import { problemQuery, statusQuery } from '../src/workflows/messages';
import { startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

const { EventType } = proto.api.enums.v1;

/** What a careless click in the UI's "Send a Signal" / "Send an Update" dialogs can send. */
const MALFORMED: unknown[][] = [
  [],
  [null],
  ['not an object'],
  [42],
  [[1, 2, 3]],
  [{}],
  [{ recordId: 7, version: {}, runId: [], reason: null, to: 'yesterday', edit: 'x', by: 5 }],
  [{ checkpointGeneration: -1, checkpoint: 'x', summary: { counts: 'many' } }],
];

async function sendEverything(handle: WorkflowHandle, signals: string[], updates: string[]) {
  const refusals: string[] = [];
  for (const args of MALFORMED) {
    for (const name of signals) await handle.signal(name, ...args);
    for (const name of updates) {
      try {
        await handle.executeUpdate(name, { args: args as [unknown] });
        refusals.push(`${name} accepted ${JSON.stringify(args)}`);
      } catch {
        // Rejected, as it must be.
      }
    }
  }
  return refusals;
}

async function taskFailures(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .length;
}

describe('every message a long-lived workflow handles, sent malformed', () => {
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  let stopWorkers: () => Promise<void>;
  let held: string;
  before(async () => {
    temporal = await startTemporal();
    sync = await startSyncEnvironment({ temporal, seedCount: 40 });
    stopWorkers = await sync.startWorkers();
    held = sync.salesforce.createAccount({ Name: 'Held For A Person Ltd', Phone: '555-01' }).Id;
    await sync.runSync();
  });
  after(async () => {
    await stopWorkers?.();
    await sync?.teardown();
    await temporal?.teardown();
  });

  it('the pipeline workflow rejects or ignores each one and keeps running', async () => {
    const handle = sync.client.workflow.getHandle(pipelineWorkflowId(sync.config.pipeline.name));
    const before = await handle.query(statusQuery);

    const accepted = await sendEverything(
      handle,
      ['internal.pageCompleted', 'internal.runFinished', 'internal.pipelinePaused', 'deadLetter', 'replay'],
      ['internal.beginRun', 'resetCheckpoint', 'resume'],
    );

    // Resuming a pipeline that is not paused, with no request or an empty one, is harmless.
    assert.deepEqual(
      accepted.filter((a) => !/^resume accepted \[(null|\{\})?\]$/.test(a)),
      [],
    );
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    assert.equal(await taskFailures(handle), 0);
    const after = await handle.query(statusQuery);
    assert.deepEqual(after.checkpoint, before.checkpoint);
    assert.deepEqual(after.lastRun, before.lastRun);
    assert.equal(after.paused, null);
    // Still does its work: the next run begins and finishes.
    assert.equal((await sync.runSync()).counts.read, 0);
  });

  it('a problem record rejects or ignores each one and keeps holding the record', async () => {
    const handle = sync.client.workflow.getHandle(problemWorkflowId(sync.config.pipeline.name, held));
    const before = await handle.query(problemQuery);

    const accepted = await sendEverything(
      handle,
      ['internal.recordFailed', 'internal.recordSynced'],
      ['replay', 'discard'],
    );

    // A replay with no request (or an empty one) is a plain replay: it runs and fails again.
    assert.deepEqual(
      accepted.filter((a) => !/^replay accepted \[(null|\{\})?\]$/.test(a)),
      [],
    );
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    assert.equal(await taskFailures(handle), 0);
    const after = await handle.query(problemQuery);
    assert.equal(after?.status, 'VALIDATION_FAILED');
    assert.equal(after?.failure.version, before?.failure.version);
    assert.equal(after?.resolution, undefined);
  });
});
