import { randomUUID } from 'node:crypto';
import {
  ScheduleNotFoundError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Config } from './config';
import type { Position } from './domain/position';
import { innermostMessage } from './domain/failure-text';
import type { PipelineStatus, ProblemStatus } from './domain/sync';
import {
  ensurePipelineOwner,
  PipelineOwnerGoneError,
  recoverPipelineOwner,
  recoveryAdvice,
} from './pipeline-owner';
import { problemRecords, type ProblemFilter } from './problem-records';
import { configuredPipelines, type PipelineRun } from './pipelines';
import { triggerSync } from './schedule';
import type { BulkAction } from './activities/problems';
import { pipelineWorkflowId } from './workflows/ids';
import { resetCheckpointUpdate, resumeUpdate, statusQuery } from './workflows/messages';
import type { problemRecordsBulk } from './workflows/problem-records-bulk';

/** The pipeline as a person sees it: the owner's state, its problem records, its schedule. */
export interface PipelineOverview extends PipelineStatus {
  /** The current run's workflow status when it is no longer running (it timed out, failed, …). */
  currentRunEnded?: string;
  problems: Record<ProblemStatus, number>;
  schedule: { paused: boolean; note?: string } | null;
  /** Staged pipelines (products): record versions whose workflow shows each stage now. */
  stages?: Record<string, number>;
}

/** A person's request was refused; the message says why (shown as is by the command line). */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

/** The pipeline a person named, or the only one configured; else says which exist. */
export function pipelineNamed(config: Config, name?: string): PipelineRun {
  const runs = configuredPipelines(config);
  const names = runs.map((run) => run.name).join(', ') || 'none';
  if (name === undefined) {
    if (runs.length === 1) return runs[0];
    throw new OperatorError(
      runs.length === 0
        ? 'No pipeline is configured (see .env.example).'
        : `Several pipelines are configured (${names}): say which with --pipeline <name>.`,
    );
  }
  const run = runs.find((candidate) => candidate.name === name);
  if (!run) throw new OperatorError(`No pipeline named ${name} is configured (configured: ${names}).`);
  return run;
}

/** What a person asks of a pipeline, from the command line (and tests): all by Temporal message. */
export function pipelineOperations(client: Client, config: Config, name?: string) {
  const run = pipelineNamed(config, name);
  const { name: pipeline, settings, scheduleId } = run;
  const owner = client.workflow.getHandle(pipelineWorkflowId(pipeline));
  const problems = problemRecords(client);

  async function ownerAsks<T>(ask: () => Promise<T>): Promise<T> {
    try {
      return await ask();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw new OperatorError(
          `Pipeline ${pipeline} has no running owner workflow. ${recoveryAdvice(pipeline)}`,
        );
      }
      if (error instanceof WorkflowUpdateFailedError) throw new OperatorError(innermostMessage(error));
      throw error;
    }
  }

  async function scheduleState(): Promise<PipelineOverview['schedule']> {
    try {
      const { state } = await client.schedule.getHandle(scheduleId).describe();
      return { paused: state.paused, note: state.note };
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return null;
      throw error;
    }
  }

  /** A run the owner still calls current may have ended without telling it (timed out, terminated). */
  async function endedStatus(runId: string): Promise<string | undefined> {
    try {
      const { status } = await client.workflow.getHandle(runId).describe();
      return status.name === 'RUNNING' ? undefined : status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw error;
    }
  }

  /** How many record versions show each stage (one visibility count a stage; names are the pipeline's). */
  async function stageCounts(): Promise<Record<string, number> | undefined> {
    const stages = settings.awaiting?.stages;
    if (!stages) return undefined;
    const counted = await Promise.all(
      stages.map(async (stage) => {
        const query =
          `WorkflowType = "syncRecordVersion" AND RecordSyncPipeline = "${pipeline}" ` +
          `AND RecordSyncOutcome = "${stage}"`;
        return [stage, (await client.workflow.count(query)).count] as const;
      }),
    );
    return Object.fromEntries(counted);
  }

  return {
    pipeline,
    run,
    problems,

    /** Starts the owner the first time (or moves a legacy one); refuses if it has ended. */
    async create(): Promise<string> {
      try {
        return await ensurePipelineOwner(client, pipeline, settings);
      } catch (error) {
        if (error instanceof PipelineOwnerGoneError) throw new OperatorError(error.message);
        throw error;
      }
    },

    recover: (checkpointTime: string): Promise<Position> =>
      recoverPipelineOwner(client, pipeline, settings, checkpointTime),

    async status(): Promise<PipelineOverview> {
      const status = await ownerAsks(() => owner.query(statusQuery));
      const [counts, schedule, currentRunEnded, stages] = await Promise.all([
        problems.countByStatus(pipeline),
        scheduleState(),
        status.currentRun ? endedStatus(status.currentRun.runId) : undefined,
        stageCounts(),
      ]);
      return {
        ...status,
        ...(currentRunEnded ? { currentRun: null, currentRunEnded } : {}),
        problems: counts,
        schedule,
        ...(stages ? { stages } : {}),
      };
    },

    /** Moves the checkpoint (back, for a backfill). */
    resetCheckpoint: (to: string): Promise<Position> =>
      ownerAsks(() => owner.executeUpdate(resetCheckpointUpdate, { args: [{ to }] })),

    /** After a pipeline-level failure is fixed: clears the pause, unpauses the schedule and runs a sync now. */
    async resume(by = 'record-sync command line'): Promise<PipelineStatus> {
      const status = await ownerAsks(() => owner.executeUpdate(resumeUpdate, { args: [{ by }] }));
      try {
        await client.schedule.getHandle(scheduleId).unpause(`resumed by ${by}`);
        await triggerSync(client, scheduleId);
      } catch (error) {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      }
      return status;
    },

    /** Starts a bulk replay or discard over every open problem record the filter matches. */
    async startBulk(
      action: BulkAction['action'],
      filter: ProblemFilter,
      options: { reason?: string; by?: string } = {},
    ) {
      return client.workflow.start<typeof problemRecordsBulk>('problemRecordsBulk', {
        workflowId: `record-sync-${action}-${pipeline}-${randomUUID().slice(0, 8)}`,
        taskQueue: settings.taskQueue,
        args: [
          {
            pipeline,
            action,
            filter,
            taskQueue: settings.taskQueue,
            concurrency: settings.windowSize,
            ...options,
          },
        ],
        staticSummary: `${action} problem records of pipeline ${pipeline}`,
      });
    },
  };
}

export type PipelineOperations = ReturnType<typeof pipelineOperations>;
