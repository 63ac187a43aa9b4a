import type { AlertLinks } from './settings';

/** Values that may go inside a visibility query's quotes as they are. */
const QUOTABLE = /^[A-Za-z0-9_.\-/#:%+ ]{1,255}$/;

/** A visibility query on one workflow id, or null when the id cannot be quoted safely. */
export function workflowIdQuery(workflowId: string): string | null {
  return QUOTABLE.test(workflowId) ? `WorkflowId = "${workflowId}"` : null;
}

/** The Temporal UI's workflow list filtered by a visibility query. */
export function temporalUiQuery(links: AlertLinks, query: string): string {
  return `${links.temporalUi}/namespaces/${encodeURIComponent(links.namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** The Temporal UI's page of a schedule: its recent and upcoming runs, paused or not. */
export function temporalUiSchedule(links: AlertLinks, scheduleId: string): string {
  return `${links.temporalUi}/namespaces/${encodeURIComponent(links.namespace)}/schedules/${encodeURIComponent(scheduleId)}`;
}

/** Where to look: the dashboard's view of the pipeline when DASHBOARD_URL is set, else the Temporal UI. */
export function whereToLook(links: AlertLinks, pipeline: string, temporalUi: string): string {
  return links.dashboard ? `${links.dashboard}/?pipeline=${encodeURIComponent(pipeline)}` : temporalUi;
}
