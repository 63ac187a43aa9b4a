import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { syncRun } from '../../src/workflows/sync-run';
import { instantOf } from '../../src/domain/position';
import { createPrng } from '../../sandbox/prng';
import { freePort, startDevServer } from '../../scripts/dev-server';
import { findTemporalCli } from '../../scripts/temporal-cli';
import { checkpointOf, compareCheckpoints } from '../../src/domain/checkpoint';
import { innermostMessage } from '../../src/domain/failure-text';
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
  stale: number;
  doubled: number;
  problems: number;
  causedByFault: number;
}

const matrix: MatrixRow[] = [];
const random = createPrng(20261123);
const RECORDS = 300;
const OUTAGE_MS = Number(process.env.RECORD_SYNC_FAULT_OUTAGE_MS ?? 120_000);

/** How many record workflows wait in RETRY_PENDING now. */
async function retryPending(sync: SyncEnvironment): Promise<number> {
  const { count } = await sync.client.workflow.count(
    `RecordSyncPipeline = "${sync.config.pipeline.name}" AND RecordSyncOutcome = "RETRY_PENDING" AND ExecutionStatus = "Running"`,
  );
  return count;
}

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

/**
 * Clears the faults (as a person fixes the cause), resumes a pipeline that a pipeline-level
 * failure paused, runs until nothing new is read, replays what is held, and checks: nothing lost,
 * stale or doubled, and no problem record that only the fault caused.
 */
async function settle(sync: SyncEnvironment, fault: string, runsSoFar: number): Promise<void> {
  sync.netsuite.setFaults({
    serverErrors: 0,
    rateLimited: 0,
    hangs: 0,
    dropResponses: 0,
    latencyMs: 0,
    outageUntil: false,
    occupiedSlots: 0,
    revokedToken: false,
    permissionDenied: false,
  });
  sync.salesforce.setFaults({ serverErrors: 0, requestLimitExceeded: 0, malformedPages: 0 });
  if ((await sync.operations.status()).paused) await sync.operations.resume('the fault matrix');
  const runs = runsSoFar + (await converge(sync));
  await replayAll(sync);
  const result = await reconcile(sync);
  matrix.push({
    fault,
    runs,
    records: result.records,
    lost: result.lost.length,
    stale: result.stale.length,
    doubled: result.doubled.length,
    problems: result.problems,
    causedByFault: result.causedByFault.length,
  });
  assert.deepEqual(result.lost, [], 'records lost');
  assert.deepEqual(result.stale, [], 'records stale');
  assert.deepEqual(result.doubled, [], 'records doubled');
  assert.deepEqual(result.causedByFault, [], 'problem records the fault alone caused');
}

