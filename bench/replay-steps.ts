import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { percentile } from './phases';

const { EventType: E } = temporal.api.enums.v1;
type Event = temporal.api.history.v1.IHistoryEvent;

/** Where one replay's time goes, p50 and p95 ms per step across the sampled problem records. */
export type ReplaySteps = Record<string, { p50Ms: number; p95Ms: number }>;

/** The steps, in order, from the two histories of one replay: the problem record's and its child's. */
const STEPS = [
  'update → its task picked up',
  '  task (accept, start child)',
  'child start asked → started',
  'child started → task picked up',
  '  child task (schedule readRecord)',
  '  readRecord scheduled → picked up',
  '  readRecord (Salesforce)',
  '  readRecord done → child task picked up',
  '  child task (upsert, local activity)',
  'child closed → problem record notified',
  'notified → its task picked up',
  '  task (complete the update)',
  'a replay, in all',
] as const;

const timeOf = (event: Event | undefined) => (event ? tsToMs(event.eventTime) : NaN);

/** The first event of a type at or after `from` (an index), with its index. */
function next(events: Event[], type: number, from = 0): [Event | undefined, number] {
  const index = events.findIndex((e, i) => i >= from && e.eventType === type);
  return [events[index], index];
}

/** The last event of a type before `before` (an index). */
function previous(events: Event[], type: number, before: number): Event | undefined {
  for (let i = before - 1; i >= 0; i -= 1) if (events[i].eventType === type) return events[i];
  return undefined;
}

/** Server event times → step durations (ms) of one replay; NaN where a milestone is missing. */
function stepsOf(problem: Event[], child: Event[]): number[] {
  const [accepted, a] = next(problem, E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  // The task that accepted the update: scheduled when the update arrived.
  const taskStarted = previous(problem, E.EVENT_TYPE_WORKFLOW_TASK_STARTED, a);
  const taskScheduled = previous(problem, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, a);
  const [initiated] = next(problem, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, a);
  const [started] = next(problem, E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, a);
  const [completed, c] = next(problem, E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, a);
  const [notifiedTask] = next(problem, E.EVENT_TYPE_WORKFLOW_TASK_STARTED, c);
  const [updateCompleted] = next(problem, E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, c);

  const [childStarted] = next(child, E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const [firstTask, f] = next(child, E.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const [firstDone] = next(child, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, f);
  const [scheduled] = next(child, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  const [activityStarted] = next(child, E.EVENT_TYPE_ACTIVITY_TASK_STARTED);
  const [activityDone, d] = next(child, E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  const [secondTask, s] = next(child, E.EVENT_TYPE_WORKFLOW_TASK_STARTED, d);
  const [secondDone] = next(child, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, s);
  const childClosed = child[child.length - 1];

  const t = timeOf;
  return [
    t(taskStarted) - t(taskScheduled),
    t(accepted) - t(taskStarted),
    t(started) - t(initiated),
    t(firstTask) - t(childStarted),
    t(firstDone) - t(firstTask),
    t(activityStarted) - t(scheduled),
    t(activityDone) - t(activityStarted),
    t(secondTask) - t(activityDone),
    t(secondDone) - t(secondTask),
    t(completed) - t(childClosed),
    t(notifiedTask) - t(completed),
    t(updateCompleted) - t(notifiedTask),
    t(updateCompleted) - t(taskScheduled),
  ];
}

/** Reads each sampled problem record's history and its replay child's, a few at a time. */
export async function replaySteps(client: Client, problemWorkflowIds: string[]): Promise<ReplaySteps> {
  const replays: number[][] = [];
  const queue = [...problemWorkflowIds];
  const readNext = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const problem = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
      const [initiated] = next(problem, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
      const childId = initiated?.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (!childId) continue;
      const child = (await client.workflow.getHandle(childId).fetchHistory()).events ?? [];
      replays.push(stepsOf(problem, child));
    }
  };
  await Promise.all(Array.from({ length: 8 }, readNext));
  return Object.fromEntries(
    STEPS.map((step, i) => {
      const durations = replays.map((r) => r[i]).filter(Number.isFinite);
      return [
        step,
        { p50Ms: Math.round(percentile(durations, 50)), p95Ms: Math.round(percentile(durations, 95)) },
      ];
    }),
  );
}
