import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type PayloadCodec } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { ReconciliationPageResult, ReconciliationPhase } from '../src/activities/reconciliation';

const { EventType } = temporal.api.enums.v1;
type Payload = temporal.api.common.v1.IPayload;
type History = temporal.api.history.v1.IHistory;

/** One page of a reconciliation, from its run's history (server times, ms since the epoch). */
export interface ReconciledPage {
  phase: ReconciliationPhase;
  /** The reconcilePage activity: scheduled and completed (compare, report page, raise problems). */
  scheduledAt: number;
  completedAt: number;
  /** When the workflow went on to the next page or the finish: after the page's re-syncs. */
  nextAt: number;
  /** Records compared (matching, held and differing), and the re-syncs the page asked for. */
  compared: number;
  differences: number;
  resync: number;
}

export interface ReconciliationChain {
  /** Every run of the chain (it continues as new when the server suggests it), first to last. */
  runIds: string[];
  startedAt: number;
  /** finishReconciliation scheduled (the report assembled), and the last run's close. */
  finishScheduledAt: number;
  closedAt: number;
  pages: ReconciledPage[];
  /** The record workflows it started to re-sync drifted and missing records. */
  childWorkflowIds: string[];
}

/**
 * Reads a reconciliation's page timings from its histories, following continue-as-new. The
 * activities' inputs and results are encrypted: they are decoded with the product's codec to learn
 * each page's phase and what it found.
 */
export async function readReconciliationChain(
  client: Client,
  codec: PayloadCodec,
  workflowId: string,
  firstRunId: string,
): Promise<ReconciliationChain> {
  const decoded = async <T>(payload: Payload | undefined): Promise<T> => {
    const [plain] = await codec.decode([payload!]);
    return defaultPayloadConverter.fromPayload<T>(plain);
  };
  const chain: ReconciliationChain = {
    runIds: [],
    startedAt: NaN,
    finishScheduledAt: NaN,
    closedAt: NaN,
    pages: [],
    childWorkflowIds: [],
  };
  const scheduled = new Map<string, ReconciledPage>();
  let previous: ReconciledPage | undefined;
  let runId: string | undefined = firstRunId;
  while (runId) {
    chain.runIds.push(runId);
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    if (Number.isNaN(chain.startedAt) && events.length > 0) chain.startedAt = tsToMs(events[0].eventTime);
    if (events.length > 0) chain.closedAt = tsToMs(events[events.length - 1].eventTime);
    runId = undefined;
    for (const event of events) {
      const at = tsToMs(event.eventTime);
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        const attributes = event.activityTaskScheduledEventAttributes!;
        const name = attributes.activityType?.name;
        if (name !== 'reconcilePage' && name !== 'finishReconciliation') continue;
        if (previous && Number.isNaN(previous.nextAt)) previous.nextAt = at;
        if (name === 'finishReconciliation') {
          chain.finishScheduledAt = at;
          continue;
        }
        const request = await decoded<{ phase: ReconciliationPhase }>(attributes.input?.payloads?.[0]);
        previous = {
          phase: request.phase,
          scheduledAt: at,
          completedAt: NaN,
          nextAt: NaN,
          compared: 0,
          differences: 0,
          resync: 0,
        };
        chain.pages.push(previous);
        scheduled.set(String(event.eventId), previous);
      } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const attributes = event.activityTaskCompletedEventAttributes!;
        const page = scheduled.get(String(attributes.scheduledEventId));
        if (!page) continue;
        const result = await decoded<ReconciliationPageResult>(attributes.result?.payloads?.[0]);
        const differences = Object.values(result.differences).reduce((sum, n) => sum + n, 0);
        page.completedAt = at;
        page.differences = differences;
        page.compared = result.matching + result.held + differences;
        page.resync = result.resync.length;
      } else if (event.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
        chain.childWorkflowIds.push(event.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!);
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
        runId = event.workflowExecutionContinuedAsNewEventAttributes!.newExecutionRunId ?? undefined;
      }
    }
  }
  return chain;
}
