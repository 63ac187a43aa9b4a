import type { Client } from '@temporalio/client';
import { metricMeter } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { reconciliationDifferences } from '../monitoring/metrics';
import { PIPELINE_FAILURE } from '../domain/failures';
import {
  DIFFERENCE_KINDS,
  type DifferenceKind,
  type ReconciliationSummary,
  type SyncSettings,
} from '../domain/sync';
import type { ProblemRecords } from '../problem-records';
import type { Reconciler, RecordDifference } from '../pipelines/contract';
import type { reconciliationReports } from '../reconciliation/report';
import { pipelineWorkflowId } from '../workflows/ids';
import { reconciliationFinishedSignal } from '../workflows/messages';
import type { PipelineRunSettings } from '.';
import { namedIn, type PipelineRegistry } from './record-path';

export type ReconciliationPhase = 'source' | 'orphans';

export interface ReconciliationPageRequest {
  pipeline: string;
  runId: string;
  phase: ReconciliationPhase;
  cursor: string | null;
  /** The page's number within its phase, for its report file. */
  page: number;
  /** Raise conflicts and orphans as problem records (repair on). */
  repair: boolean;
  settings: SyncSettings;
}

/** What the workflow needs of a page: counts, and the records to re-sync (ids and versions only). */
export interface ReconciliationPageResult {
  matching: number;
  /** Differences of records that already have an open problem record (a person is on them). */
  held: number;
  differences: Record<DifferenceKind, number>;
  /** Drifted and missing records: the workflow re-syncs them through the record path. */
  resync: { recordId: string; version: string }[];
  /** Problem records raised for this page (conflicts and orphans). */
  raised: { conflicts: number; orphans: number };
  cursor: string | null;
}

const noDifferences = (): Record<DifferenceKind, number> =>
  Object.fromEntries(DIFFERENCE_KINDS.map((kind) => [kind, 0])) as Record<DifferenceKind, number>;

/**
 * Reconciliation's activities: a page compared (and written to the report) with its repairs
 * decided here, so a page's differences never travel through the workflow's history; and the
 * report finished, its summary handed to the pipeline's owner.
 */
export function createReconciliationActivities({
  client,
  pipelines,
  runSettings,
  problems,
  reports,
  repair,
}: {
  client: Client;
  pipelines: PipelineRegistry;
  runSettings: ReadonlyMap<string, PipelineRunSettings>;
  problems: ProblemRecords;
  reports: ReturnType<typeof reconciliationReports>;
  repair: boolean;
}) {
  const reconcilerOf = (pipeline: string): Reconciler => {
    const reconciler = namedIn(pipelines, pipeline).reconciler;
    if (!reconciler) {
      throw ApplicationFailure.create({
        type: PIPELINE_FAILURE,
        nonRetryable: true,
        message: `pipeline ${pipeline} has no reconciliation`,
      });
    }
    return reconciler;
  };

  /** A difference a person decides: a mismatch is a version conflict, an orphan is held for confirmation. */
  async function raise(request: ReconciliationPageRequest, difference: RecordDifference) {
    const failedAt = new Date().toISOString();
    const orphan = difference.kind === 'ORPHANED';
    await problems.report(request.pipeline, request.settings, {
      recordId: difference.recordId,
      version: (orphan ? difference.destinationVersion : difference.sourceVersion) ?? failedAt,
      kind: orphan ? 'orphaned' : 'conflict',
      error: orphan
        ? `in the destination without a source record (${difference.note ?? 'source record gone'}): confirm to retire it there, or discard`
        : `the destination was changed after record-sync wrote it (${(difference.fields ?? []).map((f) => f.field).join(', ')}): found by reconciliation`,
      field: difference.fields?.[0]?.field,
      attempts: 1,
      failedAt,
      workflowId: request.runId,
      ...(difference.fields ? { diff: difference.fields } : {}),
    });
  }

  return {
    /** The run's settings, from this worker's configuration (never in the schedule's input). */
    async beginReconciliation({ pipeline }: { pipeline: string }) {
      reconcilerOf(pipeline);
      return { settings: namedIn(runSettings, pipeline).settings, repair };
    },

    async reconcilePage(request: ReconciliationPageRequest): Promise<ReconciliationPageResult> {
      const reconciler = reconcilerOf(request.pipeline);
      const page =
        request.phase === 'source'
          ? await reconciler.compareSourcePage(request.cursor)
          : await reconciler.findOrphansPage(request.cursor);
      const open = await problems.openAmong(
        request.pipeline,
        page.differences.map((d) => d.recordId),
      );
      const found = page.differences.filter((d) => !open.has(d.recordId));
      await reports.writePage(request.pipeline, request.runId, request.phase, request.page, found);
      const differences = noDifferences();
      const resync: ReconciliationPageResult['resync'] = [];
      const raised = { conflicts: 0, orphans: 0 };
      for (const difference of found) {
        differences[difference.kind] += 1;
        if (!request.repair) continue;
        const { kind, recordId, sourceVersion } = difference;
        if ((kind === 'VERSION_DRIFT' || kind === 'MISSING') && sourceVersion) {
          resync.push({ recordId, version: sourceVersion });
        } else if (kind === 'DATA_MISMATCH' || kind === 'ORPHANED') {
          await raise(request, difference);
          raised[kind === 'ORPHANED' ? 'orphans' : 'conflicts'] += 1;
        }
      }
      return {
        matching: page.matching,
        held: page.differences.length - found.length,
        differences,
        resync,
        raised,
        cursor: page.cursor,
      };
    },

    /** Writes the report's files, then tells the owner (whose `status` links the report). */
    async finishReconciliation({
      pipeline,
      summary,
    }: {
      pipeline: string;
      summary: ReconciliationSummary;
    }): Promise<ReconciliationSummary> {
      const { html } = await reports.finish(pipeline, summary);
      const finished = { ...summary, report: html };
      // Once a run, here: counting per page would count a retried page twice.
      for (const kind of DIFFERENCE_KINDS)
        reconciliationDifferences(metricMeter, pipeline, kind, summary.differences[kind]);
      await client.workflow
        .getHandle(pipelineWorkflowId(pipeline))
        .signal(reconciliationFinishedSignal, finished);
      return finished;
    },

    /** A person confirmed an orphan: the pipeline retires it in the destination. */
    async retireOrphan({ pipeline, recordId, runId }: { pipeline: string; recordId: string; runId: string }) {
      await reconcilerOf(pipeline).retireOrphan(recordId, { runId });
    },
  };
}
