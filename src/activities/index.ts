import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { SyncSettings } from '../domain/sync';
import type { createAccountsPipeline } from '../pipelines/accounts';
import { problemRecords } from '../problem-records';
import { alertActivities } from './alerts';
import { createLegacyActivities } from './legacy';
import { createPipelineActivities } from './pipeline';
import { createProblemActivities } from './problems';
import { createReconciliationActivities } from './reconciliation';
import { reconciliationReports } from '../reconciliation/report';
import { createRecordPathActivities, type PipelineRegistry } from './record-path';

/** How the engine runs one pipeline: its run settings and its schedule. */
export interface PipelineRunSettings {
  settings: SyncSettings;
  scheduleId: string;
}

export interface ActivityDependencies {
  client: Client;
  pipelines: PipelineRegistry;
  runSettings: ReadonlyMap<string, PipelineRunSettings>;
  /** The accounts pipeline, which workflows begun before pipelines call without naming it. */
  accounts?: { name: string; pipeline: ReturnType<typeof createAccountsPipeline> };
  /** Where reconciliation reports go, how many are kept, whether differences are repaired. */
  reconciliation: { reportsDir: string; reportsKept: number; repair: boolean };
  /** For the alert watch's check: every pipeline's settings, the alert channels and thresholds. */
  config: Config;
}

/** Every activity of the engine's task queue, built from its dependencies. */
export function createActivities({
  client,
  pipelines,
  runSettings,
  accounts,
  reconciliation,
  config,
}: ActivityDependencies) {
  const problems = problemRecords(client);
  return {
    ...createRecordPathActivities({
      pipelines,
      openProblems: (pipeline, ids) => problems.openAmong(pipeline, ids),
      legacyPipeline: accounts?.name ?? '',
    }),
    ...createLegacyActivities(accounts?.pipeline),
    ...createPipelineActivities({ client, runSettings }),
    ...createProblemActivities({ problems }),
    ...createReconciliationActivities({
      client,
      pipelines,
      runSettings,
      problems,
      reports: reconciliationReports(reconciliation.reportsDir, reconciliation.reportsKept),
      repair: reconciliation.repair,
    }),
    ...alertActivities(client, config),
  };
}

export type EngineActivities = ReturnType<typeof createActivities>;
