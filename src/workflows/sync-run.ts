import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  metricMeter,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  ServerFailure,
  setCurrentDetails,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { asPosition, earlierPosition, laterPosition, positionAt } from '../domain/position';
import { PIPELINE_FAILURE, PIPELINE_OWNER_MISSING, RETRY_BUDGET_EXHAUSTED } from '../domain/failures';
import { innermostMessage } from '../domain/failure-text';
import {
  noRecords,
  type RecordOutcome,
  type RunCounts,
  type RunSummary,
  type SourceRecord,
  type StatusWriteBack,
  type SyncSettings,
} from '../domain/sync';
import type { EngineActivities } from '../activities';
import { readToWriteLatency, recordsDone, runFinished } from '../monitoring/metrics';
import type { SourcePage, UnreadableRecord, WrittenRecord } from '../pipelines/contract';
import { pipelineWorkflowId, recordWorkflowId } from './ids';
import { legacySyncRun } from './legacy/sync-run';
import type { RunSummary as LegacyRunSummary } from './legacy/types';
import {
  deliveryCompletedSignal,
  pageCompletedSignal,
  recordStagedSignal,
  runFinishedSignal,
} from './messages';
import { isRecordStaged } from './message-checks';
import { OVERLAPPING_PAGES, PROBLEM_RECORDS } from './patches';
import { roomForPage } from './run-history';
import { recordVersionAttributes } from './search-attributes';
import type { BudgetExhausted, syncRecordVersion } from './sync-record-version';

export interface SyncRunInput {
  pipeline: string;
  /** Carried across continue-as-new; absent on the first run of a chain. */
  progress?: RunProgress;
}

interface RunProgress {
  /** Progress of runs started before problem records has no engine mark: they start over. */
  engine: 2;
  settings: SyncSettings;
  checkpointGeneration: number;
  /** When the run's query started: the checkpoint never passes it. */
  queryStartedAt: string | null;
  /** Where the source's next page starts; `nextRecordsUrl` in runs begun before pipelines. */
  cursor?: string | null;
  nextRecordsUrl?: string | null;
  summary: RunSummary;
}

/** Why a run stopped without finishing: a person must act before the pipeline goes on. */
class PipelineStopped extends Error {}

const control = proxyActivities<EngineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [PIPELINE_OWNER_MISSING, PIPELINE_FAILURE],
  },
});

function showProgress(summary: RunSummary, state: string): void {
  const { read, synced, skipped, validationFailed, conflicts, deadLettered, alreadyProcessed } =
    summary.counts;
  setCurrentDetails(
    `**${state}** — page ${summary.pages}: ${read} read, ${synced} synced, ${skipped} skipped, ` +
      `${validationFailed} failed validation, ${conflicts} in conflict, ${deadLettered} dead-lettered, ` +
      `${alreadyProcessed} already processed`,
  );
}

/**
 * One sync: read what changed since the checkpoint (and a look-back window behind it), page by
 * page, and hand each record version to its own workflow, keeping `windowSize` in flight across
 * page boundaries. The checkpoint advances when a page is done, never past the query's start, and
 * the run continues as new before its history grows large, so any number of records fits. A
 * pipeline-level failure (credentials, permissions, an outage past the retry budget) pauses the
 * pipeline instead of failing records.
 */
export async function syncRun(input: SyncRunInput): Promise<RunSummary | LegacyRunSummary> {
  if (!patched(PROBLEM_RECORDS))
    return legacySyncRun(input as unknown as Parameters<typeof legacySyncRun>[0]);
  const { pipeline } = input;
  const progress = input.progress?.engine === 2 ? input.progress : await beginRun(pipeline);
  const { settings, summary } = progress;
  const owner = getExternalWorkflowHandle(pipelineWorkflowId(pipeline));
  const source = proxyActivities<EngineActivities>({
    taskQueue: settings.taskQueue,
    startToCloseTimeout: '2 minutes',
    // A source outage past the budget is a pipeline-level failure, like the destination's.
    scheduleToCloseTimeout: settings.retry.budgetMs,
    retry: {
      initialInterval: settings.retry.initialIntervalMs,
      backoffCoefficient: settings.retry.backoffCoefficient,
      maximumInterval: settings.retry.maximumIntervalMs,
      nonRetryableErrorTypes: [PIPELINE_FAILURE],
    },
  });

  try {
    if (patched(OVERLAPPING_PAGES)) {
      const cursor = await syncPages(pipeline, progress, source);
      if (cursor) {
        await continueAsNew<typeof syncRun>({
          pipeline,
          progress: { ...progress, cursor, nextRecordsUrl: undefined },
        });
      }
    } else {
      await syncOnePage(pipeline, progress, source);
    }
  } catch (error) {
    const reason = stopReason(error);
    if (reason === null) throw error;
    summary.stoppedBy = reason;
    summary.finishedAt = new Date(Date.now()).toISOString();
    runFinished(metricMeter, pipeline, 'stopped', summary.startedAt, summary.finishedAt);
    await control.pausePipeline({ pipeline, runId: summary.runId, reason });
    await owner.signal(runFinishedSignal, summary);
    showProgress(summary, `stopped: ${reason}`);
    throw ApplicationFailure.create({ type: PIPELINE_FAILURE, message: reason, nonRetryable: true });
  }
  summary.finishedAt = new Date(Date.now()).toISOString();
  runFinished(metricMeter, pipeline, 'completed', summary.startedAt, summary.finishedAt);
  await owner.signal(runFinishedSignal, summary);
  showProgress(summary, 'done');
  return summary;
}

