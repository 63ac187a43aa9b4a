import type { NetSuiteClient } from '../../connectors/netsuite';
import type { SalesforceClient } from '../../connectors/salesforce';
import type { Pipeline } from '../contract';
import { createAccountsDestination, destinationReader, type DestinationSettings } from './destination';
import { createAccountsReconciler } from './reconciler';
import { createAccountsSource, type WriteBackFields } from './source';

export interface AccountsConnections {
  salesforce: SalesforceClient;
  netsuite: NetSuiteClient;
  destination: DestinationSettings;
  writeBack: WriteBackFields | null;
}

/**
 * Seeds 000 and 001: Salesforce accounts changed since the checkpoint become NetSuite customers,
 * upserted by external id, guarded by the account's SystemModstamp and the content NetSuite holds.
 */
export function createAccountsPipeline({
  salesforce,
  netsuite,
  destination,
  writeBack,
}: AccountsConnections): Pipeline & {
  source: ReturnType<typeof createAccountsSource>;
} {
  const destinationStates = destinationReader(netsuite);
  const source = createAccountsSource({ salesforce, destinationStates, writeBack });
  const load = createAccountsDestination({ netsuite, settings: destination });
  return {
    source,
    readPage: source.readPage,
    readRecord: (recordId) => source.readRecord(recordId),
    loadRecord: load.loadRecord,
    checkEdit: load.checkEdit,
    verifyWrites: load.verifyWrites,
    writeBackStatuses: source.writeBackStatuses,
    reconciler: createAccountsReconciler({ salesforce, netsuite, source, destinationStates }),
  };
}
