import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startNetSuiteSandbox, type NetSuiteSandbox } from '../sandbox/netsuite';
import { sandboxSettings } from '../sandbox/settings';
import { startSalesforceSandbox, type SalesforceSandbox } from '../sandbox/salesforce';
import { freePort, startDevServer } from '../scripts/dev-server';
import { findTemporalCli } from '../scripts/temporal-cli';
import { parseConfig } from '../src/config';
import { connectClient } from '../src/temporal';
import { searchAttributes } from '../src/workflows/search-attributes';
import { childProcesses } from './processes';

export interface BenchEnvironment {
  client: Client;
  salesforce: SalesforceSandbox;
  netsuite: NetSuiteSandbox;
  netsuitePort: number;
  /** The Temporal dev server's process, for its CPU time. */
  serverPid: number;
  /** A scratch directory: the server's SQLite file, and the worker's working directory. */
  workDir: string;
  /** Points a configuration at this server and these sandboxes (and only at them). */
  environment: Record<string, string>;
  teardown(): Promise<void>;
}

/** The provisioned CLI like `npm start` uses it, or else the one the Temporal SDK downloads. */
export async function startBenchServer(dataDir: string, port: number, uiPort: number) {
  const cli = findTemporalCli();
  if ('path' in cli) return startDevServer({ cliPath: cli.path, dataDir, port, uiPort });
  const local = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port,
      ui: false,
      dbFilename: path.join(dataDir, 'temporal.sqlite'),
      searchAttributes,
    },
  });
  return { address: local.address, stop: () => local.teardown() };
}

/**
 * A dev server as `npm start` runs it (SQLite file, so persistence costs what it costs there) and
 * both sandboxes in this process, seeded with `records` accounts that all changed since no checkpoint.
 */
export async function startBenchEnvironment(records: number): Promise<BenchEnvironment> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'record-sync-bench-'));
  // Each port is free when asked for but released at once: the kernel may hand out one twice.
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [port, uiPort, salesforcePort, netsuitePort] = [...ports];
  const server = await startBenchServer(workDir, port, uiPort);
  // The CLI the SDK downloads is named temporal-cli-<version>: match either.
  const [serverPid] = childProcesses(process.pid, 'temporal');
  const salesforce = await startSalesforceSandbox({ port: salesforcePort, seedCount: records });
  const netsuite = await startNetSuiteSandbox({ port: netsuitePort });
  // The sandboxes' settings, as a real account's would be given (without the codec server token).
  const environment = {
    TEMPORAL_ADDRESS: server.address,
    ...sandboxSettings({ salesforce: salesforce.url, netsuite: netsuite.url }),
    RECORD_SYNC_CODEC_SERVER_TOKEN: '',
  };
  // The product's own client, so it reads payloads the way the workers write them.
  const client = await connectClient(parseConfig(environment));
  return {
    client,
    salesforce,
    netsuite,
    netsuitePort,
    serverPid,
    workDir,
    environment,
    async teardown() {
      await client.connection.close();
      await salesforce.close();
      await netsuite.close();
      await server.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A pipeline of its own for one measurement: its name, task queues and NetSuite limit. */
export function measuredPipeline(
  bench: BenchEnvironment,
  settings: { concurrency: number; window?: number },
  extra: Record<string, string> = {},
) {
  const unique = randomUUID().slice(0, 8);
  const pipeline = `bench-${unique}`;
  const environment = {
    ...bench.environment,
    SYNC_PIPELINE: pipeline,
    SYNC_TASK_QUEUE: `record-sync-${unique}`,
    NETSUITE_TASK_QUEUE: `record-sync-netsuite-${unique}`,
    NETSUITE_MAX_CONCURRENT_REQUESTS: String(settings.concurrency),
    ...(settings.window ? { SYNC_WINDOW_SIZE: String(settings.window) } : {}),
    ...extra,
  };
  return { pipeline, environment };
}
