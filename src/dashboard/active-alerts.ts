import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defineQuery } from '@temporalio/workflow';
import { ACTIVE_ALERTS_QUERY, ALERT_WATCH_WORKFLOW_ID, type ActiveAlert } from '../domain/alerts';
import { innermostMessage } from '../domain/failure-text';

const activeAlertsQuery = defineQuery<ActiveAlert[]>(ACTIVE_ALERTS_QUERY);

export interface AlertBanner {
  alerts: ActiveAlert[];
  /** Set when the alert watch exists but did not answer: the banner then says alerts are unknown. */
  unknown?: string;
}

/** What the alert watch says holds now; no watch running (not deployed yet) means no alerts. */
export async function activeAlerts(client: Client): Promise<AlertBanner> {
  try {
    const alerts = await client.workflow.getHandle(ALERT_WATCH_WORKFLOW_ID).query(activeAlertsQuery);
    return { alerts: Array.isArray(alerts) ? alerts : [] };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { alerts: [] };
    return { alerts: [], unknown: `The alert watch did not answer (${innermostMessage(error)}).` };
  }
}
