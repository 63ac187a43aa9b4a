import {
  condition,
  continueAsNew,
  deprecatePatch,
  defineSignal,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { roomForPage } from '../src/workflows/run-history';
import { outcomeAttribute, recordVersionAttributes } from '../src/workflows/search-attributes';

/**
 * The engine's ceiling: the least a one-workflow-per-record sync can do on Temporal, in record-sync's
 * shape (bundled by bench/ceiling-worker.ts, nothing else loads it). A parent takes pages of ids and
 * starts one child per id in one sliding window across its pages, with the start options and typed
 * search attributes record-sync's run gives its record workflows, and continues as new by the same
 * rule as record-sync's run. Each child runs one no-op local activity. No source read, no
 * destination read or write, no payload codec, no signals: what record-sync spends beyond this is
 * its own.
 *
 * Each of `CeilingSteps` adds one step of record-sync's record path to it, so that the benchmark
 * can price that step alone (bench/steps.ts).
 */

export interface CeilingActivities {
  noop(recordId: string): Promise<void>;
  /** A page's read: the ids back, and with `openProblems` the visibility query record-sync makes. */
  readPage(request: { pipeline: string; recordIds: string[]; openProblems: boolean }): Promise<string[]>;
}

export interface CeilingSteps {
  /** Every page's records finish before the next page is read (record-sync's shape before #14). */
  drainEachPage?: boolean;
  /** Each child's input carries this many more bytes (record-sync's record, settings, destination). */
  inputBytes?: number;
  /** Each child upserts its outcome search attribute when done, as record-sync's record workflow does. */
  outcomeAttribute?: boolean;
  /** Each child asks for a patch, as record-sync's record workflow does (a marker and a TemporalChangeVersion upsert). */
  patchMarker?: boolean;
  /** Each child returns an outcome like record-sync's record workflow (status, version, checksum, id). */
  outcomeResult?: boolean;
  /** Each page is read by an activity and checked after its records by a local activity. */
  pageRead?: boolean;
  /** The page's read asks visibility for the page's open problem records (record-sync's query). */
  openProblems?: boolean;
  /** The run tells an owner workflow of each finished page by signal (`pageCompleted`). */
  ownerSignal?: boolean;
}

export interface CeilingRunInput {
  /** Child workflow ids start with it; it is also the pipeline search attribute. */
  prefix: string;
  records: number;
  pageSize: number;
  windowSize: number;
  /** The first id of this run's first page. */
  offset: number;
  steps?: CeilingSteps;
}

export const pageDoneSignal = defineSignal<[number]>('ceiling.pageDone');
export const ownerDoneSignal = defineSignal('ceiling.done');

const { noop } = proxyLocalActivities<CeilingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});
const { readPage } = proxyActivities<CeilingActivities>({ startToCloseTimeout: '1 minute' });
const { readPage: checkPage } = proxyLocalActivities<CeilingActivities>({ startToCloseTimeout: '1 minute' });

export async function ceilingRun(input: CeilingRunInput): Promise<void> {
  const { prefix, records, pageSize, windowSize, steps = {} } = input;
  const padding = steps.inputBytes ? 'x'.repeat(steps.inputBytes) : undefined;
  const window = { inFlight: 0 };
  let offset = input.offset;
  let completed: Promise<void> = Promise.resolve();
  do {
    const end = Math.min(records, offset + pageSize);
    let ids = Array.from({ length: end - offset }, (_, i) => String(offset + i));
    if (steps.pageRead || steps.openProblems) {
      ids = await readPage({ pipeline: prefix, recordIds: ids, openProblems: steps.openProblems === true });
    }
    const running: Promise<void>[] = [];
    for (const recordId of ids) {
      await condition(() => window.inFlight < windowSize);
      window.inFlight += 1;
      running.push(
        (async () => {
          try {
            const handle = await startChild(ceilingRecord, {
              workflowId: `${prefix}-${recordId}`,
              args: [{ recordId, padding, steps }],
              workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
              parentClosePolicy: ParentClosePolicy.TERMINATE,
              typedSearchAttributes: recordVersionAttributes(prefix, recordId),
            });
            await handle.result();
          } finally {
            window.inFlight -= 1;
          }
        })(),
      );
    }
    const earlier = completed;
    const page = offset;
    completed = (async () => {
      await Promise.all(running);
      if (steps.pageRead) await checkPage({ pipeline: prefix, recordIds: ids, openProblems: false });
      await earlier;
      if (steps.ownerSignal) await getExternalWorkflowHandle(`${prefix}-owner`).signal(pageDoneSignal, page);
    })();
    if (steps.drainEachPage) await completed;
    offset = end;
  } while (offset < records && !steps.drainEachPage && roomForPage(input));
  await completed;
  if (offset < records) await continueAsNew<typeof ceilingRun>({ ...input, offset });
}

/** What a record-sync record workflow returns to its run when it synced (RecordOutcome's shape). */
export interface CeilingOutcome {
  status: 'SYNCED';
  recordId: string;
  version: string;
  checksum: string;
  internalId: string;
}

/** One record: one local activity that does nothing, in the workflow's one workflow task. */
export async function ceilingRecord(input: {
  recordId: string;
  padding?: string;
  steps: CeilingSteps;
}): Promise<CeilingOutcome | undefined> {
  const { recordId, steps } = input;
  if (steps.patchMarker) deprecatePatch('ceiling-step');
  await noop(recordId);
  if (steps.outcomeAttribute) upsertSearchAttributes([{ key: outcomeAttribute, value: 'SYNCED' }]);
  if (!steps.outcomeResult) return undefined;
  // Sizes as record-sync's: a Salesforce stamp, a SHA-256 checksum, a NetSuite internal id.
  const version = new Date(Date.UTC(2026, 0, 1, 0, 0, Number(recordId))).toISOString();
  return {
    status: 'SYNCED',
    recordId,
    version,
    checksum: '0'.repeat(64),
    internalId: String(100000 + Number(recordId)),
  };
}

/** What stands in for record-sync's pipeline workflow: it takes each page's signal until told it is done. */
export async function ceilingOwner(): Promise<number> {
  let pages = 0;
  let done = false;
  setHandler(pageDoneSignal, () => {
    pages += 1;
  });
  setHandler(ownerDoneSignal, () => {
    done = true;
  });
  await condition(() => done);
  return pages;
}
