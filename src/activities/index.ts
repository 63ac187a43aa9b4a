import type { Client } from '@temporalio/client';
import type { NetSuiteClient } from '../connectors/netsuite';
import type { SalesforceClient } from '../connectors/salesforce';
import type { SyncSettings } from '../domain/sync';
import { problemRecords } from '../problem-records';
import { createDestinationActivities } from './destination';
import { createPipelineActivities } from './pipeline';
import { createProblemActivities } from './problems';
import { createSourceActivities } from './source';

export interface ActivityDependencies {
  client: Client;
  salesforce: SalesforceClient;
  netsuite: NetSuiteClient;
  settings: SyncSettings;
  scheduleId: string;
}

/** Every activity of the pipeline's task queue, built from its dependencies. */
export function createActivities({
  client,
  salesforce,
  netsuite,
  settings,
  scheduleId,
}: ActivityDependencies) {
  const problems = problemRecords(client);
  return {
    ...createSourceActivities({
      salesforce,
      openProblems: (pipeline, ids) => problems.openAmong(pipeline, ids),
    }),
    ...createDestinationActivities({ netsuite }),
    ...createPipelineActivities({ client, settings, scheduleId }),
    ...createProblemActivities({ problems }),
  };
}

export type EngineActivities = ReturnType<typeof createActivities>;
