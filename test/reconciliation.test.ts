import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { ReconciliationSummary } from '../src/domain/sync';
import type { reconcilePipeline } from '../src/workflows/reconciliation';
import type { SandboxAccount } from '../sandbox/salesforce';
import { innermostMessage } from '../src/domain/failure-text';
import { eventually, startSyncEnvironment, type SyncEnvironment } from './harness';

/** The sandbox NetSuite's rule for phones it rejects: fewer than seven digits. */
const rejectedPhone = (account: SandboxAccount) =>
  account.Phone !== null && account.Phone.replace(/\D/g, '').length < 7;

describe('reconciliation of the accounts pipeline', () => {
  let sync: SyncEnvironment;
  let stopWorkers: () => Promise<void>;
  let reportsDir: string;
  let held: number;
  let runs = 0;

  const reconcile = (repair?: boolean) =>
    sync.client.workflow.execute<typeof reconcilePipeline>('reconcilePipeline', {
      workflowId: `reconcile-${sync.config.pipeline.name}-${(runs += 1)}`,
      taskQueue: sync.config.pipeline.taskQueue,
      args: [{ pipeline: sync.config.pipeline.name, ...(repair === undefined ? {} : { repair }) }],
    });

  before(async () => {
    reportsDir = await mkdtemp(path.join(tmpdir(), 'record-sync-reports-'));
    sync = await startSyncEnvironment({
      seedCount: 60,
      overrides: { RECONCILIATION_REPORTS_DIR: reportsDir, RECONCILIATION_REPORTS_KEPT: '2' },
    });
    stopWorkers = await sync.startWorkers();
    const summary = await sync.runSync();
    // Records the sync could not write already wait for a person: reconciliation leaves them be.
    held = summary.counts.validationFailed + summary.counts.deadLettered + summary.counts.conflicts;
    assert.ok(held > 0, 'the seed should hold some records NetSuite rejects');
    await sync.problemsSettled(held);
  });
  after(async () => {
    await stopWorkers?.();
    await sync?.teardown();
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('finds exactly the drift, the mismatch, the missing record and the orphan, and repairs them', async () => {
    const synced = sync.salesforce.accounts().filter((a) => !a.IsDeleted && !rejectedPhone(a));
    const [drifted, edited, purged] = synced;
    sync.salesforce.updateAccount(drifted.Id, { Name: 'Drifted Holdings' });
    sync.netsuite.editAsUser(edited.Id, { companyName: 'Edited In NetSuite Ltd' });
    const created = sync.salesforce.createAccount({ Name: 'Never Synced Co', Phone: '+1 415 555 0100' });
    sync.salesforce.purgeAccount(purged.Id);

    const summary = await reconcile();

    assert.deepEqual(summary.differences, {
      VERSION_DRIFT: 1,
      DATA_MISMATCH: 1,
      MISSING: 1,
      ORPHANED: 1,
    });
    assert.equal(summary.held, held);
    assert.equal(summary.matching, sync.salesforce.accounts().length - 3 - held);
    assert.deepEqual(summary.repaired, { resynced: 2, conflicts: 1, orphans: 1 });
    assert.equal(summary.stoppedBy, undefined);

    // Drift and missing went through the record path.
    assert.equal(sync.netsuite.customerByExternalId(drifted.Id)?.companyName, 'Drifted Holdings');
    assert.equal(sync.netsuite.customerByExternalId(created.Id)?.companyName, 'Never Synced Co');
    // The mismatch waits for a person as a version conflict, with both values.
    const conflict = await eventually(() => sync.problem(edited.Id).then((p) => p ?? undefined));
    assert.equal(conflict.status, 'VERSION_CONFLICT');
    const diff = conflict.failure.diff?.find((d) => d.field === 'companyName');
    assert.equal(diff?.destination, 'Edited In NetSuite Ltd');
    assert.equal(diff?.source, edited.Name);
    assert.equal(sync.netsuite.customerByExternalId(edited.Id)?.companyName, 'Edited In NetSuite Ltd');
    // The orphan waits for a person too; confirming it deactivates the customer.
    const orphan = await eventually(() => sync.problem(purged.Id).then((p) => p ?? undefined));
    assert.equal(orphan.status, 'ORPHANED');
    const replay = await sync.operations.problems.replay(sync.config.pipeline.name, purged.Id, {});
    assert.equal(replay.done, false, 'an orphan has nothing to replay');
    const confirmed = await sync.operations.problems.confirmOrphan(sync.config.pipeline.name, purged.Id, {
      by: 'test',
    });
    assert.ok(confirmed.done);
    assert.equal(confirmed.answer.status, 'RETIRED');
    assert.equal(sync.netsuite.customerByExternalId(purged.Id)?.isInactive, true);

    // The report: linked from status, in HTML, JSON and CSV, every difference in each.
    const status = await sync.operations.status();
    const latest = status.reconciliations?.[0] as ReconciliationSummary;
    assert.equal(latest.runId, summary.runId);
    assert.equal(latest.report, summary.report);
    const html = await readFile(summary.report!, 'utf8');
    for (const id of [drifted.Id, edited.Id, created.Id, purged.Id]) assert.ok(html.includes(id), id);
    const json = JSON.parse(await readFile(summary.report!.replace(/\.html$/, '.json'), 'utf8')) as {
      differences: { recordId: string; kind: string }[];
    };
    assert.deepEqual(
      json.differences.map((d) => `${d.kind} ${d.recordId}`).sort(),
      [
        `DATA_MISMATCH ${edited.Id}`,
        `MISSING ${created.Id}`,
        `ORPHANED ${purged.Id}`,
        `VERSION_DRIFT ${drifted.Id}`,
      ].sort(),
    );
    const csv = parse(await readFile(summary.report!.replace(/\.html$/, '.csv')), {
      columns: true,
      bom: true,
    }) as {
      recordId: string;
      field: string;
    }[];
    assert.ok(csv.some((row) => row.recordId === edited.Id && row.field === 'companyName'));
  });

  it('a second reconciliation finds nothing new and repairs nothing twice', async () => {
    const writes = sync.netsuite.stats.writes;
    const summary = await reconcile();
    // The conflict still waits for its person; the retired orphan is inactive, so no orphan.
    assert.deepEqual(summary.differences, { VERSION_DRIFT: 0, DATA_MISMATCH: 0, MISSING: 0, ORPHANED: 0 });
    assert.equal(summary.held, held + 1);
    assert.deepEqual(summary.repaired, { resynced: 0, conflicts: 0, orphans: 0 });
    assert.equal(sync.netsuite.stats.writes, writes);
  });

  it('stops, and says why, when the org has nearly used its daily API requests', async () => {
    sync.salesforce.setApiUsage(14_000);
    try {
      await assert.rejects(reconcile(), (error: Error) =>
        /API usage is \d+ of 15000 requests today/.test(innermostMessage(error)),
      );
    } finally {
      sync.salesforce.setApiUsage(0);
    }
    const latest = (await sync.operations.status()).reconciliations?.[0];
    assert.match(latest?.stoppedBy ?? '', /reconciliation stopped to leave the rest to the sync/);
  });

  it('report only: a difference is reported and nothing is written', async () => {
    const open = new Set((await sync.openProblems()).map((p) => p.recordId));
    const account = sync.salesforce
      .accounts()
      .find((a) => !a.IsDeleted && !rejectedPhone(a) && !open.has(a.Id))!;
    sync.salesforce.updateAccount(account.Id, { Name: 'Changed Again Inc' });
    const writes = sync.netsuite.stats.writes;

    const summary = await reconcile(false);

    assert.equal(summary.repair, false);
    assert.equal(summary.differences.VERSION_DRIFT, 1);
    assert.deepEqual(summary.repaired, { resynced: 0, conflicts: 0, orphans: 0 });
    assert.equal(sync.netsuite.stats.writes, writes);
    assert.notEqual(sync.netsuite.customerByExternalId(account.Id)?.companyName, 'Changed Again Inc');
  });
});
