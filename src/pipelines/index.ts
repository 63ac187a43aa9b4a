import { syncSettings, destinationSettings, type Config } from '../config';
import { NetSuiteClient } from '../connectors/netsuite';
import { SalesforceClient } from '../connectors/salesforce';
import type { SyncSettings } from '../domain/sync';
import { createAccountsPipeline } from './accounts';
import type { Pipeline } from './contract';
import { createProductsPipeline } from './products';
import { createVendorPerformancePipeline } from './vendor-performance';

/** How the engine runs a configured pipeline: its schedule and its run settings (no secrets). */
export interface PipelineRun {
  name: string;
  /** What the schedule does, in the Temporal UI. */
  summary: string;
  /** Whether it has a reconciler (its reconciliation schedule and `reconcile` command). */
  reconciles: boolean;
  scheduleId: string;
  intervalMs: number;
  runTimeoutMs: number;
  settings: SyncSettings;
}

/**
 * Clients shared by every pipeline of a worker: one per connection, so that two pipelines using
 * the same NetSuite account share its request limits.
 */
export interface Connections {
  salesforce?: SalesforceClient;
  netsuite?: NetSuiteClient;
}

export interface PipelineDefinition {
  /** The pipeline's run settings; null when its configuration is not there. */
  run(config: Config): PipelineRun | null;
  create(config: Config, connections: Connections): Promise<Pipeline>;
}

const accounts: PipelineDefinition = {
  run: (config) =>
    config.accounts && {
      name: config.pipeline.name,
      summary: `Sync Salesforce accounts to NetSuite customers (pipeline ${config.pipeline.name})`,
      reconciles: true,
      scheduleId: config.pipeline.scheduleId,
      intervalMs: config.pipeline.intervalMs,
      runTimeoutMs: config.pipeline.runTimeoutMs,
      settings: syncSettings(config),
    },
  create: async (config, { salesforce, netsuite }) =>
    createAccountsPipeline({
      salesforce: salesforce!,
      netsuite: netsuite!,
      destination: destinationSettings(config),
      writeBack: config.accounts!.writeBack,
    }),
};

const vendorPerformance: PipelineDefinition = {
  run: (config) =>
    config.vendorPerformance && {
      name: config.vendorPerformance.name,
      summary: `Load vendor performance files into PostgreSQL (pipeline ${config.vendorPerformance.name})`,
      reconciles: true,
      scheduleId: config.vendorPerformance.scheduleId,
      intervalMs: config.vendorPerformance.intervalMs,
      runTimeoutMs: config.vendorPerformance.runTimeoutMs,
      settings: config.vendorPerformance.settings,
    },
  create: (config) => createVendorPerformancePipeline(config.vendorPerformance!),
};

const products: PipelineDefinition = {
  run: (config) =>
    config.products && {
      name: config.products.name,
      summary: `Load supplier product files into Pimcore, then Medusa once published (pipeline ${config.products.name})`,
      // Not yet: the PIM and the storefront are not compared (see the README).
      reconciles: false,
      scheduleId: config.products.scheduleId,
      intervalMs: config.products.intervalMs,
      runTimeoutMs: config.products.runTimeoutMs,
      settings: config.products.settings,
    },
  create: (config) => createProductsPipeline(config.products!),
};

/** Every pipeline record-sync knows. Adding one adds its folder and a line here. */
const definitions: PipelineDefinition[] = [accounts, vendorPerformance, products];

/** The pipelines whose configuration is complete, in registry order. */
export function configuredPipelines(config: Config): PipelineRun[] {
  return definitions.flatMap((definition) => definition.run(config) ?? []);
}

/** The configured pipelines' connectors, for a worker's activities. */
export async function createPipelines(config: Config) {
  const connections: Connections = config.accounts
    ? {
        salesforce: new SalesforceClient(config.accounts.salesforce),
        netsuite: new NetSuiteClient(config.accounts.netsuite),
      }
    : {};
  const pipelines = new Map<string, Pipeline>();
  for (const definition of definitions) {
    const run = definition.run(config);
    if (run) pipelines.set(run.name, await definition.create(config, connections));
  }
  const accountsPipeline = config.accounts
    ? {
        name: config.pipeline.name,
        pipeline: pipelines.get(config.pipeline.name) as ReturnType<typeof createAccountsPipeline>,
      }
    : undefined;
  return {
    pipelines,
    connections,
    accounts: accountsPipeline,
    close: async () => {
      for (const pipeline of pipelines.values()) await pipeline.close?.();
    },
  };
}
