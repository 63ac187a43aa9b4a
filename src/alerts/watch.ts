import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { Config } from '../config';
import { ALERT_WATCH_WORKFLOW_ID, type ActiveAlert } from '../domain/alerts';
import { activeAlertsQuery, checkNowUpdate, type AlertCheckAnswer } from '../workflows/alert-messages';
import type { alertWatch } from '../workflows/alert-watch';

/**
 * Starts the alert watch unless it runs; a new one after an old one ended. Started whether or not
 * a channel is configured: the dashboard's banner shows its active alerts either way.
 */
export async function ensureAlertWatch(client: Client, config: Config): Promise<'started' | 'running'> {
  try {
    await client.workflow.start<typeof alertWatch>('alertWatch', {
      workflowId: ALERT_WATCH_WORKFLOW_ID,
      taskQueue: config.pipeline.taskQueue,
      args: [{}],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: 'Alert watch: checks every pipeline, notifies people of alerts and their resolution',
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'running';
    throw error;
  }
}

/** Thrown when the watch is not running: the message says how to start it. */
export class AlertWatchNotRunningError extends Error {
  override readonly name = 'AlertWatchNotRunningError';
}

async function asking<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new AlertWatchNotRunningError(
      `The alert watch (${ALERT_WATCH_WORKFLOW_ID}) is not running: start it with \`npx record-sync alerts start\` (npm start does).`,
    );
  }
}

/** The conditions that hold now, as the watch's last check found them. */
export const activeAlerts = (client: Client): Promise<ActiveAlert[]> =>
  asking(() => client.workflow.getHandle(ALERT_WATCH_WORKFLOW_ID).query(activeAlertsQuery));

/** Has the watch check now; answers once done (deliveries go on in the background). */
export const checkAlertsNow = (client: Client): Promise<AlertCheckAnswer> =>
  asking(() => client.workflow.getHandle(ALERT_WATCH_WORKFLOW_ID).executeUpdate(checkNowUpdate));

/** For a person: one paragraph per active alert. */
export function describeAlerts(alerts: ActiveAlert[]): string {
  if (alerts.length === 0) return 'No active alerts.';
  return alerts
    .map(
      (alert) =>
        `${alert.rule} on ${alert.pipeline} since ${alert.since} (count ${alert.count})\n  ${alert.summary}\n` +
        `  What to do: ${alert.advice}${alert.link ? `\n  Where to look: ${alert.link}` : ''}`,
    )
    .join('\n\n');
}

/** The configured channels by name, or what happens without one. */
export function describeChannels(config: Config): string {
  const names = Object.entries(config.alerts.channels)
    .filter(([, channel]) => channel !== null)
    .map(([name]) => name);
  return (
    names.join(', ') ||
    'none configured (alerts are shown by `npx record-sync alerts status` and the dashboard)'
  );
}
