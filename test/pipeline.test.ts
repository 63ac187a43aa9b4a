import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal as proto } from '@temporalio/proto';
import { checkpointOf } from '../src/domain/checkpoint';
import { asPosition, instantOf } from '../src/domain/position';
import { recordWorkflowId } from '../src/workflows/ids';
import { ensureSchedule, triggerSync } from '../src/schedule';
import type { SandboxAccount } from '../sandbox/salesforce';
import { eventually, runFailure, startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

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

    it('syncs every valid account, mapped field by field, holds the rejected ones as problem records, and advances the checkpoint', async () => {
      const accounts = sync.salesforce.accounts();
      const rejected = accounts.filter(rejectedPhone);
      assert.ok(accounts.length >= 500 && rejected.length >= 1);

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, accounts.length);
      assert.equal(summary.counts.synced, accounts.length - rejected.length);
      assert.equal(summary.counts.validationFailed, rejected.length);
      assert.equal(summary.counts.deadLettered, 0);
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

      const problems = await sync.problemsSettled(rejected.length);
      assert.deepEqual(problems.map((p) => p.recordId).sort(), rejected.map((a) => a.Id).sort());
      for (const listed of problems) {
        assert.equal(listed.status, 'VALIDATION_FAILED');
        assert.equal(listed.kind, 'rejected');
        assert.equal(listed.field, 'phone');
        const problem = await sync.problem(listed.recordId);
        assert.equal(problem?.failure.error.includes('seven digits'), true);
        assert.equal(problem?.failure.value, rejected.find((a) => a.Id === listed.recordId)!.Phone!.trim());
        assert.equal(problem?.failure.attempts, 1, 'a permanent failure must not be retried');
      }

      const status = await sync.operations.status();
      assert.equal(status.checkpoint, asPosition(checkpointOf(accounts.at(-1)!)));
      assert.equal(status.problems.VALIDATION_FAILED, rejected.length);
      assert.equal(status.problems.DEAD_LETTER, 0);
      assert.deepEqual(status.lastRun?.counts, summary.counts);
      assert.equal(status.currentRun, null);
      assert.equal(status.paused, null);
    });

    it('carries only what changed on the next run, including a bulk update sharing one timestamp', async () => {
      const accounts = liveAccounts(sync).filter((a) => !rejectedPhone(a));
      const bulk = accounts.slice(0, 260).map((a) => a.Id);
      sync.salesforce.touchAccounts(bulk, { Website: 'https://bulk-updated.example.com' });
      const renamed = sync.salesforce.updateAccount(accounts[300].Id, { Name: 'Renamed Account Ltd' });

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, bulk.length + 1);
      assert.equal(summary.counts.synced, bulk.length + 1);
      assert.equal(sync.netsuite.customerByExternalId(renamed.Id)?.companyName, 'Renamed Account Ltd');
      assertNoDuplicates(sync);
      const status = await sync.operations.status();
      assert.equal(status.checkpoint, asPosition(checkpointOf(renamed)));
    });

    it('does nothing when nothing changed', async () => {
      const summary = await sync.runSync();
      assert.equal(summary.counts.read, 0);
    });

    it('replays a problem record once its cause is fixed in the source, and the record is resolved', async () => {
      const [first, ...rest] = await sync.openProblems();
      // Fixing the record in Salesforce: the replay reads the current record again.
      sync.salesforce.updateAccount(first.recordId, { Phone: '+1 415 555 0100' });

      const answer = await sync.operations.problems.replay(sync.config.pipeline.name, first.recordId);

      assert.ok(answer.done);
      assert.equal(answer.answer.outcome, 'SYNCED');
      assert.equal(sync.netsuite.customerByExternalId(first.recordId)?.phone, '+1 415 555 0100');
      const resolved = await sync.problem(first.recordId);
      assert.equal(resolved?.status, 'SYNCED');
      assert.equal(resolved?.resolution?.status, 'SYNCED');
      const remaining = await sync.problemsSettled(rest.length);
      assert.deepEqual(remaining.map((p) => p.recordId).sort(), rest.map((p) => p.recordId).sort());
    });

    it('keeps a record that still fails on replay, says so, and counts the replay', async () => {
      const [still] = await sync.openProblems();
      const before = await sync.problem(still.recordId);

      const answer = await sync.operations.problems.replay(sync.config.pipeline.name, still.recordId);

      assert.ok(answer.done);
      assert.equal(answer.answer.outcome, 'VALIDATION_FAILED');
      const after = await sync.problem(still.recordId);
      assert.equal(after?.status, 'VALIDATION_FAILED');
      assert.equal(after?.replays, 1);
      assert.equal(after?.failures, 2);
      assert.equal(after?.firstFailedAt, before?.firstFailedAt);
    });

    it('replays with an edit: the edited record is validated, then synced; a bad edit is rejected with its field', async () => {
      const [problem] = await sync.openProblems();
      const pipeline = sync.config.pipeline.name;
      const replaysBefore = (await sync.problem(problem.recordId))?.replays;

      const badField = await sync.operations.problems.replay(pipeline, problem.recordId, {
        edit: { Fone: '1' },
      });
      assert.equal(badField.done, false);
      assert.match(!badField.done ? badField.reason : '', /Fone: not a field/);
      const tooLong = await sync.operations.problems.replay(pipeline, problem.recordId, {
        edit: { BillingCity: 'x'.repeat(41) },
      });
      assert.match(!tooLong.done ? tooLong.reason : '', /BillingCity/);
      assert.equal(
        (await sync.problem(problem.recordId))?.replays,
        replaysBefore,
        'a rejected edit is not a replay',
      );

      const edited = await sync.operations.problems.replay(pipeline, problem.recordId, {
        edit: { Phone: '+1 415 555 0199' },
      });
      assert.ok(edited.done);
      assert.equal(edited.answer.outcome, 'SYNCED');
      assert.equal(sync.netsuite.customerByExternalId(problem.recordId)?.phone, '+1 415 555 0199');
      const view = await sync.problem(problem.recordId);
      assert.equal(view?.lastReplay?.edited, true);
    });

    it('discards a problem record with a reason; unknown and closed ones answer so', async () => {
      const open = await sync.openProblems();
      const pipeline = sync.config.pipeline.name;
      const [target] = open;

      const refused = await sync.operations.problems.discard(pipeline, target.recordId, { reason: '  ' });
      assert.equal(refused.done, false);
      assert.match(!refused.done ? refused.reason : '', /reason/);

      const discarded = await sync.operations.problems.discard(pipeline, target.recordId, {
        reason: 'test account, never billed',
        by: 'a test',
      });
      assert.ok(discarded.done);
      assert.equal(discarded.answer.status, 'DISCARDED');
      assert.equal(discarded.answer.resolution?.reason, 'test account, never billed');

      const again = await sync.operations.problems.discard(pipeline, target.recordId, { reason: 'again' });
      assert.equal(again.done ? 'done' : again.outcome, 'unknown');
      const unknown = await sync.operations.problems.replay(pipeline, '001000000000000AAA');
      assert.equal(unknown.done ? 'done' : unknown.outcome, 'unknown');
      await sync.problemsSettled(open.length - 1);
    });

    it('resets the checkpoint for a backfill: the next run reads everything changed since', async () => {
      const accounts = liveAccounts(sync);
      const from = accounts[accounts.length - 10];
      const checkpoint = await sync.operations.resetCheckpoint(checkpointOf(from).systemModstamp);
      assert.equal(checkpoint, `${checkpointOf(from).systemModstamp}|`);
      const expected = accounts.filter((a) => checkpointOf(a).systemModstamp >= instantOf(checkpoint));

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, expected.length);
      // A reset starts a new generation: a backfill looks at these versions again, not just reads
      // them; NetSuite already holding their content, it writes none of them.
      const rejected = expected.filter(rejectedPhone).length;
      assert.equal(summary.counts.alreadyProcessed, 0);
      assert.equal(summary.counts.skipped, expected.length - rejected);
      assert.equal(summary.counts.synced, 0);
      assert.equal(summary.counts.validationFailed, rejected);
      assertNoDuplicates(sync);
    });

    it('refuses a malformed checkpoint time with the reason', async () => {
      await assert.rejects(sync.operations.resetCheckpoint('last tuesday'), /ISO-8601/);
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

    it('stops and pauses the pipeline when no write gets through within the retry budget: no dead letters', async () => {
      const problemsBefore = (await sync.openProblems()).length;
      const accounts = liveAccounts(sync)
        .filter((a) => !rejectedPhone(a))
        .slice(0, 3);
      sync.salesforce.touchAccounts(
        accounts.map((a) => a.Id),
        { Website: 'https://during-the-outage.example.com' },
      );
      const before = await sync.operations.status();
      // NetSuite answers its reads but no write gets through: every record waits out its budget.
      sync.netsuite.failWritesFor(accounts.map((a) => a.Id));

      assert.match(
        await runFailure(sync.runSync()),
        /the destination has been failing for longer than the retry budget/,
      );

      const paused = await sync.operations.status();
      assert.match(paused.paused?.reason ?? '', /longer than the retry budget/);
      assert.deepEqual(
        paused.checkpoint,
        before.checkpoint,
        'the checkpoint stays before the unsynced records',
      );
      assert.match(paused.lastRun?.stoppedBy ?? '', /retry budget/);
      assert.equal((await sync.openProblems()).length, problemsBefore, 'an outage makes no problem records');

      sync.netsuite.failWritesFor([]);
      await sync.operations.resume('a test');
      const summary = await sync.runSync();

      assert.equal(summary.counts.synced, accounts.length);
      for (const account of accounts) {
        assert.equal(
          sync.netsuite.customerByExternalId(account.Id)?.url,
          'https://during-the-outage.example.com',
        );
      }
      assert.equal((await sync.operations.status()).paused, null);
    });

    it('dead-letters a record that keeps failing while the destination syncs others, and replays it after the fix', async () => {
      const [failing, ...others] = liveAccounts(sync)
        .filter((a) => !rejectedPhone(a))
        .slice(0, 6);
      sync.salesforce.touchAccounts(
        [failing, ...others].map((a) => a.Id),
        { Website: 'https://one-bad-record.example.com' },
      );
      sync.netsuite.failWritesFor([failing.Id]);

      const summary = await sync.runSync();

      assert.equal(summary.counts.synced, others.length);
      assert.equal(summary.counts.deadLettered, 1);
      const problem = await eventually(async () => (await sync.problem(failing.Id)) ?? undefined);
      assert.equal(problem.status, 'DEAD_LETTER');
      assert.equal(problem.failure.kind, 'retries-exhausted');
      assert.ok(problem.failure.attempts > 1);
      assert.equal((await sync.operations.status()).paused, null);

      sync.netsuite.failWritesFor([]);
      const answer = await sync.operations.problems.replay(sync.config.pipeline.name, failing.Id);
      assert.ok(answer.done);
      assert.equal(answer.answer.outcome, 'SYNCED');
      assert.equal(sync.netsuite.customerByExternalId(failing.Id)?.custentity_sf_account_id, failing.Id);
    });

    it('creates no duplicate when the destination commits a write but the response is lost', async () => {
      const accounts = liveAccounts(sync)
        .filter((a) => !rejectedPhone(a))
        .slice(0, 5);
      sync.salesforce.touchAccounts(
        accounts.map((a) => a.Id),
        { Website: 'https://dropped-responses.example.com' },
      );
      sync.netsuite.setFaults({ dropResponses: 3 });
      const writes = sync.netsuite.stats.writes;

      const summary = await sync.runSync();

      // A retry after a lost answer reads NetSuite again and finds the write there: no second write.
      assert.equal(summary.counts.synced + summary.counts.skipped, accounts.length);
      assert.equal(summary.counts.skipped, 3);
      assert.equal(sync.netsuite.stats.writes - writes, accounts.length, 'each record written once');
      for (const account of accounts) {
        assert.equal(
          sync.netsuite.customerByExternalId(account.Id)?.url,
          'https://dropped-responses.example.com',
        );
      }
      assertNoDuplicates(sync);
      assert.equal(
        sync.netsuite.customers().length,
        liveAccounts(sync).filter((a) => !rejectedPhone(a)).length,
      );
    });

    it('retries a write that fails once, showing RETRY_PENDING meanwhile', async () => {
      const account = liveAccounts(sync).find((a) => !rejectedPhone(a))!;
      const updated = sync.salesforce.updateAccount(account.Id, { Name: 'Hanging Destination' });
      let failures = 1;
      sync.netsuite.failWritesFor([account.Id], () => failures-- > 0);

      const summary = await sync.runSync();

      assert.equal(summary.counts.synced, 1);
      assert.equal(sync.netsuite.customerByExternalId(account.Id)?.companyName, 'Hanging Destination');
      const handle = sync.client.workflow.getHandle(
        recordWorkflowId(sync.config.pipeline.name, account.Id, checkpointOf(updated).systemModstamp),
      );
      const history = await handle.fetchHistory();
      const statuses = (history.events ?? [])
        .map((event) => event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields)
        .filter((fields) => fields?.RecordSyncOutcome)
        .map((fields) => Buffer.from(fields!.RecordSyncOutcome.data!).toString());
      assert.deepEqual(statuses, ['"RETRY_PENDING"', '"SYNCED"']);
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
        assert.equal(await sync.operations.create(), 'started');
        assert.equal(await ensureSchedule(sync.client, sync.operations.run), 'created');
        assert.equal(await ensureSchedule(sync.client, sync.operations.run), 'updated');
        const description = await sync.client.schedule.getHandle(sync.config.pipeline.scheduleId).describe();
        assert.equal(description.policies.overlap, 'SKIP');

        assert.deepEqual(await triggerSync(sync.client, sync.config.pipeline.scheduleId), {
          triggered: true,
        });

        const status = await eventually(async () => {
          const current = await sync.operations.status();
          return current.lastRun ? current : undefined;
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
