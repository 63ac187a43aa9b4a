import type { Client } from '@temporalio/client';
import type { NetSuiteClient } from '../connectors/netsuite';
import type { SalesforceClient } from '../connectors/salesforce';
import type { SyncSettings } from '../domain/sync';
import { problemRecords } from '../problem-records';
import { createDestinationActivities, destinationReader, type DestinationSettings } from './destination';
import { createPipelineActivities } from './pipeline';
import { createProblemActivities } from './problems';
import { createSourceActivities, type WriteBackFields } from './source';

export interface ActivityDependencies {
  client: Client;
  salesforce: SalesforceClient;
  netsuite: NetSuiteClient;
  settings: SyncSettings;
  destination: DestinationSettings;
  writeBack: WriteBackFields | null;
  scheduleId: string;
}

/** Every activity of the pipeline's task queue, built from its dependencies. */
export function createActivities({
  client,
  salesforce,
  netsuite,
  settings,
  destination,
  writeBack,
  scheduleId,
}: ActivityDependencies) {
  const problems = problemRecords(client);
  return {
    ...createSourceActivities({
      salesforce,
      openProblems: (pipeline, ids) => problems.openAmong(pipeline, ids),
      destinationStates: destinationReader(netsuite),
      writeBack,
    }),
    ...createDestinationActivities({ netsuite, settings: destination }),
    ...createPipelineActivities({ client, settings, scheduleId }),
    ...createProblemActivities({ problems }),
  };
}

export type EngineActivities = ReturnType<typeof createActivities>;
