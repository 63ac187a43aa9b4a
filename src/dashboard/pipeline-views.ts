import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { ActiveAlert } from '../domain/alerts';
import type { ReconciliationSummary } from '../domain/sync';
import {
  OperatorError,
  pipelineOperations,
  type PipelineOperations,
  type PipelineOverview,
} from '../operations';
import { configuredPipelines } from '../pipelines';
import { problemRecords, type ProblemSummary } from '../problem-records';
import { activeAlerts, type AlertBanner } from './active-alerts';
import { failureTexts, topErrors, type ErrorGroup, type FailureText } from './failure-texts';
import { pipelineFigures, runView, type PipelineFigures, type RunView } from './figures';
import { reportUrl } from './reports';

/** Top errors group at most this many open problem records (one visibility page): the page says so. */
export const ERRORS_EXAMINED = 500;
/** Problem records per table page: a screenful. */
const PROBLEMS_PER_PAGE = 20;

/** What a pipeline's card shows at a glance; `unavailable` says why nothing else is there. */
export interface PipelineCard {
  name: string;
  unavailable?: string;
  overview?: PipelineOverview;
  figures?: PipelineFigures;
  openProblems?: number;
}

/** A problem record's row: what visibility lists, its error in words and its workflow in the Temporal UI. */
export type ProblemRow = ProblemSummary & Partial<FailureText> & { workflowUrl: string };

export interface ProblemRows {
  rows: ProblemRow[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

export interface PipelineDetail extends PipelineCard {
  /** The latest runs, newest first, as the owner keeps them. */
  runs: RunView[];
  /** Each run's workflow in the Temporal UI (the current run's too), by run id. */
  runUrls: Record<string, string>;
  topErrors: { groups: ErrorGroup[]; examined: number; more: boolean };
  problems: ProblemRows;
  reconciliation: (ReconciliationSummary & { reportUrl: string | null }) | null;
  alerts: ActiveAlert[];
  alertsUnknown?: string;
}

/** Everything the dashboard shows, read the way the command line reads it (src/operations.ts). */
export function pipelineViews(
  client: Client,
  config: Config,
  { reportsDir, problemsPerPage = PROBLEMS_PER_PAGE }: { reportsDir: string; problemsPerPage?: number },
) {
  const textsOf = failureTexts(problemRecords(client));
  // The Temporal UI the alerts link to as well: TEMPORAL_UI_URL, else the dev server's on this machine.
  const { temporalUi, namespace } = config.alerts.links;
  const workflowUrl = (workflowId: string) =>
    `${temporalUi}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;

  async function overviewOf(ops: PipelineOperations): Promise<PipelineOverview | string> {
    try {
      return await ops.status();
    } catch (error) {
      // The owner workflow is gone: the message says how to recover it.
      if (error instanceof OperatorError) return error.message;
      throw error;
    }
  }

  function cardOf(name: string, overview: PipelineOverview | string): PipelineCard {
    if (typeof overview === 'string') return { name, unavailable: overview };
    const runs = overview.recentRuns ?? (overview.lastRun ? [overview.lastRun] : []);
    return {
      name,
      // The lists go with the detail only: the overview of every pipeline stays small.
      overview: { ...overview, recentRuns: undefined, reconciliations: undefined, deliveries: undefined },
      figures: pipelineFigures(runs),
      openProblems: Object.values(overview.problems).reduce((sum, n) => sum + n, 0),
    };
  }

  async function problemRows(ops: PipelineOperations, pageToken?: string): Promise<ProblemRows> {
    const page = await ops.problems.listPage(ops.pipeline, {}, problemsPerPage, pageToken);
    const texts = await textsOf(ops.pipeline, page.problems);
    return {
      rows: page.problems.map((summary) => ({
        ...summary,
        ...texts.get(summary),
        workflowUrl: workflowUrl(summary.workflowId),
      })),
      nextPageToken: page.nextPageToken,
    };
  }

  return {
    /** Every configured pipeline's card, and the alert banner. */
    async overview(): Promise<{ pipelines: PipelineCard[] } & AlertBanner> {
      const runs = configuredPipelines(config);
      const [cards, banner] = await Promise.all([
        Promise.all(
          runs.map(async ({ name }) =>
            cardOf(name, await overviewOf(pipelineOperations(client, config, name))),
          ),
        ),
        activeAlerts(client),
      ]);
      return { pipelines: cards, ...banner };
    },

    /** One pipeline in full; throws OperatorError for a name not configured. */
    async detail(name: string, pageToken?: string): Promise<PipelineDetail> {
      const ops = pipelineOperations(client, config, name);
      const [overview, banner] = await Promise.all([overviewOf(ops), activeAlerts(client)]);
      const card = cardOf(ops.pipeline, overview);
      const alerts = banner.alerts.filter((alert) => alert.pipeline === ops.pipeline);
      const empty = { groups: [], examined: 0, more: false };
      if (typeof overview === 'string') {
        return {
          ...card,
          runs: [],
          runUrls: {},
          topErrors: empty,
          problems: { rows: [] },
          reconciliation: null,
          alerts,
          alertsUnknown: banner.unknown,
        };
      }
      const [examined, problems] = await Promise.all([
        ops.problems.listPage(ops.pipeline, {}, ERRORS_EXAMINED),
        problemRows(ops, pageToken),
      ]);
      const texts = await textsOf(ops.pipeline, examined.problems);
      const runs = (overview.recentRuns ?? (overview.lastRun ? [overview.lastRun] : [])).map(runView);
      const shownRuns = [overview.currentRun, ...runs].filter((run) => run !== null);
      const latest = overview.reconciliations?.[0];
      return {
        ...card,
        runs,
        runUrls: Object.fromEntries(shownRuns.map((run) => [run.runId, workflowUrl(run.runId)])),
        topErrors: {
          groups: topErrors(examined.problems, texts),
          examined: examined.problems.length,
          more: examined.nextPageToken !== undefined,
        },
        problems,
        reconciliation: latest ? { ...latest, reportUrl: reportUrl(reportsDir, latest.report) } : null,
        alerts,
        alertsUnknown: banner.unknown,
      };
    },

    /** A further page of a pipeline's open problem records. */
    problems: (name: string, pageToken?: string) =>
      problemRows(pipelineOperations(client, config, name), pageToken),
  };
}

export type PipelineViews = ReturnType<typeof pipelineViews>;
