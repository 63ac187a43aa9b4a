import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { PERMANENT_FAILURE } from '../../domain/failures';
import {
  noRecords,
  type LegacyActivities,
  type RunSummary,
  type SourcePage,
  type SourceRecord,
  type SyncSettings,
} from './types';
import {
  deadLetterSignal,
  pageCompletedSignal,
  pipelineWorkflowId,
  recordWorkflowId,
  runFinishedSignal,
} from './messages';
import { recordAttributes } from './search-attributes';
import { retryPolicy } from './retry';
import type { legacySyncRecord } from './sync-record';

export interface SyncRunInput {
  pipeline: string;
  /** Carried across continue-as-new; absent on the first run of a chain. */
  progress?: RunProgress;
}

interface RunProgress {
  settings: SyncSettings;
  checkpointGeneration: number;
  nextRecordsUrl: string | null;
  summary: RunSummary;
}

const control = proxyActivities<LegacyActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds', nonRetryableErrorTypes: [PERMANENT_FAILURE] },
});

function showProgress(summary: RunSummary, state: string): void {
  const { read, synced, deadLettered, alreadyProcessed } = summary.counts;
  setCurrentDetails(
    `**${state}** — page ${summary.pages}: ${read} read, ${synced} synced, ` +
      `${deadLettered} dead-lettered, ${alreadyProcessed} already processed`,
  );
}

/**
 * One sync: read what changed since the checkpoint, page by page, and hand each record to its
 * own child workflow, keeping at most `windowSize` in flight. The checkpoint advances when a page
 * is done and the run continues as new, so any number of records fits in small histories.
 */
export async function legacySyncRun(input: SyncRunInput): Promise<RunSummary> {
  const { pipeline } = input;
  const pipelineHandle = getExternalWorkflowHandle(pipelineWorkflowId(pipeline));
  const progress = input.progress ?? (await beginRun(pipeline));
  const { settings, summary } = progress;
  const source = proxyActivities<LegacyActivities>({
    taskQueue: settings.taskQueue,
    startToCloseTimeout: '2 minutes',
    retry: retryPolicy(settings),
  });

  showProgress(summary, 'reading');
  const page = await source.readChangedAccounts({
    since: summary.checkpoint,
    nextRecordsUrl: progress.nextRecordsUrl,
  });
  summary.pages += 1;
  showProgress(summary, 'syncing');
  await deadLetterUnreadable(pipeline, page);
  const synced = await syncPage(pipeline, progress, page.records);

  summary.checkpoint = page.checkpoint ?? summary.checkpoint;
  await pipelineHandle.signal(pageCompletedSignal, {
    runId: summary.runId,
    checkpointGeneration: progress.checkpointGeneration,
    checkpoint: summary.checkpoint,
    summary,
    synced,
  });

  if (page.nextRecordsUrl) {
    await continueAsNew<typeof legacySyncRun>({
      pipeline,
      progress: { ...progress, nextRecordsUrl: page.nextRecordsUrl, summary },
    });
  }
  summary.finishedAt = new Date().toISOString();
  await pipelineHandle.signal(runFinishedSignal, summary);
  showProgress(summary, 'done');
  return summary;
}

async function beginRun(pipeline: string): Promise<RunProgress> {
  const runId = workflowInfo().workflowId;
  const startedAt = new Date().toISOString();
  const begun = await control.beginRun({ pipeline, runId, startedAt });
  return {
    settings: begun.settings,
    checkpointGeneration: begun.checkpointGeneration,
    nextRecordsUrl: null,
    summary: {
      runId,
      startedAt,
      finishedAt: null,
      pages: 0,
      counts: noRecords(),
      checkpoint: begun.checkpoint,
    },
  };
}

/** Records the source returned that cannot even be identified go straight to the dead letters. */
async function deadLetterUnreadable(pipeline: string, page: SourcePage): Promise<void> {
  const now = new Date().toISOString();
  for (const [index, unreadable] of page.unreadable.entries()) {
    await getExternalWorkflowHandle(pipelineWorkflowId(pipeline)).signal(deadLetterSignal, {
      recordId: unreadable.recordId ?? `unidentified-${workflowInfo().runId}-${index}`,
      version: unreadable.version ?? now,
      record: unreadable.record,
      kind: 'invalid',
      error: unreadable.reason,
      attempts: 1,
      firstFailedAt: now,
      lastFailedAt: now,
      replays: 0,
    });
  }
}

async function syncPage(
  pipeline: string,
  { settings, summary, checkpointGeneration }: RunProgress,
  records: SourceRecord[],
): Promise<{ recordId: string; version: string }[]> {
  const synced: { recordId: string; version: string }[] = [];
  const counts = summary.counts;
  let inFlight = 0;
  const children: Promise<void>[] = [];
  for (const { recordId, version, record } of records) {
    await condition(() => inFlight < settings.windowSize);
    inFlight += 1;
    counts.read += 1;
    const child = (async () => {
      try {
        const handle = await startChild<typeof legacySyncRecord>('syncRecord', {
          workflowId: recordWorkflowId(pipeline, recordId, version, checkpointGeneration),
          args: [{ pipeline, recordId, version, record, settings }],
          taskQueue: settings.taskQueue,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          parentClosePolicy: ParentClosePolicy.TERMINATE,
          typedSearchAttributes: recordAttributes(pipeline, recordId),
        });
        const outcome = await handle.result();
        if (outcome.status === 'synced') {
          counts.synced += 1;
          synced.push({ recordId, version });
        } else {
          counts.deadLettered += 1;
        }
      } catch (error) {
        // The same record version was already handled by an earlier (failed or cancelled) run.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        counts.alreadyProcessed += 1;
      } finally {
        inFlight -= 1;
      }
    })();
    children.push(child);
  }
  await Promise.all(children);
  return synced;
}
