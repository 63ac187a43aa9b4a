import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;
type History = temporal.api.history.v1.IHistory;

/** Temporal warns past these per history (and fails a workflow at 51,200 events / 50 MB). */
export const HISTORY_WARNING = { events: 10_240, bytes: 10 * 1024 * 1024 };

export interface HistorySize {
  workflowId: string;
  events: number;
  bytes: number;
  /** Server times (ms since the epoch) of the run's milestones; NaN where it has none. */
  timeline: { startedAt: number; firstTaskStartedAt: number; firstTaskCompletedAt: number; closedAt: number };
}

export interface RunPage {
  /** When the page's read activity completed (server time, ms since the epoch); 0 without one. */
  readAt: number;
  /** When the run scheduled it; NaN without one. */
  readScheduledAt: number;
  /** The record ids whose child workflows this run started. */
  recordIds: string[];
  /**
   * Server times (ms since the epoch) of the run's steps; NaN where the run has none: the run
   * started, asked for its first record workflow, learnt that its last one had completed, and
   * closed (continued as new, or completed).
   */
  startedAt: number;
  firstChildAskedAt: number;
  lastChildDoneAt: number;
  closedAt: number;
}

/** The page read activity, by its current name and the one runs started before problem records use. */
const READ_ACTIVITIES = new Set(['readChangedRecords', 'readChangedAccounts']);

const CHILD_CLOSED = new Set<number>([
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
]);

export interface RunChain {
  pages: RunPage[];
  histories: HistorySize[];
  childWorkflowIds: string[];
  /** When the run asked for each record workflow, and when it learnt that it had completed. */
  children: Map<string, { initiatedAt: number; completedAt?: number }>;
}

function sizeOf(workflowId: string, history: History): HistorySize {
  const events = history.events ?? [];
  const timeOf = (type: number) => {
    const event = events.find((e) => e.eventType === type);
    return event ? tsToMs(event.eventTime) : NaN;
  };
  return {
    workflowId,
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    timeline: {
      startedAt: timeOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
      firstTaskStartedAt: timeOf(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
      firstTaskCompletedAt: timeOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      closedAt: events.length > 0 ? tsToMs(events[events.length - 1].eventTime) : NaN,
    },
  };
}

/** Every run of a syncRun chain (a page or several each), following continue-as-new from the first run. */
export async function readRunChain(
  client: Client,
  workflowId: string,
  firstRunId: string,
  recordIdOf: (childWorkflowId: string) => string,
): Promise<RunChain> {
  const chain: RunChain = { pages: [], histories: [], childWorkflowIds: [], children: new Map() };
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    chain.histories.push(sizeOf(workflowId, history));
    const readActivities = new Set<string>();
    const events = history.events ?? [];
    const pageAt = (): RunPage => ({
      readAt: 0,
      readScheduledAt: NaN,
      recordIds: [],
      startedAt: NaN,
      firstChildAskedAt: NaN,
      lastChildDoneAt: NaN,
      closedAt: NaN,
    });
    // A run reads one page or several (each read begins one); its record workflows belong to the
    // page whose read completed last before they were asked for.
    const pages = [pageAt()];
    let lastChildDoneAt = NaN;
    let firstChildAskedAt = NaN;
    runId = undefined;
    for (const event of events) {
      const page = pages[pages.length - 1];
      if (CHILD_CLOSED.has(Number(event.eventType))) lastChildDoneAt = tsToMs(event.eventTime);
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        const { activityType } = event.activityTaskScheduledEventAttributes!;
        if (READ_ACTIVITIES.has(activityType?.name ?? '')) {
          readActivities.add(String(event.eventId));
          if (page.readAt > 0) pages.push(pageAt());
          pages[pages.length - 1].readScheduledAt = tsToMs(event.eventTime);
        }
      } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const { scheduledEventId } = event.activityTaskCompletedEventAttributes!;
        if (readActivities.has(String(scheduledEventId))) page.readAt = tsToMs(event.eventTime);
      } else if (event.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
        const childId = event.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!;
        if (Number.isNaN(firstChildAskedAt)) firstChildAskedAt = tsToMs(event.eventTime);
        chain.childWorkflowIds.push(childId);
        chain.children.set(childId, { initiatedAt: tsToMs(event.eventTime) });
        // A read scheduled but not yet completed: the record belongs to the page read before it.
        const owner = page.readAt > 0 || pages.length === 1 ? page : pages[pages.length - 2];
        owner.recordIds.push(recordIdOf(childId));
      } else if (event.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED) {
        const childId = event.childWorkflowExecutionCompletedEventAttributes!.workflowExecution!.workflowId!;
        const child = chain.children.get(childId);
        if (child) child.completedAt = tsToMs(event.eventTime);
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
        runId = event.workflowExecutionContinuedAsNewEventAttributes!.newExecutionRunId ?? undefined;
      }
    }
    // The run's serial steps: its start until its first record workflow, its last one's end until it closed.
    pages[0].startedAt = events.length > 0 ? tsToMs(events[0].eventTime) : NaN;
    pages[0].firstChildAskedAt = firstChildAskedAt;
    pages[pages.length - 1].lastChildDoneAt = lastChildDoneAt;
    pages[pages.length - 1].closedAt = events.length > 0 ? tsToMs(events[events.length - 1].eventTime) : NaN;
    chain.pages.push(...pages);
  }
  return chain;
}

/** Event counts and sizes of the given workflows' latest runs, fetched a few at a time. */
export async function historySizes(client: Client, workflowIds: string[]): Promise<HistorySize[]> {
  const sizes: HistorySize[] = [];
  const queue = [...workflowIds];
  const fetchNext = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      sizes.push(sizeOf(id, await client.workflow.getHandle(id).fetchHistory()));
    }
  };
  await Promise.all(Array.from({ length: 8 }, fetchNext));
  return sizes;
}