/** A run's end: its summary, or (after a pipeline-level failure) why it stopped. */
async function ending(run: WorkflowHandle<typeof syncRun>): Promise<string> {
  try {
    await run.result();
    return 'finished';
  } catch (error) {
    return innermostMessage(error);
  }
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
    console.log(
      '\n| fault | runs | records | lost | stale | doubled | problem records left | caused by the fault |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const row of matrix) {
      console.log(
        `| ${row.fault} | ${row.runs} | ${row.records} | ${row.lost} | ${row.stale} | ${row.doubled} | ${row.problems} | ${row.causedByFault} |`,
      );
    }
  });

  /**
   * A case with workers in this process: inject mid-run, then settle. `stops` says the run must
   * stop on a pipeline-level failure (matching the reason); otherwise it must finish.
   */
  function inProcessCase(
    fault: string,
    inject: (sync: SyncEnvironment) => Promise<void> | void,
    options: { overrides?: Record<string, string>; stops?: RegExp } = {},
  ) {
    it(fault, async () => {
      const sync = await startSyncEnvironment({ temporal, seedCount: RECORDS, overrides: options.overrides });
      const stopWorkers = await sync.startWorkers();
      try {
        sync.netsuite.setFaults({ latencyMs: 20 });
        const run = await startRun(sync);
        await customersReach(sync, 40);
        await inject(sync);
        const end = await ending(run);
        if (options.stops) {
          assert.match(end, options.stops);
          assert.match((await sync.operations.status()).paused?.reason ?? '', options.stops);
        } else assert.equal(end, 'finished');
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
  // The daily limit: a retry in seconds is pointless, so the run stops and says so.
  inProcessCase(
    'source: daily request limit exceeded mid-run',
    (sync) => sync.salesforce.setFaults({ requestLimitExceeded: 2 }),
    { stops: /reading a page has been failing for longer than the retry budget/ },
  );
  inProcessCase(
    'destination: outage of two minutes (inside the retry budget)',
    async (sync) => {
      sync.netsuite.setFaults({ outageUntil: Date.now() + OUTAGE_MS });
      // Records wait in RETRY_PENDING through the outage; none becomes a problem record.
      await eventually(async () => ((await retryPending(sync)) > 0 ? true : undefined));
    },
    { overrides: { SYNC_RETRY_BUDGET: '10m', SYNC_RETRY_MAXIMUM_INTERVAL: '10s' } },
  );
  inProcessCase(
    'destination: token revoked mid-run',
    (sync) => sync.netsuite.setFaults({ revokedToken: true }),
    { stops: /authentication failed/ },
  );
  inProcessCase(
    'destination: permission removed mid-run',
    (sync) => sync.netsuite.setFaults({ permissionDenied: true }),
    { stops: /permission denied/ },
  );
  inProcessCase(
    'destination: 429 storm from a second client sharing the limit (20 s)',
    async (sync) => {
      sync.netsuite.setFaults({ concurrencyLimit: 10, occupiedSlots: 10 });
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      sync.netsuite.setFaults({ occupiedSlots: 0 });
    },
    { overrides: { SYNC_RETRY_BUDGET: '5m', SYNC_RETRY_MAXIMUM_INTERVAL: '5s' } },
  );
  inProcessCase('source: token expired mid-paging', (sync) => sync.salesforce.expireTokens());
  // Later pages carry the edited rows' new stamps. Rows on the page already read are edited
  // first, then the last row of the query (on a page not yet read): served with its new stamp, it
  // would move a checkpoint taken from the page's last row past the earlier edits.
  inProcessCase('source: accounts edited while the run pages', (sync) => {
    const ordered = [...sync.salesforce.accounts()].sort((a, b) =>
      compareCheckpoints(checkpointOf(a), checkpointOf(b)),
    );
    for (let i = 0; i < 15; i += 1) {
      const account = ordered[1 + Math.floor(random() * 30)];
      sync.salesforce.updateAccount(account.Id, { Name: `Modified Mid-Run ${i}` });
    }
    sync.salesforce.updateAccount(ordered.at(-1)!.Id, { Name: 'Last Row Modified Mid-Run' });
  });
  inProcessCase('source: records deleted between read and write', (sync) => {
    const accounts = sync.salesforce.accounts().filter((a) => !a.IsDeleted);
    for (let i = 0; i < 5; i += 1) sync.salesforce.deleteAccount(accounts[accounts.length - 1 - i * 7].Id);
  });

  it('source: changes committed after the checkpoint passed their timestamp (look-back window)', async () => {
    const sync = await startSyncEnvironment({
      temporal,
      seedCount: RECORDS,
      overrides: { SYNC_LOOKBACK: '1m' },
    });
    const stopWorkers = await sync.startWorkers();
    try {
      // The rows a long transaction holds keep their old stamps; every other row is saved now,
      // so the checkpoint ends near now, as in a live org.
      const late = sync.salesforce
        .accounts()
        .filter((_, i) => i % 15 === 0)
        .map((a) => a.Id);
      sync.salesforce.touchAccounts(
        sync.salesforce
          .accounts()
          .map((a) => a.Id)
          .filter((id) => !late.includes(id)),
        { Industry: 'Recently Touched' },
      );
      await sync.runSync();
      const { checkpoint } = await sync.operations.status();
      const stampedAt = new Date(Date.parse(instantOf(checkpoint!)) - 10_000).toISOString();
      // A long transaction that began before the checkpoint commits only now.
      sync.salesforce.commitLate(late, { Name: 'Committed Late Ltd' }, stampedAt);
      await settle(sync, 'source: changes committed behind the checkpoint', 1);
      for (const id of late)
        assert.equal(sync.netsuite.customerByExternalId(id)?.companyName, 'Committed Late Ltd');
    } finally {
      await stopWorkers();
      await sync.teardown();
    }
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
