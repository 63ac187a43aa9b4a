import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { Config } from './config';
import type { PipelineRun } from './pipelines';
import type { reconcilePipeline } from './workflows/reconciliation';
import type { syncRun } from './workflows/sync-run';

/** Each pipeline's reconciliation has a schedule of its own beside its sync's. */
export const reconciliationScheduleId = (pipeline: string): string => `reconcile-${pipeline}`;

function reconciliationScheduleOptions(
  { name, settings }: PipelineRun,
  { cron, timeZone }: Config['reconciliation'],
): ScheduleOptions {
  return {
    scheduleId: reconciliationScheduleId(name),
    spec: { cronExpressions: [cron], timezone: timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: 'reconcilePipeline' satisfies (typeof reconcilePipeline)['name'],
      workflowId: `${reconciliationScheduleId(name)}-run`,
      taskQueue: settings.taskQueue,
      args: [{ pipeline: name }],
      staticSummary: `Reconcile pipeline ${name}: compare source and destination, repair, report`,
    },
    // A reconciliation still going when the next is due (a very large one) is not doubled.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    state: { note: 'Created by record-sync' },
  };
}

function scheduleOptions({
  name,
  scheduleId,
  intervalMs,
  runTimeoutMs,
  summary,
  settings,
}: PipelineRun): ScheduleOptions {
  return {
    scheduleId,
    spec: { intervals: [{ every: intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncRun' satisfies (typeof syncRun)['name'],
      workflowId: `${scheduleId}-run`,
      taskQueue: settings.taskQueue,
      args: [{ pipeline: name }],
      staticSummary: summary,
      // A run that hangs ends, says so in its status, and the next one starts.
      workflowExecutionTimeout: runTimeoutMs,
    },
    // SKIP: a run still going when the next is due is never doubled; it catches up next time.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    state: { note: 'Created by record-sync' },
  };
}

/** Creates the sync's schedule, or brings an existing one up to date with the configuration. */
export function ensureSchedule(client: Client, run: PipelineRun): Promise<'created' | 'updated'> {
  return upToDate(client, scheduleOptions(run));
}

/** Creates the reconciliation's schedule, or brings it up to date with the configuration. */
export function ensureReconciliationSchedule(
  client: Client,
  run: PipelineRun,
  reconciliation: Config['reconciliation'],
): Promise<'created' | 'updated'> {
  return upToDate(client, reconciliationScheduleOptions(run, reconciliation));
}

async function upToDate(client: Client, options: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: options.policies,
    }));
    return 'updated';
  }
}

/**
 * Runs a sync now, unless one is running: then says which (the schedule's SKIP would drop the
 * trigger silently). Explicitly SKIP: a trigger defaults to ALLOW_ALL, which would overlap runs.
 */
export async function triggerSync(
  client: Client,
  scheduleId: string,
): Promise<{ triggered: true } | { triggered: false; running: string }> {
  const handle = client.schedule.getHandle(scheduleId);
  const { info } = await handle.describe();
  const running = info.runningActions[0];
  if (running) return { triggered: false, running: running.workflow.workflowId };
  await handle.trigger(ScheduleOverlapPolicy.SKIP);
  return { triggered: true };
}
