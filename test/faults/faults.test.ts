import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { syncRun } from '../../src/workflows/sync-run';
import { createPrng } from '../../sandbox/prng';
import { freePort, startDevServer } from '../../scripts/dev-server';
import { findTemporalCli } from '../../scripts/temporal-cli';
import { eventually, startSyncEnvironment, startTemporal, type SyncEnvironment } from '../harness';
import { startWorkerProcess, type WorkerProcess } from '../worker-process';
import { converge, reconcile, replayAll } from './reconcile';

/**
 * The fault matrix: each case runs a real sync, injects a fault mid-run, lets the system recover
 * (further runs until nothing is left to read, then a replay of the dead letters), and checks the
 * destination against the source. Random choices come from a fixed seed, so a failure reproduces.
 */

interface MatrixRow {
  fault: string;
  runs: number;
  records: number;
  lost: number;
  doubled: number;
  deadLettered: number;
}

const matrix: MatrixRow[] = [];
const random = createPrng(20261123);
const RECORDS = 300;

function startRun(sync: SyncEnvironment): Promise<WorkflowHandle<typeof syncRun>> {
  return sync.client.workflow.start<typeof syncRun>('syncRun', {
    workflowId: `fault-run-${randomUUID()}`,
    taskQueue: sync.config.pipeline.taskQueue,
    args: [{ pipeline: sync.config.pipeline.name }],
  });
}

/** Resolves once the destination holds at least `count` customers: the run is under way. */
function customersReach(sync: SyncEnvironment, count: number): Promise<true> {
  return eventually(async () => (sync.netsuite.customers().length >= count ? true : undefined), 120_000);
}

/** Recovers, reconciles, records the row and asserts nothing was lost or doubled. */
async function settle(sync: SyncEnvironment, fault: string, runsSoFar: number): Promise<void> {
  sync.netsuite.setFaults({ serverErrors: 0, rateLimited: 0, hangs: 0, dropResponses: 0, latencyMs: 0 });
  sync.salesforce.setFaults({ serverErrors: 0, requestLimitExceeded: 0, malformedPages: 0 });
  const runs = runsSoFar + (await converge(sync));
  await replayAll(sync);
  const result = await reconcile(sync);
  matrix.push({
    fault,
    runs,
    records: result.records,
    lost: result.lost.length,
    doubled: result.doubled.length,
    deadLettered: result.deadLettered,
  });
  assert.deepEqual(result.lost, [], 'records lost');
  assert.deepEqual(result.doubled, [], 'records doubled');
}

