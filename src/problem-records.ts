import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import {
  FAILURE_KINDS,
  PROBLEM_STATUSES,
  problemStatusOf,
  type FailureKind,
  type ProblemStatus,
  type RecordFailure,
  type SyncSettings,
} from './domain/sync';
import { innermostMessage } from './domain/failure-text';
import { problemWorkflowId } from './workflows/ids';
import {
  confirmOrphanUpdate,
  discardUpdate,
  problemQuery,
  recordFailedSignal,
  replayUpdate,
  resolveConflictUpdate,
  type ConfirmOrphanRequest,
  type DiscardRequest,
  type ResolveConflictRequest,
  type ProblemView,
  type ReplayAnswer,
  type ReplayRequest,
} from './workflows/messages';
import type { problemRecord } from './workflows/problem-record';
import {
  errorKindAttribute,
  failedAtAttribute,
  fieldAttribute,
  problemAttributes,
  recordIdAttribute,
  statusAttribute,
} from './workflows/search-attributes';

/** Which problem records an operator means: every condition given must hold. */
export interface ProblemFilter {
  status?: ProblemStatus;
  kind?: FailureKind;
  field?: string;
  /** ISO-8601: failed at or after. */
  since?: string;
  /** ISO-8601: failed before. */
  until?: string;
  recordIds?: string[];
}

export class ProblemFilterError extends Error {
  override readonly name = 'ProblemFilterError';
}

// Visibility queries are text: only values of these shapes ever reach one.
/** Ids as pipelines make them (`vendor-a/A-1/2026-10-01/2026-10-31`, `file:x.csv#12`); never a quote. */
const KEYWORD = /^[A-Za-z0-9_.\-/#:%]{1,255}$/;
const quoted = (value: string) => `"${value}"`;

function checkedTime(name: string, value: string): string {
  const millis = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(millis)) {
    throw new ProblemFilterError(`${name}: "${value}" is not an ISO-8601 time such as 2024-01-01T00:00:00Z`);
  }
  return new Date(millis).toISOString();
}

function checkedKeyword(name: string, value: string): string {
  if (!KEYWORD.test(value))
    throw new ProblemFilterError(`${name}: "${value}" may contain only letters, digits and _ . - / # : %`);
  return value;
}

/** The visibility query for a pipeline's open problem records matching the filter. */
export function problemQueryText(pipeline: string, filter: ProblemFilter = {}): string {
  const clauses = [
    'WorkflowType = "problemRecord"',
    'ExecutionStatus = "Running"',
    `RecordSyncPipeline = ${quoted(checkedKeyword('pipeline', pipeline))}`,
  ];
  if (filter.status) {
    if (!PROBLEM_STATUSES.includes(filter.status)) {
      throw new ProblemFilterError(`status: must be one of ${PROBLEM_STATUSES.join(', ')}`);
    }
    clauses.push(`${statusAttribute.name} = ${quoted(filter.status)}`);
  }
  if (filter.kind) {
    if (!FAILURE_KINDS.includes(filter.kind))
      throw new ProblemFilterError(`kind: must be one of ${FAILURE_KINDS.join(', ')}`);
    clauses.push(`${errorKindAttribute.name} = ${quoted(filter.kind)}`);
  }
  if (filter.field) clauses.push(`${fieldAttribute.name} = ${quoted(checkedKeyword('field', filter.field))}`);
  if (filter.since)
    clauses.push(`${failedAtAttribute.name} >= ${quoted(checkedTime('since', filter.since))}`);
  if (filter.until) clauses.push(`${failedAtAttribute.name} < ${quoted(checkedTime('until', filter.until))}`);
  if (filter.recordIds?.length) {
    const ids = filter.recordIds.map((id) => quoted(checkedKeyword('record id', id)));
    clauses.push(`${recordIdAttribute.name} IN (${ids.join(', ')})`);
  }
  return clauses.join(' AND ');
}

/** One line of a listing: what visibility knows, without opening the workflow. */
export interface ProblemSummary {
  recordId: string;
  status: string;
  kind: string;
  field: string;
  failedAt: string;
  workflowId: string;
}

export interface ProblemPage {
  problems: ProblemSummary[];
  /** Base64; absent on the last page. */
  nextPageToken?: string;
}

