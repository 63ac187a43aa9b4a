/** Workflow ids: one source of truth for the workflows, the activities and the command line. */

/** The long-lived workflow that owns a pipeline's checkpoint and runs. */
export const pipelineWorkflowId = (pipeline: string): string => `record-sync-pipeline-${pipeline}`;

/**
 * One workflow per record version: starting it again for the same version is a no-op. A checkpoint
 * reset starts a new generation, so a backfill writes those versions again.
 */
export const recordWorkflowId = (
  pipeline: string,
  recordId: string,
  version: string,
  generation = 0,
): string => `record-sync-${pipeline}-${recordId}-${version}${generation > 0 ? `-g${generation}` : ''}`;

/** One workflow per record that waits for a person: its current problem, until resolved. */
export const problemWorkflowId = (pipeline: string, recordId: string): string =>
  `record-sync-problem-${pipeline}-${recordId}`;
