import type { Client } from '@temporalio/client';
import type { SyncSettings } from '../domain/sync';
import { startPipelineWorkflow } from '../pipeline-start';
import { beginRunUpdate, type BeginRunAnswer } from '../workflows/messages';

export interface BeginRun {
  pipeline: string;
  runId: string;
  startedAt: string;
}

/** Activities that talk to the pipeline's own long-lived workflow (workflows cannot send it updates). */
export function createPipelineActivities({ client, settings }: { client: Client; settings: SyncSettings }) {
  return {
    /** Registers a run with the pipeline workflow (starting it if needed) and returns its checkpoint. */
    async beginRun({
      pipeline,
      runId,
      startedAt,
    }: BeginRun): Promise<BeginRunAnswer & { settings: SyncSettings }> {
      const answer = await client.workflow.executeUpdateWithStart(beginRunUpdate, {
        args: [{ runId, startedAt, settings }],
        startWorkflowOperation: startPipelineWorkflow(pipeline, settings),
      });
      return { ...answer, settings };
    },
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
