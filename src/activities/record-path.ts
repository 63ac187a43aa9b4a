import { ApplicationFailure } from '@temporalio/common';
import { PIPELINE_FAILURE } from '../domain/failures';
import type { Checkpoint } from '../domain/checkpoint';
import { asPosition, type Position } from '../domain/position';
import type { StatusWriteBack } from '../domain/sync';
import type { Pipeline, RecordLoad, SourcePage, StageRequest, WrittenRecord } from '../pipelines/contract';

/**
 * What this worker keeps for the named pipeline. A pipeline it does not run is a pipeline-level
 * failure (the run stops and says so), never a failure of each record: no retry makes it appear.
 */
export function namedIn<T>(registry: ReadonlyMap<string, T>, name: string): T {
  const found = registry.get(name);
  if (found !== undefined) return found;
  throw ApplicationFailure.create({
    type: PIPELINE_FAILURE,
    nonRetryable: true,
    message: `this worker runs no pipeline named ${name} (it runs ${[...registry.keys()].join(', ')})`,
  });
}

/** A person's edit applied as the pipeline says, by default field over field. */
export function withEdit(pipeline: Pipeline, record: unknown, edit: Record<string, unknown>): unknown {
  return pipeline.applyEdit
    ? pipeline.applyEdit(record, edit)
    : { ...(record as Record<string, unknown>), ...edit };
}

/** The pipelines this worker runs, by name. */
export type PipelineRegistry = ReadonlyMap<string, Pipeline>;

export interface ChangedPageRequest {
  pipeline: string;
  /** A checkpoint object in runs begun before positions were strings. */
  since: Position | Checkpoint | null;
  cursor?: string | null;
  /** The cursor's name in runs begun before pipelines. */
  nextRecordsUrl?: string | null;
  lookbackMs: number;
}

export interface ReadRecordRequest {
  pipeline: string;
  recordId: string;
  version: string;
}

export type LoadRecordRequest = RecordLoad & { pipeline: string };

/**
 * The record path's activities. Workflows name the pipeline; these find it in the registry.
 * Which records have an open problem record is the engine's own question (a visibility query).
 */
export function createRecordPathActivities({
  pipelines,
  openProblems,
  legacyPipeline,
}: {
  pipelines: PipelineRegistry;
  openProblems: (pipeline: string, recordIds: string[]) => Promise<Set<string>>;
  /** The pipeline of workflows begun before pipelines, whose requests do not name one. */
  legacyPipeline: string;
}) {
  const pipelineNamed = (name: string): Pipeline => namedIn(pipelines, name);

  return {
    /**
     * One page of what changed since the checkpoint, in the source's change order; each record
     * says whether it has an open problem record (one visibility query per page).
     */
    async readChangedRecords(request: ChangedPageRequest): Promise<SourcePage> {
      const pipeline = pipelineNamed(request.pipeline);
      const page = await pipeline.readPage({
        since: asPosition(request.since),
        cursor: request.cursor ?? request.nextRecordsUrl ?? null,
        lookbackMs: request.lookbackMs,
      });
      const open = await openProblems(
        request.pipeline,
        page.records.map((r) => r.recordId),
      );
      for (const record of page.records) if (open.has(record.recordId)) record.hasOpenProblem = true;
      return page;
    },

    /** The current record, for a replay; a bare id is a request from before pipelines. */
    async readRecord(request: ReadRecordRequest | string) {
      const { pipeline, recordId, version } =
        typeof request === 'string' ? { pipeline: legacyPipeline, recordId: request, version: '' } : request;
      return pipelineNamed(pipeline).readRecord(recordId, version);
    },

    async loadRecord({ pipeline: name, edit, ...load }: LoadRecordRequest) {
      const pipeline = pipelineNamed(name);
      const record = edit ? withEdit(pipeline, load.record, edit) : load.record;
      return pipeline.loadRecord({ ...load, record });
    },

    async verifyWrites(request: { pipeline: string; written: WrittenRecord[] } | WrittenRecord[]) {
      const { pipeline, written } = Array.isArray(request)
        ? { pipeline: legacyPipeline, written: request }
        : request;
      return (await pipelineNamed(pipeline).verifyWrites?.(written)) ?? [];
    },

    async writeBackStatuses(
      request: { pipeline: string; statuses: StatusWriteBack[] } | StatusWriteBack[],
    ): Promise<{ written: number; failed: string[] }> {
      const { pipeline, statuses } = Array.isArray(request)
        ? { pipeline: legacyPipeline, statuses: request }
        : request;
      return (await pipelineNamed(pipeline).writeBackStatuses?.(statuses)) ?? { written: 0, failed: [] };
    },

    async checkEdit({
      pipeline = legacyPipeline,
      record,
      edit,
    }: {
      pipeline?: string;
      record: unknown;
      edit: Record<string, unknown>;
    }): Promise<void> {
      await pipelineNamed(pipeline).checkEdit(record, edit);
    },

    /** A record's next stage, once the destination's event came (see LoadResult's `awaits`). */
    async continueRecord({
      pipeline: name,
      edit,
      ...request
    }: StageRequest & { pipeline: string; edit?: Record<string, unknown> }) {
      const pipeline = pipelineNamed(name);
      if (!pipeline.continueRecord) {
        throw ApplicationFailure.create({
          type: PIPELINE_FAILURE,
          nonRetryable: true,
          message: `pipeline ${name} has no stage after its load`,
        });
      }
      // A person's edit (edit-and-replay) applies to every stage, as it did to the load.
      const record = edit ? withEdit(pipeline, request.record, edit) : request.record;
      return pipeline.continueRecord({ ...request, record });
    },

    /** Finishes a delivery (a vendor's file) whose records are all done. */
    async completeDelivery({
      pipeline,
      runId,
      delivery,
    }: {
      pipeline: string;
      runId: string;
      delivery: unknown;
    }) {
      const complete = pipelineNamed(pipeline).completeDelivery;
      if (!complete) throw new Error(`pipeline ${pipeline} has no deliveries to complete`);
      return complete(delivery, { runId });
    },
  };
}