/** Problem records for an operator and for the client: listing, counting, replaying, discarding. */
export function problemRecords(client: Client) {
  const { namespace } = client.options;

  async function listPage(
    pipeline: string,
    filter: ProblemFilter,
    pageSize: number,
    nextPageToken?: string,
  ): Promise<ProblemPage> {
    const response = await client.workflowService.listWorkflowExecutions({
      namespace,
      query: problemQueryText(pipeline, filter),
      pageSize,
      nextPageToken: nextPageToken ? Buffer.from(nextPageToken, 'base64') : undefined,
    });
    const problems = (response.executions ?? []).map((execution): ProblemSummary => {
      const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      return {
        recordId: attributes.get(recordIdAttribute) ?? '',
        status: attributes.get(statusAttribute) ?? '',
        kind: attributes.get(errorKindAttribute) ?? '',
        field: attributes.get(fieldAttribute) ?? '',
        failedAt: attributes.get(failedAtAttribute)?.toISOString() ?? '',
        workflowId: execution.execution?.workflowId ?? '',
      };
    });
    const token = response.nextPageToken?.length
      ? Buffer.from(response.nextPageToken).toString('base64')
      : undefined;
    return { problems, nextPageToken: token };
  }

  async function count(pipeline: string, filter: ProblemFilter = {}): Promise<number> {
    const { count } = await client.workflow.count(problemQueryText(pipeline, filter));
    return count;
  }

  return {
    listPage,
    count,

    /** The count per status (visibility groups by ExecutionStatus only: one query per status). */
    async countByStatus(
      pipeline: string,
      filter: ProblemFilter = {},
    ): Promise<Record<ProblemStatus, number>> {
      const counts = await Promise.all(
        PROBLEM_STATUSES.map((status) => count(pipeline, { ...filter, status })),
      );
      return Object.fromEntries(PROBLEM_STATUSES.map((status, i) => [status, counts[i]])) as Record<
        ProblemStatus,
        number
      >;
    },

    /** Which of these records have an open problem record. */
    async openAmong(pipeline: string, recordIds: string[]): Promise<Set<string>> {
      if (recordIds.length === 0) return new Set();
      const { problems } = await listPage(pipeline, { recordIds }, recordIds.length);
      return new Set(problems.map((p) => p.recordId));
    },

    /**
     * Hands a record's failure to its problem-record workflow, starting it if the record has none
     * open: signal-with-start, so that the failure and the workflow arrive together and a
     * record never has two.
     */
    async report(pipeline: string, settings: SyncSettings, failure: RecordFailure): Promise<void> {
      await client.workflow.signalWithStart<typeof problemRecord, [RecordFailure]>('problemRecord', {
        workflowId: problemWorkflowId(pipeline, failure.recordId),
        taskQueue: settings.taskQueue,
        args: [{ pipeline, recordId: failure.recordId, settings }],
        signal: recordFailedSignal,
        signalArgs: [failure],
        typedSearchAttributes: problemAttributes(pipeline, failure.recordId, {
          ...failure,
          status: problemStatusOf(failure.kind),
        }),
        staticSummary: `Problem record ${failure.recordId} of pipeline ${pipeline}`,
      });
    },

    async show(pipeline: string, recordId: string): Promise<ProblemView | null> {
      try {
        return await client.workflow.getHandle(problemWorkflowId(pipeline, recordId)).query(problemQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },

    async replay(
      pipeline: string,
      recordId: string,
      request: ReplayRequest = {},
    ): Promise<OperatorAnswer<ReplayAnswer>> {
      return answered(recordId, () =>
        client.workflow
          .getHandle(problemWorkflowId(pipeline, recordId))
          .executeUpdate(replayUpdate, { args: [request] }),
      );
    },

    /** A person's decision on a version conflict; answers once the record is written. */
    async resolveConflict(
      pipeline: string,
      recordId: string,
      request: ResolveConflictRequest,
    ): Promise<OperatorAnswer<ReplayAnswer>> {
      return answered(recordId, () =>
        client.workflow
          .getHandle(problemWorkflowId(pipeline, recordId))
          .executeUpdate(resolveConflictUpdate, { args: [request] }),
      );
    },

    /** A person confirms an orphan: record-sync retires it in the destination. */
    async confirmOrphan(
      pipeline: string,
      recordId: string,
      request: ConfirmOrphanRequest,
    ): Promise<OperatorAnswer<ProblemView>> {
      return answered(recordId, () =>
        client.workflow
          .getHandle(problemWorkflowId(pipeline, recordId))
          .executeUpdate(confirmOrphanUpdate, { args: [request] }),
      );
    },

    async discard(
      pipeline: string,
      recordId: string,
      request: DiscardRequest,
    ): Promise<OperatorAnswer<ProblemView>> {
      return answered(recordId, () =>
        client.workflow
          .getHandle(problemWorkflowId(pipeline, recordId))
          .executeUpdate(discardUpdate, { args: [request] }),
      );
    },
  };
}

export type ProblemRecords = ReturnType<typeof problemRecords>;

/** What an operator action did: done (with the workflow's answer), or why not. */
export type OperatorAnswer<T> =
  | { recordId: string; done: true; answer: T }
  | { recordId: string; done: false; outcome: 'unknown' | 'rejected'; reason: string };

async function answered<T>(recordId: string, act: () => Promise<T>): Promise<OperatorAnswer<T>> {
  try {
    return { recordId, done: true, answer: await act() };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || isClosed(error)) {
      return { recordId, done: false, outcome: 'unknown', reason: 'no open problem record for this id' };
    }
    // Rejected by the update's validator, or failed by its handler: the cause says why.
    if (error instanceof WorkflowUpdateFailedError) {
      return { recordId, done: false, outcome: 'rejected', reason: innermostMessage(error) };
    }
    throw error;
  }
}

/** An update sent to a workflow that has completed answers "workflow execution already completed". */
function isClosed(error: unknown): boolean {
  return /already completed|workflow execution already finished/i.test(innermostMessage(error));
}
