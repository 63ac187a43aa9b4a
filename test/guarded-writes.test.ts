import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { checkpointOf } from '../src/domain/checkpoint';
import type { SandboxAccount } from '../sandbox/salesforce';
import { eventually, startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

/** The sandbox NetSuite's rule for phones it rejects: fewer than seven digits. */
const rejectedPhone = (account: SandboxAccount) =>
  account.Phone !== null && account.Phone.replace(/\D/g, '').length < 7;

const addressLines = (customer: Record<string, unknown> | undefined) =>
  ((customer?.addressBook as { items?: unknown[] } | undefined)?.items ?? []).length;

describe('writes that know what NetSuite holds', () => {
  let temporal: TestWorkflowEnvironment;
  before(async () => {
    temporal = await startTemporal();
  });
  after(async () => {
    await temporal?.teardown();
  });

  describe('skips, addresses, versions', () => {
    let sync: SyncEnvironment;
    let stopWorkers: () => Promise<void>;
    before(async () => {
      // A budget long enough for a replay to wait out a run.
      sync = await startSyncEnvironment({
        temporal,
        seedCount: 150,
        overrides: { SYNC_RETRY_BUDGET: '30s' },
      });
      stopWorkers = await sync.startWorkers();
      await sync.runSync();
    });
    after(async () => {
      await stopWorkers?.();
      await sync?.teardown();
    });

    it('a backfill of unchanged records writes nothing, and every customer keeps exactly its one address', async () => {
      const writes = sync.netsuite.stats.writes;
      await sync.operations.resetCheckpoint('2000-01-01T00:00:00Z');

      const summary = await sync.runSync();

      const bad = sync.salesforce.accounts().filter(rejectedPhone).length;
      assert.equal(summary.counts.read, sync.salesforce.accounts().length);
      assert.equal(summary.counts.skipped, summary.counts.read - bad);
      assert.equal(summary.counts.synced, 0);
      assert.equal(sync.netsuite.stats.writes, writes, 'a backfill of unchanged records wrote');
      for (const account of sync.salesforce.accounts().filter((a) => !rejectedPhone(a))) {
        const expected = account.BillingCity || account.BillingStreet || account.BillingPostalCode ? 1 : 0;
        assert.ok(
          addressLines(sync.netsuite.customerByExternalId(account.Id)) <= 1,
          `${account.Id} has two addresses`,
        );
        if (expected) assert.equal(addressLines(sync.netsuite.customerByExternalId(account.Id)), 1);
      }
    });

    it('an update replaces the address (multi-line street into addr1..addr3) and a cleared address is cleared', async () => {
      const [moved, cleared] = sync.salesforce.accounts().filter((a) => !rejectedPhone(a) && a.BillingCity);
      sync.salesforce.updateAccount(moved.Id, {
        BillingStreet: 'Suite 400\n1 Market St',
        BillingCity: 'Oakland',
      });
      sync.salesforce.updateAccount(cleared.Id, {
        BillingStreet: null,
        BillingCity: null,
        BillingState: null,
        BillingPostalCode: null,
        BillingCountry: null,
      });

      const summary = await sync.runSync();

      assert.equal(summary.counts.synced, 2);
      const book = sync.netsuite.customerByExternalId(moved.Id)?.addressBook as {
        items: { addressBookAddress: Record<string, unknown> }[];
      };
      assert.equal(book.items.length, 1);
      assert.equal(book.items[0].addressBookAddress.addr1, 'Suite 400');
      assert.equal(book.items[0].addressBookAddress.addr2, '1 Market St');
      assert.equal(book.items[0].addressBookAddress.city, 'Oakland');
      assert.equal(addressLines(sync.netsuite.customerByExternalId(cleared.Id)), 0);
    });

    it('an account deleted before it was ever synced is skipped, not created inactive', async () => {
      const account = sync.salesforce.createAccount({ Name: 'Never Synced Ltd' });
      sync.salesforce.deleteAccount(account.Id);

      const summary = await sync.runSync();

      assert.equal(summary.counts.skipped, 1);
      assert.equal(sync.netsuite.customerByExternalId(account.Id), undefined);
    });

    it('a replay racing a newer run never leaves the older version in NetSuite', async () => {
      const account = sync.salesforce.accounts().find((a) => !rejectedPhone(a))!;
      const pipeline = sync.config.pipeline.name;
      // Version 2 is held (a phone NetSuite rejects); its replay, with the phone fixed, then keeps
      // failing to write for a while…
      sync.salesforce.updateAccount(account.Id, { Name: 'Version Two Ltd', Phone: '555-01' });
      await sync.runSync();
      await eventually(async () =>
        (await sync.problem(account.Id))?.status === 'VALIDATION_FAILED' ? true : undefined,
      );
      sync.netsuite.failWritesFor([account.Id], (body) => body.companyName === 'Version Two Ltd');
      const replay = sync.operations.problems.replay(pipeline, account.Id, {
        edit: { Phone: '+1 415 555 0111' },
      });
      await eventually(async () =>
        (await sync.problem(account.Id))?.status === 'PROCESSING' ? true : undefined,
      );
      // …while a run writes version 3.
      const v3 = sync.salesforce.updateAccount(account.Id, {
        Name: 'Version Three Ltd',
        Phone: '+1 415 555 0122',
      });
      await sync.runSync();
      assert.equal(sync.netsuite.customerByExternalId(account.Id)?.companyName, 'Version Three Ltd');
      sync.netsuite.failWritesFor([]);

      const answer = await replay;

      // The replay's next attempt reads NetSuite again, finds the newer version and writes nothing.
      assert.ok(answer.done);
      assert.equal(answer.answer.outcome, 'SKIPPED');
      const customer = sync.netsuite.customerByExternalId(account.Id);
      assert.equal(customer?.companyName, 'Version Three Ltd');
      assert.equal(customer?.custentity_sf_system_modstamp, checkpointOf(v3).systemModstamp);
      assert.equal((await sync.problem(account.Id))?.status, 'SYNCED');
    });
  });

  describe('conflicts a person decides, and what NetSuite stored checked', () => {
    let sync: SyncEnvironment;
    let stopWorkers: () => Promise<void>;
    before(async () => {
      sync = await startSyncEnvironment({ temporal, seedCount: 60 });
      stopWorkers = await sync.startWorkers();
      await sync.runSync();
    });
    after(async () => {
      await stopWorkers?.();
      await sync?.teardown();
    });

    /** Runs the command line as a person would, with this environment's settings. */
    async function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
      const child = spawn(process.execPath, [require.resolve('../bin/record-sync.js'), ...args], {
        env: { ...process.env, ...sync.environment },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [status] = (await once(child, 'exit')) as [number];
      return { status, stdout, stderr };
    }

    /** A customer changed in NetSuite by a person, then its account changed in Salesforce. */
    function conflictOn(account: SandboxAccount, name: string): void {
      sync.netsuite.editAsUser(account.Id, { phone: '+1 212 555 0000' });
      sync.salesforce.updateAccount(account.Id, { Name: name });
    }

    it('holds a customer edited in NetSuite as a version conflict, with source, NetSuite and last-synced values', async () => {
      const [account] = sync.salesforce.accounts().filter((a) => !rejectedPhone(a) && a.Phone);
      sync.netsuite.editAsUser(account.Id, { phone: '+1 212 555 0000' });
      sync.salesforce.updateAccount(account.Id, { Name: 'Renamed At The Source Ltd' });

      const summary = await sync.runSync();

      assert.equal(summary.counts.conflicts, 1);
      assert.equal(
        sync.netsuite.customerByExternalId(account.Id)?.phone,
        '+1 212 555 0000',
        'overwritten silently',
      );
      const problem = await eventually(async () => (await sync.problem(account.Id)) ?? undefined);
      assert.equal(problem.status, 'VERSION_CONFLICT');
      const byField = Object.fromEntries((problem.failure.diff ?? []).map((d) => [d.field, d]));
      assert.deepEqual(byField.phone, {
        field: 'phone',
        source: account.Phone!.trim(),
        destination: '+1 212 555 0000',
        lastSynced: account.Phone!.trim(),
      });
      assert.equal(byField.companyName.source, 'Renamed At The Source Ltd');
      const shown = await cli('problems', 'show', account.Id);
      assert.match(shown.stdout, /VERSION_CONFLICT/);
      assert.match(shown.stdout, /phone: .*\+1 212 555 0000/);
    });

    it('each decision works from the command line: use the source, keep NetSuite, merge field by field', async () => {
      const [source, destination, merge] = sync.salesforce
        .accounts()
        .filter((a) => !rejectedPhone(a) && a.Phone)
        .slice(1, 4);
      conflictOn(source, 'Source Wins Ltd');
      conflictOn(destination, 'Destination Wins Ltd');
      conflictOn(merge, 'Merged Ltd');
      assert.equal((await sync.runSync()).counts.conflicts, 3);
      for (const account of [source, destination, merge]) {
        await eventually(async () =>
          (await sync.problem(account.Id))?.status === 'VERSION_CONFLICT' ? true : undefined,
        );
      }

      const refused = await cli(
        'problems',
        'resolve',
        merge.Id,
        '--use',
        'merge',
        '--field',
        'Phone=destination',
      );
      assert.equal(refused.status, 1);
      assert.match(refused.stdout + refused.stderr, /rejected .*Phone must be one of the conflicting fields/);

      assert.equal((await cli('problems', 'resolve', source.Id, '--use', 'source')).status, 0);
      assert.equal((await cli('problems', 'resolve', destination.Id, '--use', 'destination')).status, 0);
      const merged = await cli(
        'problems',
        'resolve',
        merge.Id,
        '--use',
        'merge',
        '--field',
        'phone=destination',
        'companyName=source',
      );
      assert.equal(merged.status, 0, merged.stdout + merged.stderr);

      const customer = (id: string) => sync.netsuite.customerByExternalId(id)!;
      assert.deepEqual(
        [customer(source.Id).companyName, customer(source.Id).phone],
        ['Source Wins Ltd', source.Phone!.trim()],
      );
      assert.equal(customer(destination.Id).phone, '+1 212 555 0000');
      assert.notEqual(customer(destination.Id).companyName, 'Destination Wins Ltd');
      assert.deepEqual(
        [customer(merge.Id).companyName, customer(merge.Id).phone],
        ['Merged Ltd', '+1 212 555 0000'],
      );
      const decided = await sync.problem(merge.Id);
      assert.equal(decided?.resolution?.by, 'record-sync command line');
      assert.match(decided?.resolution?.decision ?? '', /phone: destination/);
      // Decided: the next backfill finds nothing to write for them (the conflict of the test
      // before, still undecided, is held again, not overwritten).
      await sync.operations.resetCheckpoint('2000-01-01T00:00:00Z');
      const writes = sync.netsuite.stats.writes;
      const undecided = (await sync.openProblems()).filter((p) => p.status === 'VERSION_CONFLICT').length;
      const summary = await sync.runSync();
      assert.equal(summary.counts.conflicts, undecided);
      assert.equal(sync.netsuite.stats.writes, writes);
    });

    it('response validation: NetSuite answering a write but storing something else is held, naming the field', async () => {
      const account = sync.salesforce.accounts().find((a) => !rejectedPhone(a))!;
      sync.netsuite.rewriteOnSave([account.Id], { companyName: 'Rewritten By A Script' });
      sync.salesforce.updateAccount(account.Id, { Name: 'What We Wrote Ltd' });

      const summary = await sync.runSync();

      sync.netsuite.rewriteOnSave([], {});
      assert.equal(summary.counts.validationFailed, 1);
      const problem = await eventually(async () => (await sync.problem(account.Id)) ?? undefined);
      assert.equal(problem.status, 'VALIDATION_FAILED');
      assert.equal(problem.failure.kind, 'unexpected-response');
      assert.equal(problem.failure.field, 'companyName');
      assert.match(problem.failure.error, /Rewritten By A Script/);
    });
  });

  describe('status written back to Salesforce', () => {
    let sync: SyncEnvironment;
    let stopWorkers: () => Promise<void>;
    before(async () => {
      sync = await startSyncEnvironment({
        temporal,
        seedCount: 120,
        overrides: {
          SALESFORCE_WRITEBACK_STATUS_FIELD: 'Sync_Status__c',
          SALESFORCE_WRITEBACK_ID_FIELD: 'NetSuite_Id__c',
          SALESFORCE_WRITEBACK_TIME_FIELD: 'Last_Synced_At__c',
        },
      });
      stopWorkers = await sync.startWorkers();
    });
    after(async () => {
      await stopWorkers?.();
      await sync?.teardown();
    });

    it('writes each status and NetSuite id back onto the account, and causes no second write either way', async () => {
      const first = await sync.runSync();

      const accounts = sync.salesforce.accounts();
      // Deleted accounts never had a customer (skipped) and cannot be written to.
      const deleted = accounts.filter((a) => a.IsDeleted).length;
      for (const account of accounts.filter((a) => !a.IsDeleted)) {
        const fields = account as unknown as Record<string, unknown>;
        const customer = sync.netsuite.customerByExternalId(account.Id);
        assert.equal(fields.Sync_Status__c, rejectedPhone(account) ? 'VALIDATION_FAILED' : 'SYNCED');
        assert.equal(fields.NetSuite_Id__c ?? null, customer?.id ?? null);
        assert.ok(fields.Last_Synced_At__c, `${account.Id} has no sync time`);
      }
      const writes = sync.netsuite.stats.writes;
      const updates = sync.salesforce.stats.updates;
      assert.ok(updates > 0 && updates <= Math.ceil(accounts.length / 200) * 200);

      // The write-back moved every account's SystemModstamp: the next run reads them all again…
      const second = await sync.runSync();

      assert.equal(second.counts.read, first.counts.read - deleted);
      assert.equal(second.counts.synced, 0);
      assert.equal(second.counts.skipped, first.counts.synced);
      assert.equal(sync.netsuite.stats.writes, writes, 'the write-back caused a second NetSuite write');
      assert.equal(sync.salesforce.stats.updates, updates, 'the write-back wrote back again');
      // …and that is the end of it.
      assert.equal((await sync.runSync()).counts.read, 0);
    });
  });
});