/** A pipeline-level failure's reason, or null for anything else. */
function stopReason(error: unknown): string | null {
  if (error instanceof PipelineStopped) return error.message;
  if (!(error instanceof ActivityFailure)) return null;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && cause.type === PIPELINE_FAILURE) return cause.message;
  // A page's read (Salesforce, visibility, NetSuite's SuiteQL, a file) refused, or still failing
  // when its retry budget ran out. The server refuses too (a result over its size limit).
  if ((cause instanceof ApplicationFailure || cause instanceof ServerFailure) && cause.nonRetryable) {
    return `reading a page was refused: ${innermostMessage(error)}`;
  }
  return `reading a page has been failing for longer than the retry budget: ${innermostMessage(error)}`;
}

async function beginRun(pipeline: string): Promise<RunProgress> {
  const runId = workflowInfo().workflowId;
  const startedAt = new Date(Date.now()).toISOString();
  const begun = await control.beginPipelineRun({ pipeline, runId, startedAt });
  return {
    engine: 2,
    settings: begun.settings,
    checkpointGeneration: begun.checkpointGeneration,
    queryStartedAt: null,
    cursor: null,
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

/**
 * A delivery (a vendor's file) whose last record is done: the pipeline finishes it (archive,
 * reconciliation) and the owner keeps a short report of it for `status`.
 */
async function completeDelivery(pipeline: string, runId: string, delivery: unknown): Promise<void> {
  const { completeDelivery } = proxyActivities<EngineActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumInterval: '1 minute' },
  });
  const report = await completeDelivery({ pipeline, runId, delivery });
  await getExternalWorkflowHandle(pipelineWorkflowId(pipeline)).signal(deliveryCompletedSignal, report);
}

/** Records the source returned that cannot even be identified go straight to a person. */
async function holdUnreadable(pipeline: string, settings: SyncSettings, unreadable: UnreadableRecord[]) {
  if (unreadable.length === 0) return;
  const { reportProblem } = proxyLocalActivities<EngineActivities>({ startToCloseTimeout: '30 seconds' });
  const now = new Date(Date.now()).toISOString();
  for (const [index, record] of unreadable.entries()) {
    const [field] = record.reason.split(':', 1);
    await reportProblem({
      pipeline,
      settings,
      failure: {
        recordId: record.recordId ?? `unidentified-${workflowInfo().runId}-${index}`,
        version: record.version ?? now,
        kind: 'invalid',
        error: record.reason,
        field,
        attempts: 1,
        failedAt: now,
        workflowId: workflowInfo().workflowId,
      },
    });
  }
}

type PageSource = Pick<EngineActivities, 'readChangedRecords'>;

/**
 * Runs begun before overlapping pages: one page, its records drained, then continue as new. Kept for
 * those runs' replay.
 */
