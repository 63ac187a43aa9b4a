import type { Client } from '@temporalio/client';
import type { SyncSettings } from '../domain/sync';
import type { createAccountsPipeline } from '../pipelines/accounts';
import { problemRecords } from '../problem-records';
import { createLegacyActivities } from './legacy';
import { createPipelineActivities } from './pipeline';
import { createProblemActivities } from './problems';
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
}

/** Every activity of the engine's task queue, built from its dependencies. */
export function createActivities({ client, pipelines, runSettings, accounts }: ActivityDependencies) {
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
  };
}

export type EngineActivities = ReturnType<typeof createActivities>;
