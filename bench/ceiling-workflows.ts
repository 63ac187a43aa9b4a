import {
  condition,
  continueAsNew,
  ParentClosePolicy,
  proxyLocalActivities,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { recordVersionAttributes } from '../src/workflows/search-attributes';

/**
 * The engine's ceiling: the least a one-workflow-per-record sync can do on Temporal, in record-sync's
 * shape (bundled by bench/ceiling-worker.ts, nothing else loads it). A parent takes a page of ids,
 * starts one child per id in a sliding window, with the start options and typed search attributes
 * record-sync's run gives its record workflows, and continues as new after each page. Each child
 * runs one no-op local activity. No source read, no destination read or write, no payload codec,
 * no signals: what record-sync spends beyond this is its own.
 */

export interface CeilingActivities {
  noop(recordId: string): Promise<void>;
}

export interface CeilingRunInput {
  /** Child workflow ids start with it; it is also the pipeline search attribute. */
  prefix: string;
  records: number;
  pageSize: number;
  windowSize: number;
  /** The first id of this run's page. */
  offset: number;
}

export async function ceilingRun(input: CeilingRunInput): Promise<void> {
  const { prefix, records, pageSize, windowSize, offset } = input;
  const end = Math.min(records, offset + pageSize);
  let inFlight = 0;
  const running: Promise<void>[] = [];
  for (let index = offset; index < end; index += 1) {
    await condition(() => inFlight < windowSize);
    inFlight += 1;
    const recordId = String(index);
    running.push(
      (async () => {
        try {
          const handle = await startChild(ceilingRecord, {
            workflowId: `${prefix}-${recordId}`,
            args: [recordId],
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            parentClosePolicy: ParentClosePolicy.TERMINATE,
            typedSearchAttributes: recordVersionAttributes(prefix, recordId),
          });
          await handle.result();
        } finally {
          inFlight -= 1;
        }
      })(),
    );
  }
  await Promise.all(running);
  if (end < records) await continueAsNew<typeof ceilingRun>({ ...input, offset: end });
}

const { noop } = proxyLocalActivities<CeilingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

/** One record: one local activity that does nothing, in the workflow's one workflow task. */
export async function ceilingRecord(recordId: string): Promise<void> {
  await noop(recordId);
}
