import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pipelineWorkflowId } from '../src/workflows/ids';
import type { problemRecordsBulk } from '../src/workflows/problem-records-bulk';
import { startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

/** Far below the server's 4,096 so that every long-lived workflow here must continue as new. */
const SUGGEST_CONTINUE_AS_NEW = 200;
const PROBLEMS = 3_000;

/**
 * Problem records that scale: 3,000 records (15 times the continue-as-new threshold set here) fail validation and are held, each in its own
 * workflow; none of them grows the owner's state, history or query answers. Then the data is
 * fixed at the source and a bulk replay resolves them all, page by page, through continue-as-new.
 */
describe(`${PROBLEMS} problem records through continue-as-new`, () => {
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  let stopWorkers: () => Promise<void>;
  before(async () => {
    temporal = await startTemporal({ suggestContinueAsNewAt: SUGGEST_CONTINUE_AS_NEW });
    sync = await startSyncEnvironment({
      temporal,
      seedCount: PROBLEMS,
      overrides: { SYNC_PAGE_SIZE: '1000' },
    });
    stopWorkers = await sync.startWorkers();
  });
  after(async () => {
    await stopWorkers?.();
    await sync?.teardown();
    await temporal?.teardown();
  });

  it('holds every failing record, counts and lists them all, and replays them all: nothing lost', async () => {
    const ids = sync.salesforce.accounts().map((a) => a.Id);
    assert.equal(ids.length, PROBLEMS);
    // A phone NetSuite rejects on every account: each one is a problem record.
    sync.salesforce.touchAccounts(ids, { Phone: '555-01' });

    const summary = await sync.runSync();

    assert.equal(summary.counts.validationFailed, PROBLEMS);
    const listed = await sync.problemsSettled(PROBLEMS);
    assert.deepEqual(new Set(listed.map((p) => p.recordId)), new Set(ids));
    const counts = await sync.operations.problems.countByStatus(sync.config.pipeline.name);
    assert.deepEqual(counts, {
      VALIDATION_FAILED: PROBLEMS,
      VERSION_CONFLICT: 0,
      DEAD_LETTER: 0,
      ORPHANED: 0,
    });

    const owner = await sync.client.workflow
      .getHandle(pipelineWorkflowId(sync.config.pipeline.name))
      .describe();
    assert.ok(
      owner.historyLength <= SUGGEST_CONTINUE_AS_NEW + 50,
      `owner history ${owner.historyLength} events`,
    );
    const status = JSON.stringify(await sync.operations.status());
    assert.ok(status.length < 4_000, `the status answer grew to ${status.length} bytes`);

    sync.salesforce.touchAccounts(ids, { Phone: '+1 415 555 0100' });
    const bulk = await sync.operations.startBulk('replay', {});
    const result = await sync.client.workflow.getHandle<typeof problemRecordsBulk>(bulk.workflowId).result();

    assert.deepEqual(result.counts, { SYNCED: PROBLEMS });
    assert.ok(result.pages >= PROBLEMS / 200, `${result.pages} pages`);
    await sync.problemsSettled(0);
    const externalIds = new Set(sync.netsuite.customers().map((c) => c.externalId));
    assert.equal(externalIds.size, PROBLEMS);
    assert.equal(sync.netsuite.customers().length, PROBLEMS, 'no customer created twice');
    // Runs continue as new after every page instead; everything else stays under the threshold.
    const { count: largeHistories } = await sync.client.workflow.count(
      'WorkflowType IN ("pipelineWorkflow", "problemRecord", "problemRecordsBulk", "syncRecordVersion") ' +
        `AND HistoryLength > ${SUGGEST_CONTINUE_AS_NEW + 50}`,
    );
    assert.equal(largeHistories, 0, 'a workflow history outgrew the continue-as-new threshold');
  });
});
