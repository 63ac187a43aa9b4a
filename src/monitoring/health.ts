import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { innermostMessage } from '../domain/failure-text';
import { pipelineOperations, type PipelineOverview } from '../operations';
import { configuredPipelines } from '../pipelines';
import { pipelineWorkflowId } from '../workflows/ids';

/** One pipeline as the alert rules see it: what its owner, visibility and schedule say. */
export interface PipelineHealth {
  pipeline: string;
  scheduleId: string;
  intervalMs: number;
  taskQueue: string;
  /** Null when its state could not be read (`unreadable` says why): its alerts stay as they were. */
  overview: PipelineOverview | null;
  unreadable?: string;
  /**
   * Its owner workflow is not running (ended, or never started): no run can start until a person
   * recovers or creates it. A query still answers from a closed owner's history, hence a describe.
   */
  ownerGone?: { workflowId: string; status: string };
  /** VERSION_CONFLICT records that have waited for a person longer than the threshold. */
  conflictsWaiting: number;
  /**
   * Records waiting for the destination's own event (a PIM's publication) longer than the
   * pipeline's reminder time; absent for pipelines whose records wait for nothing.
   */
  awaiting?: { stage: string; reminderMs: number; overdue: number; query: string };
}

/** Record workflows in their waiting stage, begun before `before` (visibility; values are our own). */
export const awaitingQuery = (pipeline: string, stage: string, before: string): string =>
  `WorkflowType = "syncRecordVersion" AND ExecutionStatus = "Running" AND RecordSyncPipeline = "${pipeline}" ` +
  `AND RecordSyncOutcome = "${stage}" AND StartTime < "${before}"`;

/** A pipeline whose owner does not answer must not hold up the others' check. */
const READ_DEADLINE_MS = 20_000;

function withDeadline<T>(read: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${READ_DEADLINE_MS / 1000} s`)),
      READ_DEADLINE_MS,
    );
  });
  return Promise.race([read, deadline]).finally(() => clearTimeout(timer));
}

async function ownerGone(client: Client, pipeline: string): Promise<PipelineHealth['ownerGone']> {
  const workflowId = pipelineWorkflowId(pipeline);
  try {
    const { status } = await client.workflow.getHandle(workflowId).describe();
    return status.name === 'RUNNING' ? undefined : { workflowId, status: status.name.toLowerCase() };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return { workflowId, status: 'missing' };
  }
}

/**
 * Every configured pipeline's state, read as the command line's `status` reads it, plus whether
 * its owner runs and the conflicts waiting longer than ALERT_CONFLICT_WAITING_OVER.
 */
export async function pipelineHealth(client: Client, config: Config, now: Date): Promise<PipelineHealth[]> {
  const until = new Date(now.getTime() - config.alerts.thresholds.conflictWaitingOverMs).toISOString();
  return Promise.all(
    configuredPipelines(config).map(async (run): Promise<PipelineHealth> => {
      const base = {
        pipeline: run.name,
        scheduleId: run.scheduleId,
        intervalMs: run.intervalMs,
        taskQueue: run.settings.taskQueue,
        conflictsWaiting: 0,
      };
      const operations = pipelineOperations(client, config, run.name);
      try {
        const gone = await withDeadline(ownerGone(client, run.name), 'Temporal');
        if (gone) return { ...base, overview: null, ownerGone: gone };
        const waits = run.settings.awaiting;
        const query =
          waits &&
          awaitingQuery(run.name, waits.stage, new Date(now.getTime() - waits.reminderMs).toISOString());
        const [overview, conflictsWaiting, overdue] = await withDeadline(
          Promise.all([
            operations.status(),
            operations.problems.count(run.name, { status: 'VERSION_CONFLICT', until }),
            query ? client.workflow.count(query).then((counted) => counted.count) : 0,
          ]),
          `pipeline ${run.name}'s owner workflow or Temporal's visibility`,
        );
        return {
          ...base,
          overview,
          conflictsWaiting,
          ...(waits && query ? { awaiting: { ...waits, overdue, query } } : {}),
        };
      } catch (error) {
        return { ...base, overview: null, unreadable: innermostMessage(error) };
      }
    }),
  );
}
