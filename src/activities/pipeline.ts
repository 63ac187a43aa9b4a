import { ScheduleNotFoundError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PIPELINE_OWNER_MISSING } from '../domain/failures';
import type { SyncSettings } from '../domain/sync';
import { ensurePipelineOwner, PipelineOwnerGoneError } from '../pipeline-owner';
import { pipelineWorkflowId } from '../workflows/ids';
import type { PipelineRunSettings } from '.';
import { namedIn } from './record-path';
import { beginRunUpdate, pipelinePausedSignal, type BeginRunAnswer } from '../workflows/messages';

export interface BeginRun {
  pipeline: string;
  runId: string;
  startedAt: string;
}

export interface PausePipeline {
  pipeline: string;
  runId: string;
  reason: string;
}

/** Activities that talk to the pipeline's own long-lived workflow and schedule. */
export function createPipelineActivities({
  client,
  runSettings,
}: {
  client: Client;
  runSettings: ReadonlyMap<string, PipelineRunSettings>;
}) {
  const runSettingsOf = (pipeline: string): PipelineRunSettings => namedIn(runSettings, pipeline);
  const pauseSchedule = async (pipeline: string, note: string) => {
    try {
      await client.schedule.getHandle(runSettingsOf(pipeline).scheduleId).pause(note.slice(0, 1_000));
    } catch (error) {
      // A run started by hand with no schedule: nothing to pause.
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  };

  return {
    /**
     * Registers a run with the pipeline workflow and returns its checkpoint. The owner is started
     * only if it never existed; if it has ended, the run refuses to start and the schedule pauses.
     */
    async beginPipelineRun({
      pipeline,
      runId,
      startedAt,
    }: BeginRun): Promise<BeginRunAnswer & { settings: SyncSettings }> {
      const { settings } = runSettingsOf(pipeline);
      try {
        await ensurePipelineOwner(client, pipeline, settings);
        const answer = await client.workflow
          .getHandle(pipelineWorkflowId(pipeline))
          .executeUpdate(beginRunUpdate, { args: [{ runId, startedAt, settings }] });
        return { ...answer, settings };
      } catch (error) {
        if (!(error instanceof PipelineOwnerGoneError || error instanceof WorkflowNotFoundError)) throw error;
        const message = error.message;
        await pauseSchedule(pipeline, `record-sync paused: ${message}`);
        throw ApplicationFailure.create({ type: PIPELINE_OWNER_MISSING, message, nonRetryable: true });
      }
    },

    /** Stops further runs after a pipeline-level failure, saying why, until a person resumes it. */
    async pausePipeline({ pipeline, runId, reason }: PausePipeline): Promise<void> {
      await pauseSchedule(
        pipeline,
        `record-sync paused: ${reason} (run ${runId}). Fix the cause, then: npx record-sync resume --pipeline ${pipeline}`,
      );
      await client.workflow
        .getHandle(pipelineWorkflowId(pipeline))
        .signal(pipelinePausedSignal, { reason, runId, at: new Date().toISOString() });
    },
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