async function syncOnePage(pipeline: string, progress: RunProgress, source: PageSource): Promise<void> {
  const { settings, summary } = progress;
  showProgress(summary, 'reading');
  summary.checkpoint = asPosition(summary.checkpoint);
  const page = await source.readChangedRecords({
    pipeline,
    since: summary.checkpoint,
    cursor: progress.cursor ?? progress.nextRecordsUrl ?? null,
    lookbackMs: settings.lookbackMs,
  });
  // Pages read before pipelines name their cursor `nextRecordsUrl`.
  const cursor = page.cursor ?? (page as { nextRecordsUrl?: string | null }).nextRecordsUrl ?? null;
  const queryStartedAt = progress.queryStartedAt ?? page.queryStartedAt ?? null;
  // Workflow time: when this task began, just after the read returned.
  const readAt = Date.now();
  summary.pages += 1;
  showProgress(summary, 'syncing');
  await holdUnreadable(pipeline, settings, page.unreadable);
  const before = { ...summary.counts };
  try {
    const { done } = await startPage(pipeline, progress, recordWindow(settings), page.records, readAt);
    await done;
  } finally {
    recordsDone(metricMeter, pipeline, before, summary.counts);
  }
  if (page.delivery !== undefined) await completeDelivery(pipeline, summary.runId, page.delivery);
  await pageDone(pipeline, { ...progress, queryStartedAt }, page);

  if (cursor) {
    await continueAsNew<typeof syncRun>({
      pipeline,
      progress: { ...progress, queryStartedAt, cursor, nextRecordsUrl: undefined, summary },
    });
  }
}

/**
 * Page after page through one window of record workflows: the next page is read as soon as the
 * last one's records have all started, so the window stays full across page boundaries. A page's
 * verification and write-back follow its records; then, in page order, its delivery, the
 * checkpoint and the owner's signal, so the checkpoint is the low-watermark of pages whose records
 * are all done, never past a record still in flight. The run stops reading when its history nears
 * Temporal's limits, lets its records finish and returns the cursor to continue as new with (null:
 * done).
 */
async function syncPages(
  pipeline: string,
  progress: RunProgress,
  source: PageSource,
): Promise<string | null> {
  const { settings, summary } = progress;
  const window = recordWindow(settings);
  let cursor = progress.cursor ?? progress.nextRecordsUrl ?? null;
  let completed: Promise<void> = Promise.resolve();
  let failed = false;
  // Metrics from workflow code go to a sink the SDK skips on replay (isReplaying, in
  // @temporalio/workflow's metrics.js) and issue no command: no patch guards them.
  const before = { ...summary.counts };
  try {
    summary.checkpoint = asPosition(summary.checkpoint);
    do {
      showProgress(summary, 'reading');
      const page = await source.readChangedRecords({
        pipeline,
        since: summary.checkpoint,
        cursor,
        lookbackMs: settings.lookbackMs,
      });
      cursor = page.cursor ?? null;
      progress.queryStartedAt ??= page.queryStartedAt ?? null;
      // Workflow time: when this task began, just after the read returned.
      const readAt = Date.now();
      summary.pages += 1;
      showProgress(summary, 'syncing');
      await holdUnreadable(pipeline, settings, page.unreadable);
      const { done } = await startPage(pipeline, progress, window, page.records, readAt);
      const earlier = completed;
      completed = (async () => {
        await done;
        // In order: a delivery is finished (a file archived, reconciled) once all its pages are done.
        await earlier;
        if (page.delivery !== undefined) await completeDelivery(pipeline, summary.runId, page.delivery);
        await pageDone(pipeline, progress, page);
      })();
      // Its failure is thrown where it is awaited (by the next page's completion, or below); no
      // page is read after it.
      completed.catch(() => {
        failed = true;
      });
      // The end of a delivery (a file) is a barrier: the source finds the next file once this one
      // has moved out of the inbox.
      if (page.delivery !== undefined) await completed;
    } while (cursor && !failed && window.stopped === null && roomForPage(settings));
    await Promise.race([completed, window.whenStopped]);
    if (window.stopped) throw window.stopped;
  } finally {
    // Once a run, not once a record: one sink call per status. A stopped run counts what it did.
    recordsDone(metricMeter, pipeline, before, summary.counts);
  }
  return cursor;
}

/**
 * A page whose records are all done, and every page before it: the checkpoint moves past it (never
 * past the query's start) and the pipeline workflow is told.
 */
async function pageDone(pipeline: string, progress: RunProgress, page: SourcePage): Promise<void> {
  const { summary, queryStartedAt } = progress;
  // Rows edited while the run paged come with their new stamps: never move past the query's start.
  const ceiling = queryStartedAt === null ? null : positionAt(queryStartedAt);
  const reached = page.records.length > 0 ? earlierPosition(asPosition(page.checkpoint), ceiling) : null;
  summary.checkpoint = laterPosition(summary.checkpoint, reached);
  await getExternalWorkflowHandle(pipelineWorkflowId(pipeline)).signal(pageCompletedSignal, {
    runId: summary.runId,
    checkpointGeneration: progress.checkpointGeneration,
    checkpoint: summary.checkpoint,
    summary,
  });
}

