import { workflowInfo } from '@temporalio/workflow';

/** Temporal warns at 10,240 events a run; a run reads another page only while it stays well under. */
const RUN_EVENT_BUDGET = 9_000;
/** At most what one record costs its run: child initiated, started, completed, and a workflow task. */
const EVENTS_PER_RECORD = 6;

/**
 * Whether a run that keeps records in flight across its pages may read another page: the page and
 * the records still in flight fit in its history, and the server does not suggest continuing as new.
 */
export function roomForPage({ pageSize, windowSize }: { pageSize: number; windowSize: number }): boolean {
  const { continueAsNewSuggested, historyLength } = workflowInfo();
  return (
    !continueAsNewSuggested && historyLength + (pageSize + windowSize) * EVENTS_PER_RECORD <= RUN_EVENT_BUDGET
  );
}
