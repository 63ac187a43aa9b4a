import { continueAsNew, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { EngineActivities } from '../activities';
import type { BulkAction, BulkCounts } from '../activities/problems';

export interface ProblemRecordsBulkInput extends BulkAction {
  taskQueue: string;
  /** Problem records per page; each page is one activity and one continue-as-new. */
  pageSize?: number;
  /** Records worked on at once (replays wait for their sync, so this paces the destination). */
  concurrency?: number;
  /** Carried across continue-as-new. */
  progress?: { nextPageToken?: string; pages: number; counts: BulkCounts };
}

export interface ProblemRecordsBulkResult {
  action: BulkAction['action'];
  pages: number;
  counts: BulkCounts;
}

/**
 * Replays or discards every open problem record a filter matches (all of them by default), a
 * page at a time, continuing as new after each page: 100,000 problem records cost no history more
 * than a page's worth. Its result says what happened to them, by answer.
 */
export async function problemRecordsBulk(input: ProblemRecordsBulkInput): Promise<ProblemRecordsBulkResult> {
  const { pageSize = 200, concurrency = 20, progress = { pages: 0, counts: {} } } = input;
  const { actOnProblemPage } = proxyActivities<EngineActivities>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '2 minutes',
    retry: { maximumInterval: '1 minute' },
  });
  const show = (state: string) =>
    setCurrentDetails(
      `**${input.action} ${state}** — page ${progress.pages}: ` +
        (Object.entries(progress.counts)
          .map(([answer, n]) => `${n} ${answer}`)
          .join(', ') || 'nothing yet'),
    );

  show('running');
  const page = await actOnProblemPage({
    pipeline: input.pipeline,
    action: input.action,
    filter: input.filter,
    reason: input.reason,
    by: input.by ?? workflowInfo().workflowId,
    nextPageToken: progress.nextPageToken,
    pageSize,
    concurrency,
  });
  progress.pages += 1;
  for (const [answer, n] of Object.entries(page.counts))
    progress.counts[answer] = (progress.counts[answer] ?? 0) + n;
  if (page.nextPageToken) {
    await continueAsNew<typeof problemRecordsBulk>({
      ...input,
      progress: { ...progress, nextPageToken: page.nextPageToken },
    });
  }
  show('done');
  return { action: input.action, pages: progress.pages, counts: progress.counts };
}