/** The run's record workflows in flight, over all its pages, and what stopped the pipeline, if anything. */
interface RecordWindow {
  size: number;
  inFlight: number;
  stopped: PipelineStopped | null;
  /** Workflow time of the last record synced: an exhausted budget after it is the record's fault. */
  lastSyncedAt: number;
  /** Records that wait for the destination's event after their load (see stagedRecords). */
  staged?: ReturnType<typeof stagedRecords>;
  /** Resolves once a record stopped the pipeline: one wait for the whole run, not one per page. */
  whenStopped: Promise<void>;
}

function recordWindow(settings: SyncSettings): RecordWindow {
  // The run waits for the first stage only, and the records go on without it (ABANDON).
  const staged = settings.awaiting ? stagedRecords() : undefined;
  const window: Omit<RecordWindow, 'whenStopped'> = {
    size: settings.windowSize,
    inFlight: 0,
    stopped: null,
    lastSyncedAt: 0,
    staged,
  };
  return Object.assign(window, { whenStopped: condition(() => window.stopped !== null) });
}

/**
 * Starts the page's records in the run's window and returns once the last has started (or the
 * pipeline stopped); `done` settles when they are all done and the page is verified and its
 * statuses written back. A pipeline-level failure of any record stops new starts (the records in
 * flight end with the run and run again after the pipeline resumes). A record that used up its
 * retry budget is an outage unless another record synced since it first failed: then the
 * destination is up and the record itself is the problem.
 */
async function startPage(
  pipeline: string,
  progress: RunProgress,
  window: RecordWindow,
  records: SourceRecord[],
  readAt: number,
): Promise<{ done: Promise<void> }> {
  const { settings, summary, checkpointGeneration } = progress;
  const counts = summary.counts;
  const running: Promise<void>[] = [];
  const { reportProblem } = proxyLocalActivities<EngineActivities>({ startToCloseTimeout: '30 seconds' });
  const { staged } = window;

  const stop = (reason: string) => {
    window.stopped ??= new PipelineStopped(reason);
  };

  const written: WrittenRecord[] = [];
  const statuses = new Map<string, StatusWriteBack>();
  for (const { recordId, version, record, hasOpenProblem, destination } of records) {
    await condition(() => window.stopped !== null || window.inFlight < window.size);
    if (window.stopped) break;
    counts.read += 1;
    window.inFlight += 1;
    running.push(
      (async () => {
        let handle: ChildWorkflowHandle<typeof syncRecordVersion>;
        try {
          handle = await startChild<typeof syncRecordVersion>('syncRecordVersion', {
            workflowId: recordWorkflowId(pipeline, recordId, version, checkpointGeneration),
            args: [
              {
                pipeline,
                recordId,
                version,
                record,
                settings,
                resolvesProblem: hasOpenProblem,
                destination,
                runId: summary.runId,
              },
            ],
            taskQueue: settings.taskQueue,
            // A version whose workflow failed (paused pipeline, outage) runs again; a finished one never.
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            parentClosePolicy: staged ? ParentClosePolicy.ABANDON : ParentClosePolicy.TERMINATE,
            typedSearchAttributes: recordVersionAttributes(pipeline, recordId),
          });
        } catch (error) {
          window.inFlight -= 1;
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
          counts.alreadyProcessed += 1;
          return;
        }
        try {
          const outcome = staged
            ? await Promise.race([handle.result(), staged.reached(handle.workflowId, recordId, version)])
            : await handle.result();
          statuses.set(recordId, {
            recordId,
            status: outcome.status === 'SKIPPED' ? 'SYNCED' : outcome.status,
            ...(outcome.status === 'SYNCED' && outcome.internalId ? { internalId: outcome.internalId } : {}),
          });
          if (outcome.status === 'SYNCED') {
            counts.synced += 1;
            window.lastSyncedAt = Date.now();
            // Timed here, when the run sees the record's workflow complete (after its write), so
            // that record workflows need no new input for it.
            readToWriteLatency(metricMeter, pipeline, (window.lastSyncedAt - readAt) / 1000);
            if (outcome.checksum) written.push({ recordId, version, checksum: outcome.checksum });
          } else if (outcome.status === 'SKIPPED') counts.skipped += 1;
          else if (outcome.status === 'VALIDATION_FAILED') counts.validationFailed += 1;
          else if (outcome.status === 'VERSION_CONFLICT') counts.conflicts += 1;
          else counts.deadLettered += 1;
        } catch (error) {
          const cause = error instanceof ChildWorkflowFailure ? error.cause : undefined;
          if (!(cause instanceof ApplicationFailure)) throw error;
          if (cause.type === PIPELINE_FAILURE) return stop(cause.message);
          if (cause.type !== RETRY_BUDGET_EXHAUSTED) throw error;
          const exhausted = cause.details?.[0] as BudgetExhausted;
          if (window.lastSyncedAt <= Date.parse(exhausted.firstFailedAt)) {
            return stop(
              `the destination has been failing for longer than the retry budget: ${exhausted.error}`,
            );
          }
          counts.deadLettered += 1;
          await reportProblem({
            pipeline,
            settings,
            failure: {
              recordId,
              version,
              kind: 'retries-exhausted',
              error: exhausted.error,
              attempts: exhausted.attempts,
              failedAt: new Date(Date.now()).toISOString(),
              workflowId: handle.workflowId,
            },
          });
        } finally {
          window.inFlight -= 1;
        }
      })(),
    );
  }
  const done = (async () => {
    await Promise.race([Promise.all(running), window.whenStopped]);
    // Records still in flight end with the run (ParentClosePolicy.TERMINATE); their versions run
    // again once the pipeline resumes, since a failed workflow id may be reused.
    if (window.stopped) throw window.stopped;
    // Pipelines whose destination is checked within the write (a database transaction) skip this.
    if (written.length > 0 && settings.verifiesWrites !== false) {
      for (const recordId of await verifyPage(pipeline, settings, written, counts)) {
        statuses.set(recordId, { recordId, status: 'VALIDATION_FAILED' });
      }
    }
    await writeBack(pipeline, records, statuses);
  })();
  return { done };
}

