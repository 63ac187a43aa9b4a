import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { syncSettings, type Config } from './config';
import type { Checkpoint } from './domain/checkpoint';
import type { DeadLetter, PipelineStatus } from './domain/sync';
import {
  deadLettersQuery,
  pipelineWorkflowId,
  replaySignal,
  resetCheckpointUpdate,
  statusQuery,
} from './workflows/messages';
import { startPipelineWorkflow } from './pipeline-start';

/** What a person asks of a pipeline, from the command line (and tests): all by Temporal message. */
export function pipelineOperations(client: Client, config: Config) {
  const handle = client.workflow.getHandle(pipelineWorkflowId(config.pipeline.name));

  /** A pipeline workflow exists once the first run began; before that there is nothing to ask. */
  async function ifStarted<T>(ask: () => Promise<T>, otherwise: T): Promise<T> {
    try {
      return await ask();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return otherwise;
      throw error;
    }
  }

  return {
    status: (): Promise<PipelineStatus | null> => ifStarted(() => handle.query(statusQuery), null),

    deadLetters: (): Promise<DeadLetter[]> => ifStarted(() => handle.query(deadLettersQuery), []),

    /** Replays the given dead letters (all when none are given); returns how many were asked for. */
    async replay(recordIds: string[] = []): Promise<number> {
      const deadLetters = await this.deadLetters();
      const matching = recordIds.length
        ? deadLetters.filter((d) => recordIds.includes(d.recordId))
        : deadLetters;
      if (matching.length) await handle.signal(replaySignal, { recordIds });
      return matching.length;
    },

    /** Moves the checkpoint (back, for a backfill); starts the pipeline workflow if it is new. */
    async resetCheckpoint(to: string): Promise<Checkpoint> {
      return client.workflow.executeUpdateWithStart(resetCheckpointUpdate, {
        args: [{ to }],
        startWorkflowOperation: startPipelineWorkflow(config.pipeline.name, syncSettings(config)),
      });
    },
  };
}
