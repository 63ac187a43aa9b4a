import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal as proto } from '@temporalio/proto';
import { checkpointOf } from '../src/domain/checkpoint';
import { recordWorkflowId } from '../src/workflows/messages';
import { ensureSchedule, triggerSync } from '../src/schedule';
import type { SandboxAccount } from '../sandbox/salesforce';
import { eventually, startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

const { EventType } = proto.api.enums.v1;

/** The seed's rule for phones NetSuite rejects: fewer than seven digits. */
const rejectedPhone = (account: SandboxAccount) =>
  account.Phone !== null && account.Phone.replace(/\D/g, '').length < 7;

const liveAccounts = (sync: SyncEnvironment) => sync.salesforce.accounts().filter((a) => !a.IsDeleted);

function assertNoDuplicates(sync: SyncEnvironment): void {
  const externalIds = sync.netsuite.customers().map((c) => c.externalId);
  assert.equal(new Set(externalIds).size, externalIds.length, 'a customer was created twice');
}

describe('sync pipeline (dev server + sandboxes)', () => {
  let temporal: TestWorkflowEnvironment;
  before(async () => {
    temporal = await startTemporal();
  });
  after(async () => {
    await temporal?.teardown();
  });

  describe('a first full run', () => {
    let sync: SyncEnvironment;
    let stopWorkers: () => Promise<void>;
    before(async () => {
      sync = await startSyncEnvironment({ temporal });
      stopWorkers = await sync.startWorkers();
    });
    after(async () => {
      await stopWorkers();
      await sync.teardown();
    });

    it('syncs every valid account, mapped field by field, dead-letters the rejected ones, and advances the checkpoint', async () => {
      const accounts = sync.salesforce.accounts();
      const rejected = accounts.filter(rejectedPhone);
      assert.ok(accounts.length >= 500 && rejected.length >= 1);

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, accounts.length);
      assert.equal(summary.counts.synced, accounts.length - rejected.length);
      assert.equal(summary.counts.deadLettered, rejected.length);
      assert.equal(summary.counts.alreadyProcessed, 0);
      assert.ok(summary.pages >= 3, `expected several pages, got ${summary.pages}`);
      assertNoDuplicates(sync);
      assert.equal(sync.netsuite.customers().length, accounts.length - rejected.length);

      for (const account of accounts.filter((a) => !rejectedPhone(a))) {
        const customer = sync.netsuite.customerByExternalId(account.Id);
        assert.ok(customer, `account ${account.Id} did not arrive`);
        assert.equal(customer.companyName, account.Name!.trim());
        assert.equal(customer.phone ?? null, account.Phone);
        assert.equal(customer.custentity_sf_account_id, account.Id);
        assert.equal(customer.custentity_sf_system_modstamp, checkpointOf(account).systemModstamp);
        assert.equal(customer.isInactive, false);
        if (account.Website) assert.match(String(customer.url), /^https?:\/\//);
        const address = (customer.addressBook as { items: { addressBookAddress: Record<string, unknown> }[] })
          ?.items?.[0]?.addressBookAddress;
        if (account.BillingCity) assert.equal(address?.city, account.BillingCity);
        if (account.BillingPostalCode) assert.equal(address?.zip, account.BillingPostalCode);
      }

      const deadLetters = await sync.operations.deadLetters();
      assert.deepEqual(deadLetters.map((d) => d.recordId).sort(), rejected.map((a) => a.Id).sort());
      for (const letter of deadLetters) {
        assert.equal(letter.kind, 'rejected');
        assert.equal(letter.field, 'phone');
        assert.match(letter.error, /seven digits/);
        assert.equal(letter.attempts, 1, 'a permanent failure must not be retried');
      }

      const status = await sync.operations.status();
      assert.deepEqual(status?.checkpoint, checkpointOf(accounts.at(-1)!));
      assert.equal(status?.deadLetterCount, rejected.length);
      assert.deepEqual(status?.lastRun?.counts, summary.counts);
    });

    it('carries only what changed on the next run, including a bulk update sharing one timestamp', async () => {
      const accounts = liveAccounts(sync).filter((a) => !rejectedPhone(a));
      const bulk = accounts.slice(0, 260).map((a) => a.Id);
      sync.salesforce.touchAccounts(bulk, { Industry: 'Bulk Updated' });
      const renamed = sync.salesforce.updateAccount(accounts[300].Id, { Name: 'Renamed Account Ltd' });

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, bulk.length + 1);
      assert.equal(summary.counts.synced, bulk.length + 1);
      assert.equal(sync.netsuite.customerByExternalId(renamed.Id)?.companyName, 'Renamed Account Ltd');
      assertNoDuplicates(sync);
      const status = await sync.operations.status();
      assert.deepEqual(status?.checkpoint, checkpointOf(renamed));
    });

    it('does nothing when nothing changed', async () => {
      const summary = await sync.runSync();
      assert.equal(summary.counts.read, 0);
    });

    it('replays a dead letter once its cause is fixed in the source, and the queue empties', async () => {
      const deadLetters = await sync.operations.deadLetters();
      assert.ok(deadLetters.length > 0);
      const [first, ...rest] = deadLetters;
      // Fixing the record in Salesforce: the replay reads the current record again.
      sync.salesforce.updateAccount(first.recordId, { Phone: '+1 415 555 0100' });

      assert.equal(await sync.operations.replay([first.recordId]), 1);

      await eventually(async () => {
        const status = await sync.operations.status();
        return status?.deadLetterCount === rest.length && status.replaysInFlight === 0 ? true : undefined;
      });
      assert.equal(sync.netsuite.customerByExternalId(first.recordId)?.phone, '+1 415 555 0100');
      const remaining = await sync.operations.deadLetters();
      assert.deepEqual(
        remaining.map((d) => d.recordId),
        rest.map((d) => d.recordId),
      );
    });

    it('keeps a record that still fails on replay in the queue, with the replay counted', async () => {
      const [still] = await sync.operations.deadLetters();
      await sync.operations.replay([still.recordId]);
      const replayed = await eventually(async () => {
        const letter = (await sync.operations.deadLetters()).find((d) => d.recordId === still.recordId);
        return letter && letter.replays === 1 ? letter : undefined;
      });
      assert.equal(replayed.kind, 'rejected');
      assert.equal(replayed.firstFailedAt, still.firstFailedAt);
    });

    it('resets the checkpoint for a backfill: the next run reads everything changed since', async () => {
      const accounts = liveAccounts(sync);
      const from = accounts[accounts.length - 10];
      const checkpoint = await sync.operations.resetCheckpoint(checkpointOf(from).systemModstamp);
      assert.equal(checkpoint.id, '');
      const expected = accounts.filter((a) => checkpointOf(a).systemModstamp >= checkpoint.systemModstamp);

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, expected.length);
      // A reset starts a new generation: a backfill writes these versions again, not just reads them.
      const rejected = expected.filter(rejectedPhone).length;
      assert.equal(summary.counts.alreadyProcessed, 0);
      assert.equal(summary.counts.synced, expected.length - rejected);
      assert.equal(summary.counts.deadLettered, rejected);
      assertNoDuplicates(sync);
    });
  });

  describe('failures at the destination', () => {
    let sync: SyncEnvironment;
    let stopWorkers: () => Promise<void>;
    before(async () => {
      sync = await startSyncEnvironment({ temporal, seedCount: 120 });
      stopWorkers = await sync.startWorkers();
      await sync.runSync();
    });
    after(async () => {
      await stopWorkers();
      await sync.teardown();
    });

    it('retries transient 5xx and 429 answers and syncs the record once', async () => {
      const account = liveAccounts(sync).find((a) => !rejectedPhone(a))!;
      sync.salesforce.updateAccount(account.Id, { Name: 'After Transient Errors' });
      sync.netsuite.setFaults({ serverErrors: 1, rateLimited: 1 });
      const writesBefore = sync.netsuite.stats.writes;

      const summary = await sync.runSync();

      assert.equal(summary.counts.synced, 1);
      assert.equal(summary.counts.deadLettered, 0);
      assert.equal(sync.netsuite.customerByExternalId(account.Id)?.companyName, 'After Transient Errors');
      assert.equal(sync.netsuite.stats.writes - writesBefore, 1, 'written once');
      assertNoDuplicates(sync);
    });

    it('dead-letters a record whose retries are exhausted, and replays it after the outage', async () => {
      const account = liveAccounts(sync).find((a) => !rejectedPhone(a))!;
      sync.salesforce.updateAccount(account.Id, { Name: 'During The Outage' });
      sync.netsuite.setFaults({ serverErrors: 100 });

      const summary = await sync.runSync();

      assert.equal(summary.counts.deadLettered, 1);
      const letter = (await sync.operations.deadLetters()).find((d) => d.recordId === account.Id);
      assert.ok(letter);
      assert.equal(letter.kind, 'retries-exhausted');
      assert.equal(letter.attempts, sync.config.pipeline.retry.maximumAttempts);
      const status = await sync.operations.status();
      assert.deepEqual(status?.checkpoint, summary.checkpoint, 'the checkpoint moves past a dead letter');

      sync.netsuite.setFaults({ serverErrors: 0 });
      await sync.operations.replay();
      await eventually(async () =>
        (await sync.operations.deadLetters()).some((d) => d.recordId === account.Id) ? undefined : true,
      );
      assert.equal(sync.netsuite.customerByExternalId(account.Id)?.companyName, 'During The Outage');
    });

    it('creates no duplicate when the destination commits a write but the response is lost', async () => {
      const accounts = liveAccounts(sync)
        .filter((a) => !rejectedPhone(a))
        .slice(0, 5);
      sync.salesforce.touchAccounts(
        accounts.map((a) => a.Id),
        { Industry: 'Dropped Responses' },
      );
      sync.netsuite.setFaults({ dropResponses: 3 });

      const summary = await sync.runSync();

      assert.equal(summary.counts.synced, accounts.length);
      assertNoDuplicates(sync);
      assert.equal(
        sync.netsuite.customers().length,
        liveAccounts(sync).filter((a) => !rejectedPhone(a)).length,
      );
    });

    it('dead-letters after a destination that hangs past the timeout on every attempt', async () => {
      const account = liveAccounts(sync).find((a) => !rejectedPhone(a))!;
      sync.salesforce.updateAccount(account.Id, { Name: 'Hanging Destination' });
      sync.netsuite.setFaults({ hangs: sync.config.pipeline.retry.maximumAttempts });

      const summary = await sync.runSync();

      assert.equal(summary.counts.deadLettered, 1);
      const letter = (await sync.operations.deadLetters()).find((d) => d.recordId === account.Id);
      assert.equal(letter?.kind, 'retries-exhausted');
    });
  });

  describe("the destination's limits", () => {
    let sync: SyncEnvironment;
    let stopWorkers: () => Promise<void>;
    const limit = 3;
    before(async () => {
      sync = await startSyncEnvironment({
        temporal,
        seedCount: 80,
        overrides: { NETSUITE_MAX_CONCURRENT_REQUESTS: String(limit) },
      });
      stopWorkers = await sync.startWorkers();
    });
    after(async () => {
      await stopWorkers();
      await sync.teardown();
    });

    it('keeps NetSuite at its concurrency limit and never over it: no 429s', async () => {
      // Requests overlap for 40 ms each, and the window lets far more than `limit` records run.
      sync.netsuite.setFaults({ latencyMs: 40, concurrencyLimit: limit });

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, sync.salesforce.accounts().length);
      assert.equal(sync.netsuite.stats.byStatus[429] ?? 0, 0, 'NetSuite answered 429');
      assert.equal(sync.netsuite.stats.maxConcurrent, limit, 'the limit is used, not exceeded');
      assertNoDuplicates(sync);
    });

    it("records each upsert in its record's history, inside the record's one workflow task", async () => {
      const account = liveAccounts(sync).find((a) => !rejectedPhone(a))!;
      const history = await sync.client.workflow
        .getHandle(
          recordWorkflowId(sync.config.pipeline.name, account.Id, checkpointOf(account).systemModstamp),
        )
        .fetchHistory();
      const types = (history.events ?? []).map((event) => EventType[event.eventType ?? 0]);

      assert.equal(types.filter((type) => type === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED').length, 1);
      assert.ok(!types.includes('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'), 'no remote activity');
      const markers = (history.events ?? []).filter(
        (event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity',
      );
      assert.equal(markers.length, 1, 'one local activity marker: the upsert');
      assert.equal(types.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    });
  });

  describe('the schedule', () => {
    it('is created idempotently and a trigger runs a sync', async () => {
      const sync = await startSyncEnvironment({ temporal, seedCount: 30 });
      const stopWorkers = await sync.startWorkers();
      try {
        assert.equal(await ensureSchedule(sync.client, sync.config), 'created');
        assert.equal(await ensureSchedule(sync.client, sync.config), 'updated');
        const description = await sync.client.schedule.getHandle(sync.config.pipeline.scheduleId).describe();
        assert.equal(description.policies.overlap, 'SKIP');

        await triggerSync(sync.client, sync.config);

        const status = await eventually(async () => {
          const current = await sync.operations.status();
          return current?.lastRun ? current : undefined;
        });
        assert.equal(status.lastRun?.counts.read, 30);
        await sync.client.schedule.getHandle(sync.config.pipeline.scheduleId).delete();
      } finally {
        await stopWorkers();
        await sync.teardown();
      }
    });
  });
});
