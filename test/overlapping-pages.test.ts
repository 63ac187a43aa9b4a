import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal as proto } from '@temporalio/proto';
import { checkpointOf } from '../src/domain/checkpoint';
import { asPosition } from '../src/domain/position';
import { startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

const { EventType } = proto.api.enums.v1;
type HistoryEvent = proto.api.history.v1.IHistoryEvent;

/** Low enough that 1,100 records take several runs, each of a few pages. */
const SUGGEST_CONTINUE_AS_NEW = 1_000;
const ACCOUNTS = 1_100;

/** One run of the chain, read from its history: its pages, their records and their reports. */
interface RunPages {
  reads: { scheduled: number; completed: number }[];
  /** Per page (by read), the event ids of its record workflows' completions. */
  childrenDone: number[][];
  /** The event ids of the run's pageCompleted signals to the owner, in order. */
  pageReports: number[];
}

function pagesOf(events: HistoryEvent[]): RunPages {
  const run: RunPages = { reads: [], childrenDone: [], pageReports: [] };
  const reads = new Map<number, number>();
  const pageOfChild = new Map<string, number>();
  for (const event of events) {
    const id = Number(event.eventId);
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'readChangedRecords') {
      reads.set(id, run.reads.length);
      run.reads.push({ scheduled: id, completed: NaN });
      run.childrenDone.push([]);
    } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const page = reads.get(Number(event.activityTaskCompletedEventAttributes!.scheduledEventId));
      if (page !== undefined) run.reads[page].completed = id;
    } else if (event.startChildWorkflowExecutionInitiatedEventAttributes) {
      // A record belongs to the last page whose read had completed when it was asked for.
      const page = run.reads.map((read) => read.completed < id).lastIndexOf(true);
      pageOfChild.set(event.startChildWorkflowExecutionInitiatedEventAttributes.workflowId!, page);
    } else if (event.childWorkflowExecutionCompletedEventAttributes) {
      const childId = event.childWorkflowExecutionCompletedEventAttributes.workflowExecution!.workflowId!;
      run.childrenDone[pageOfChild.get(childId)!].push(id);
    } else if (
      event.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === 'internal.pageCompleted'
    ) {
      run.pageReports.push(id);
    }
  }
  return run;
}

describe('a run keeps its window full across page boundaries (dev server + sandboxes)', () => {
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  let stopWorkers: () => Promise<void>;
  before(async () => {
    temporal = await startTemporal({ suggestContinueAsNewAt: SUGGEST_CONTINUE_AS_NEW });
    sync = await startSyncEnvironment({
      temporal,
      seedCount: ACCOUNTS,
      overrides: { SYNC_PAGE_SIZE: '200' },
    });
    // Writes that take a moment, so that a page's last records are still in flight at its end.
    sync.netsuite.setFaults({ latencyMs: 20 });
    stopWorkers = await sync.startWorkers();
  });
  after(async () => {
    await stopWorkers?.();
    await sync?.teardown();
    await temporal?.teardown();
  });

  it('reads the next page while the last one is in flight, reports pages in order only once they are done, and loses or doubles nothing across continue-as-new', async () => {
    const workflowId = `overlapping-pages-${Date.now()}`;
    const handle = await sync.client.workflow.start('syncRun', {
      workflowId,
      taskQueue: sync.config.pipeline.taskQueue,
      args: [{ pipeline: sync.config.pipeline.name }],
    });
    const summary = (await handle.result()) as {
      counts: { read: number; synced: number; validationFailed: number };
    };
    const accounts = sync.salesforce.accounts();
    assert.equal(summary.counts.read, accounts.length);
    assert.equal(summary.counts.synced + summary.counts.validationFailed, accounts.length);
    const customers = sync.netsuite.customers();
    assert.equal(customers.length, summary.counts.synced);
    assert.equal(
      new Set(customers.map((c) => c.externalId)).size,
      customers.length,
      'a customer was written twice',
    );

    const runs: RunPages[] = [];
    for await (const execution of sync.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      const history = await sync.client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
      runs.push(pagesOf(history.events ?? []));
    }
    assert.ok(runs.length >= 2, `expected the chain to continue as new, got ${runs.length} run(s)`);
    assert.ok(
      runs.some((run) => run.reads.length >= 2),
      'no run read more than one page',
    );
    let overlapped = 0;
    for (const run of runs) {
      for (let page = 1; page < run.reads.length; page += 1) {
        // The next page's read was asked for before the previous page's last record was done.
        if (run.reads[page].scheduled < Math.max(...run.childrenDone[page - 1])) overlapped += 1;
      }
      assert.equal(run.pageReports.length, run.reads.length, 'every page is reported once');
      run.pageReports.forEach((report, page) => {
        // The checkpoint a page reports covers its records and every earlier page's: all done before it.
        for (const earlier of run.childrenDone.slice(0, page + 1)) {
          assert.ok(
            Math.max(...earlier) < report,
            `page ${page + 1} was reported before a record of it or before it was done`,
          );
        }
      });
    }
    assert.ok(overlapped >= 1, 'no page was read while the one before it still had records in flight');

    // The owner's checkpoint reached the last account (the sandbox lists them in change order).
    const status = await sync.operations.status();
    assert.equal(status.checkpoint, asPosition(checkpointOf(accounts.at(-1)!)));
  });
});