/** A run's result, waiting through a server restart (the client reconnects on its own). */
async function resultThroughOutage(run: WorkflowHandle<typeof syncRun>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await run.result();
      return;
    } catch (error) {
      if (attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

describe('fault matrix', () => {
  let temporal: TestWorkflowEnvironment;
  before(async () => {
    temporal = await startTemporal();
  });
  after(async () => {
    await temporal?.teardown();
    console.log('\n| fault | runs | records | lost | doubled | dead letters left |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const row of matrix) {
      console.log(
        `| ${row.fault} | ${row.runs} | ${row.records} | ${row.lost} | ${row.doubled} | ${row.deadLettered} |`,
      );
    }
  });

  /** A case with workers in this process: inject mid-run, then settle. */
  function inProcessCase(fault: string, inject: (sync: SyncEnvironment) => Promise<void> | void) {
    it(fault, async () => {
      const sync = await startSyncEnvironment({ temporal, seedCount: RECORDS });
      const stopWorkers = await sync.startWorkers();
      try {
        sync.netsuite.setFaults({ latencyMs: 20 });
        const run = await startRun(sync);
        await customersReach(sync, 40);
        await inject(sync);
        await run.result();
        await settle(sync, fault, 1);
      } finally {
        await stopWorkers();
        await sync.teardown();
      }
    });
  }

  inProcessCase('destination: 5xx bursts', async (sync) => {
    for (let burst = 0; burst < 6; burst += 1) {
      sync.netsuite.setFaults({ serverErrors: 4 });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  });
  inProcessCase('destination: 429 storm', (sync) => sync.netsuite.setFaults({ rateLimited: 40 }));
  inProcessCase('destination: hangs past the timeout', (sync) => sync.netsuite.setFaults({ hangs: 4 }));
  inProcessCase('destination: commits, then drops the response', (sync) =>
    sync.netsuite.setFaults({ dropResponses: 10 }),
  );
  inProcessCase('destination: slow responses (400 ms)', (sync) =>
    sync.netsuite.setFaults({ latencyMs: 400 }),
  );
  inProcessCase('source: page request failing mid-run', (sync) =>
    sync.salesforce.setFaults({ serverErrors: 2 }),
  );
  inProcessCase('source: request limit exceeded mid-run', (sync) =>
    sync.salesforce.setFaults({ requestLimitExceeded: 2 }),
  );
  inProcessCase('source: token expired mid-paging', (sync) => sync.salesforce.expireTokens());
  inProcessCase('source: accounts modified while a run reads', (sync) => {
    const accounts = sync.salesforce.accounts();
    for (let i = 0; i < 20; i += 1) {
      const account = accounts[Math.floor(random() * accounts.length)];
      sync.salesforce.updateAccount(account.Id, { Name: `Modified Mid-Run ${i}` });
    }
  });
  inProcessCase('source: records deleted between read and write', (sync) => {
    const accounts = sync.salesforce.accounts().filter((a) => !a.IsDeleted);
    for (let i = 0; i < 5; i += 1) sync.salesforce.deleteAccount(accounts[accounts.length - 1 - i * 7].Id);
  });

  it('worker killed (SIGKILL) three times at random points, restarted', async () => {
    const sync = await startSyncEnvironment({ temporal, seedCount: RECORDS });
    const workers: WorkerProcess[] = [];
    try {
      sync.netsuite.setFaults({ latencyMs: 20 });
      workers.push(startWorkerProcess(sync.environment));
      const run = await startRun(sync);
      for (let kill = 0; kill < 3; kill += 1) {
        const target = Math.min(
          RECORDS - 20,
          sync.netsuite.customers().length + 10 + Math.floor(random() * 50),
        );
        await customersReach(sync, target);
        await workers.at(-1)!.kill();
        workers.push(startWorkerProcess(sync.environment));
      }
      await run.result();
      await settle(sync, 'worker killed (SIGKILL) 3× mid-run', 1);
    } finally {
      for (const worker of workers) await worker.kill();
      await sync.teardown();
    }
  });

  it('two workers at once, one killed mid-run', async () => {
    const sync = await startSyncEnvironment({ temporal, seedCount: RECORDS });
    const workers = [startWorkerProcess(sync.environment), startWorkerProcess(sync.environment)];
    try {
      sync.netsuite.setFaults({ latencyMs: 20 });
      const run = await startRun(sync);
      await customersReach(sync, 80);
      await workers[0].kill();
      await run.result();
      await settle(sync, 'two workers, one killed mid-run', 1);
    } finally {
      for (const worker of workers) await worker.kill();
      await sync.teardown();
    }
  });

  it('Temporal server killed (SIGKILL) mid-run, restarted on the same SQLite file', async () => {
    const cli = findTemporalCli();
    assert.ok('path' in cli, 'this case needs a temporal CLI binary');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'record-sync-faults-'));
    const serverOptions = {
      cliPath: cli.path,
      dataDir,
      port: await freePort(),
      uiPort: await freePort(),
      extraArgs: ['--headless'],
    };
    let server = await startDevServer(serverOptions);
    const existing = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
    const sync = await startSyncEnvironment({ temporal: existing, seedCount: RECORDS });
    const worker = startWorkerProcess(sync.environment);
    try {
      sync.netsuite.setFaults({ latencyMs: 20 });
      const run = await startRun(sync);
      await customersReach(sync, 80);
      await server.crash();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      server = await startDevServer(serverOptions);
      await resultThroughOutage(run);
      await settle(sync, 'Temporal server killed (SIGKILL) mid-run, restarted', 1);
    } finally {
      await worker.kill();
      await sync.teardown();
      await existing.teardown();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
