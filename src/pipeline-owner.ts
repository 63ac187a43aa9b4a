import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { Checkpoint } from './domain/checkpoint';
import { positionAt, type Position } from './domain/position';
import type { PipelineStatus, SyncSettings } from './domain/sync';
import { problemRecords } from './problem-records';
import { pipelineWorkflowId } from './workflows/ids';
import { carriedOver } from './workflows/legacy/carried-over';
import type { DeadLetter, PipelineStatus as LegacyStatus } from './workflows/legacy/types';
import { statusQuery } from './workflows/messages';
import type { pipelineWorkflow } from './workflows/pipeline';

/**
 * The workflow holding a pipeline's checkpoint is never started again silently: a new one would
 * read the whole source again. Runs and commands that find it gone say so and stop.
 */
export class PipelineOwnerGoneError extends Error {
  override readonly name = 'PipelineOwnerGoneError';
}

export const recoveryAdvice = (pipeline: string) =>
  `Recover it explicitly with \`npx record-sync pipeline recover --pipeline ${pipeline} --checkpoint <ISO time>\` ` +
  '(the next run reads every record changed at or after that time).';

function ownerGone(pipeline: string, status: string): PipelineOwnerGoneError {
  return new PipelineOwnerGoneError(
    `The workflow holding pipeline ${pipeline}'s checkpoint (${pipelineWorkflowId(pipeline)}) is ${status}, ` +
      `so its checkpoint is not known. ${recoveryAdvice(pipeline)}`,
  );
}

async function start(
  client: Client,
  pipeline: string,
  settings: SyncSettings,
  checkpoint: Position | Checkpoint | null,
  policy: WorkflowIdReusePolicy,
) {
  await client.workflow.start<typeof pipelineWorkflow>('pipelineWorkflow', {
    workflowId: pipelineWorkflowId(pipeline),
    taskQueue: settings.taskQueue,
    args: [
      {
        pipeline,
        settings,
        state: {
          checkpoint,
          checkpointGeneration: 0,
          settings,
          currentRun: null,
          lastRun: null,
          paused: null,
        },
      },
    ],
    workflowIdReusePolicy: policy,
    staticSummary: `Owner of pipeline ${pipeline}: checkpoint, runs, pause`,
  });
}

/** Whether the running owner predates problem records (its status has no checkpoint generation). */
function isLegacy(status: PipelineStatus | LegacyStatus): status is LegacyStatus {
  return !('checkpointGeneration' in status);
}

/**
 * Makes sure the pipeline's owner runs: starts it the first time ever, moves a legacy owner (one
 * that kept dead letters in its own state) to problem records, and refuses when it has ended.
 */
export async function ensurePipelineOwner(
  client: Client,
  pipeline: string,
  settings: SyncSettings,
): Promise<'started' | 'running' | 'migrated'> {
  const handle = client.workflow.getHandle(pipelineWorkflowId(pipeline));
  let described;
  try {
    described = await handle.describe();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    try {
      // REJECT_DUPLICATE: if one ever ran under this id (and its record is still kept), refuse.
      await start(client, pipeline, settings, null, WorkflowIdReusePolicy.REJECT_DUPLICATE);
      return 'started';
    } catch (startError) {
      if (startError instanceof WorkflowExecutionAlreadyStartedError) throw ownerGone(pipeline, 'gone');
      throw startError;
    }
  }
  if (described.status.name !== 'RUNNING') throw ownerGone(pipeline, described.status.name.toLowerCase());
  const status = await handle.query<PipelineStatus | LegacyStatus>(statusQuery.name);
  if (!isLegacy(status)) return 'running';
  await migrateLegacyOwner(client, pipeline, settings, status);
  return 'migrated';
}

/**
 * A legacy owner's dead letters become problem records (the record itself is not kept: a replay
 * reads the source again), then a new owner continues from the same checkpoint.
 */
async function migrateLegacyOwner(
  client: Client,
  pipeline: string,
  settings: SyncSettings,
  status: LegacyStatus,
) {
  const handle = client.workflow.getHandle(pipelineWorkflowId(pipeline));
  const deadLetters = await handle.query<DeadLetter[]>('deadLetters');
  const problems = problemRecords(client);
  for (const letter of deadLetters) {
    await problems.report(
      pipeline,
      settings,
      carriedOver(letter, `${pipelineWorkflowId(pipeline)} (dead letter carried over)`),
    );
  }
  await handle.terminate(
    'moved to problem records by record-sync (its dead letters are problem records now)',
  );
  await start(client, pipeline, settings, status.checkpoint, WorkflowIdReusePolicy.ALLOW_DUPLICATE);
}

/** Starts a new owner after the old one ended, from a checkpoint a person chose. */
export async function recoverPipelineOwner(
  client: Client,
  pipeline: string,
  settings: SyncSettings,
  checkpointTime: string,
) {
  const handle = client.workflow.getHandle(pipelineWorkflowId(pipeline));
  try {
    const described = await handle.describe();
    if (described.status.name === 'RUNNING') {
      throw new Error(
        `Pipeline ${pipeline}'s owner is running; nothing to recover. To read again from a time, use \`checkpoint reset\`.`,
      );
    }
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  const checkpoint = positionAt(checkpointTime);
  await start(client, pipeline, settings, checkpoint, WorkflowIdReusePolicy.ALLOW_DUPLICATE);
  return checkpoint;
}
