import { WithStartWorkflowOperation } from '@temporalio/client';
import type { SyncSettings } from './domain/sync';
import { pipelineWorkflowId } from './workflows/messages';
import type { pipelineWorkflow } from './workflows/pipeline';

/** Starts the pipeline's long-lived workflow alongside a message, or uses the one already running. */
export function startPipelineWorkflow(pipeline: string, settings: SyncSettings) {
  return new WithStartWorkflowOperation<typeof pipelineWorkflow>('pipelineWorkflow', {
    workflowId: pipelineWorkflowId(pipeline),
    taskQueue: settings.taskQueue,
    args: [{ pipeline, settings }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}
