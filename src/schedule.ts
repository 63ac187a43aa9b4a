import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { PipelineRun } from './pipelines';
import type { syncRun } from './workflows/sync-run';

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

/** Creates the schedule, or brings an existing one up to date with the configuration. */
export async function ensureSchedule(client: Client, run: PipelineRun): Promise<'created' | 'updated'> {
  const options = scheduleOptions(run);
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
