import { Context } from '@temporalio/activity';
import type { RecordFailure, SyncSettings } from '../domain/sync';
import type { ProblemFilter, ProblemRecords } from '../problem-records';

export interface ReportProblem {
  pipeline: string;
  settings: SyncSettings;
  failure: RecordFailure;
}

/** An operator action over every problem record a filter matches, one page at a time. */
export interface BulkAction {
  pipeline: string;
  action: 'replay' | 'discard';
  filter: ProblemFilter;
  /** For discard: why, recorded on each record. */
  reason?: string;
  by?: string;
}

export interface BulkPageRequest extends BulkAction {
  nextPageToken?: string;
  pageSize: number;
  /** How many records of the page are worked on at once. */
  concurrency: number;
}

/** What a bulk action did, by answer: SYNCED, VALIDATION_FAILED, DISCARDED, unknown, rejected, … */
export type BulkCounts = Record<string, number>;

export interface BulkPageResult {
  counts: BulkCounts;
  nextPageToken?: string;
}

export function createProblemActivities({ problems }: { problems: ProblemRecords }) {
  return {
    /** Hands a failed record to its problem-record workflow (signal-with-start). */
    async reportProblem({ pipeline, settings, failure }: ReportProblem): Promise<void> {
      await problems.report(pipeline, settings, failure);
    },

    /**
     * One page of a bulk action: lists the matching problem records and acts on each, a few at a
     * time, waiting for each replay to finish, so a replay of 100,000 goes at the pace the
     * destination allows. Heartbeats carry how far it got, so a retried page skips what was done (an action repeated
     * after a crash finds the record resolved and answers `unknown`).
     */
    async actOnProblemPage(request: BulkPageRequest): Promise<BulkPageResult> {
      const context = Context.current();
      const resumed = (context.info.heartbeatDetails as { done: number; counts: BulkCounts } | undefined) ?? {
        done: 0,
        counts: {},
      };
      const page = await problems.listPage(
        request.pipeline,
        request.filter,
        request.pageSize,
        request.nextPageToken,
      );
      const counts = { ...resumed.counts };
      const todo = page.problems.slice(resumed.done);
      let done = resumed.done;
      const count = (answer: string) => {
        counts[answer] = (counts[answer] ?? 0) + 1;
      };
      const act = async (recordId: string) => {
        if (request.action === 'discard') {
          const result = await problems.discard(request.pipeline, recordId, {
            reason: request.reason ?? '',
            by: request.by,
          });
          count(result.done ? 'DISCARDED' : result.outcome);
        } else {
          const result = await problems.replay(request.pipeline, recordId, { by: request.by, wait: true });
          count(result.done ? result.answer.outcome : result.outcome);
        }
      };
      // A rolling window: a slow replay holds one place, not its whole batch. The heartbeat says
      // how many from the start of the page are done, so a retry resumes after them.
      const finished = new Array<boolean>(todo.length).fill(false);
      let next = 0;
      const lane = async () => {
        while (next < todo.length) {
          const index = next++;
          await act(todo[index].recordId);
          finished[index] = true;
          while (done - resumed.done < todo.length && finished[done - resumed.done]) done += 1;
          context.heartbeat({ done, counts });
        }
      };
      await Promise.all(Array.from({ length: Math.min(request.concurrency, todo.length) }, lane));
      return { counts, nextPageToken: page.nextPageToken };
    },
  };
}

export type ProblemActivities = ReturnType<typeof createProblemActivities>;
