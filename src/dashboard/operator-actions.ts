import { setTimeout as sleep } from 'node:timers/promises';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { OperatorError, pipelineOperations, type PipelineOperations } from '../operations';
import { describeReplayAnswer } from '../operator-text';
import type { OperatorAnswer } from '../problem-records';
import { triggerSync } from '../schedule';
import type { ReplayAnswer } from '../workflows/messages';

/** Who the workflows record as having acted (behind single sign-on, the proxy's log says who). */
const ACTOR = 'record-sync dashboard';

/**
 * A replay is asked not to make the request wait (a record whose destination is down retries for
 * up to SYNC_RETRY_BUDGET); the dashboard then watches the record this long for its outcome, and
 * otherwise answers that the replay is under way (the table shows how it ends).
 */
const OUTCOME_WAIT_MS = 10_000;

/** An action's answer for the page: what the workflow said, and a line for a person. */
export type ActionAnswer = OperatorAnswer<unknown> & { text: string };

function answered<T>(answer: OperatorAnswer<T>, describe: (value: T) => string): ActionAnswer {
  return { ...answer, text: answer.done ? describe(answer.answer) : `${answer.outcome}: ${answer.reason}` };
}

/** After a queued replay: its outcome once the record has one, else the queued answer. */
async function outcomeOf(
  ops: PipelineOperations,
  recordId: string,
  replaysBefore: number,
  queued: OperatorAnswer<ReplayAnswer>,
): Promise<OperatorAnswer<ReplayAnswer>> {
  const deadline = Date.now() + OUTCOME_WAIT_MS;
  while (Date.now() < deadline) {
    await sleep(200);
    const view = await ops.problems.show(ops.pipeline, recordId);
    if (view?.lastReplay && view.replays > replaysBefore && view.status !== 'PROCESSING') {
      return { recordId, done: true, answer: view.lastReplay.answer };
    }
  }
  return queued;
}

const describeReplay = (answer: ReplayAnswer) =>
  answer.outcome === 'queued' ? 'under way: the table shows how it ends' : describeReplayAnswer(answer);

/** What a person does from the dashboard: the calls the command line makes (src/client.ts). */
export function operatorActions(client: Client, config: Config) {
  const opsOf = (name: string) => pipelineOperations(client, config, name);

  async function replaying(
    ops: PipelineOperations,
    recordId: string,
    start: () => Promise<OperatorAnswer<ReplayAnswer>>,
  ): Promise<ActionAnswer> {
    const before = await ops.problems.show(ops.pipeline, recordId);
    const queued = await start();
    const answer = queued.done ? await outcomeOf(ops, recordId, before?.replays ?? 0, queued) : queued;
    return answered(answer, describeReplay);
  }

  return {
    replay(name: string, recordId: string): Promise<ActionAnswer> {
      const ops = opsOf(name);
      return replaying(ops, recordId, () =>
        ops.problems.replay(ops.pipeline, recordId, { wait: false, by: ACTOR }),
      );
    },

    /** A version conflict decided whole: the destination takes the source's values, or keeps its own. */
    resolve(name: string, recordId: string, use: 'source' | 'destination'): Promise<ActionAnswer> {
      const ops = opsOf(name);
      return replaying(ops, recordId, () =>
        ops.problems.resolveConflict(ops.pipeline, recordId, { use, wait: false, by: ACTOR }),
      );
    },

    async discard(name: string, recordId: string, reason: string): Promise<ActionAnswer> {
      const ops = opsOf(name);
      const answer = await ops.problems.discard(ops.pipeline, recordId, { reason, by: ACTOR });
      return answered(answer, (view) => `${view.status} (${view.resolution?.reason ?? reason})`);
    },

    /** An orphan confirmed: record-sync retires it in the destination (NetSuite: deactivates it). */
    async confirmOrphan(name: string, recordId: string): Promise<ActionAnswer> {
      const ops = opsOf(name);
      const answer = await ops.problems.confirmOrphan(ops.pipeline, recordId, { by: ACTOR });
      return answered(answer, (view) => `${view.status} (${view.resolution?.decision ?? 'retired'})`);
    },

    /** Runs a sync now, as `record-sync trigger` does; says so when one is running. */
    async runNow(name: string): Promise<{ triggered: boolean; text: string }> {
      const ops = opsOf(name);
      try {
        const result = await triggerSync(client, ops.run.scheduleId);
        return result.triggered
          ? { triggered: true, text: 'A sync was started.' }
          : { triggered: false, text: `Not started: a sync is running (${result.running}).` };
      } catch (error) {
        if (error instanceof ScheduleNotFoundError) {
          throw new OperatorError(
            `Pipeline ${ops.pipeline} has no schedule: create it with \`npx record-sync schedule create --pipeline ${ops.pipeline}\`.`,
          );
        }
        throw error;
      }
    },
  };
}

export type OperatorActions = ReturnType<typeof operatorActions>;