/** The statuses that differ from what the accounts carry, written back in one request per 200. */
async function writeBack(pipeline: string, records: SourceRecord[], statuses: Map<string, StatusWriteBack>) {
  const changed = records.flatMap(({ recordId, writtenBack }) => {
    const status = statuses.get(recordId);
    if (!writtenBack || !status) return [];
    const differs =
      writtenBack.status !== status.status ||
      (status.internalId !== undefined && writtenBack.internalId !== status.internalId);
    return differs ? [status] : [];
  });
  if (changed.length === 0) return;
  const { writeBackStatuses } = proxyLocalActivities<EngineActivities>({ startToCloseTimeout: '2 minutes' });
  await writeBackStatuses({ pipeline, statuses: changed });
}

/**
 * What NetSuite stored otherwise than written becomes a problem record naming the field; returns
 * those records' ids.
 */
async function verifyPage(
  pipeline: string,
  settings: SyncSettings,
  written: WrittenRecord[],
  counts: RunCounts,
): Promise<string[]> {
  const { verifyWrites, reportProblem } = proxyLocalActivities<EngineActivities>({
    startToCloseTimeout: '1 minute',
  });
  const otherwise = await verifyWrites({ pipeline, written });
  for (const { recordId, field, value, error } of otherwise) {
    const version = written.find((w) => w.recordId === recordId)!.version;
    counts.synced -= 1;
    counts.validationFailed += 1;
    await reportProblem({
      pipeline,
      settings,
      failure: {
        recordId,
        version,
        kind: 'unexpected-response',
        error,
        field,
        value,
        attempts: 1,
        failedAt: new Date(Date.now()).toISOString(),
        workflowId: workflowInfo().workflowId,
      },
    });
  }
  return otherwise.map((o) => o.recordId);
}

/** Waits for records' workflows to say they reached their waiting stage (`internal.recordStaged`). */
function stagedRecords() {
  const waiting = new Map<string, (stage: string) => void>();
  const early = new Map<string, string>();
  setHandler(recordStagedSignal, (message) => {
    if (!isRecordStaged(message)) return log.warn('ignored a malformed internal.recordStaged signal');
    const resolve = waiting.get(message.workflowId);
    if (resolve) resolve(message.stage);
    else early.set(message.workflowId, message.stage);
  });
  return {
    /** Resolves once the record's workflow reached its waiting stage: the load is done. */
    reached(workflowId: string, recordId: string, version: string): Promise<RecordOutcome> {
      const outcome = (): RecordOutcome => ({ status: 'SYNCED', recordId, version });
      if (early.has(workflowId)) return Promise.resolve(outcome());
      return new Promise((resolve) => waiting.set(workflowId, () => resolve(outcome())));
    },
  };
}
