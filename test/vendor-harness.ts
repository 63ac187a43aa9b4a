import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataConverter } from '../src/codec/data-converter';
import { parseConfig, type Config } from '../src/config';
import type { Database } from '../src/connectors/database';
import { innermostMessage } from '../src/domain/failure-text';
import type { RunSummary } from '../src/domain/sync';
import { pipelineOperations } from '../src/operations';
import type { ProblemSummary } from '../src/problem-records';
import type { syncRun } from '../src/workflows/sync-run';
import { demoSecrets } from '../sandbox/settings';
import { eventually, startWorkersIn } from './harness';
import { freshDatabase } from './postgres';

export const SAMPLES = path.resolve(__dirname, '..', 'samples', 'vendor-performance');
export const SAMPLE_FILES = readdirSync(SAMPLES).filter((name) => name.startsWith('vendor-'));

export interface VendorEnvironment {
  client: Client;
  config: Config;
  environment: Record<string, string>;
  /** The drop folder (inbox/, archive/, quarantine/). */
  folder: string;
  /** The test's own database on the real PostgreSQL server. */
  db: Database;
  operations: ReturnType<typeof pipelineOperations>;
  /** Copies sample files (by name) into the inbox. */
  drop(...names: string[]): void;
  startWorkers(): Promise<() => Promise<void>>;
  runSync(): Promise<RunSummary>;
  openProblems(): Promise<ProblemSummary[]>;
  problemsSettled(count: number): Promise<ProblemSummary[]>;
  teardown(): Promise<void>;
}

/**
 * The vendor-file pipeline on a dev server, a folder drop (or the settings given) and a fresh
 * database on the machine's PostgreSQL; its own pipeline name and task queue.
 */
export async function startVendorEnvironment(
  temporal: TestWorkflowEnvironment,
  overrides: Record<string, string> = {},
): Promise<VendorEnvironment> {
  const unique = randomUUID().slice(0, 8);
  const folder = mkdtempSync(path.join(tmpdir(), 'vendor-drop-'));
  const database = await freshDatabase();
  const environment = {
    ...demoSecrets(),
    RECORD_SYNC_CODEC_SERVER_TOKEN: '',
    TEMPORAL_ADDRESS: temporal.address,
    SYNC_TASK_QUEUE: `record-sync-${unique}`,
    SYNC_RETRY_INITIAL_INTERVAL: '50ms',
    SYNC_RETRY_BACKOFF_COEFFICIENT: '2',
    SYNC_RETRY_MAXIMUM_INTERVAL: '500ms',
    SYNC_RETRY_BUDGET: '3s',
    VENDOR_PIPELINE: `vendors-${unique}`,
    VENDOR_FILES_FOLDER: folder,
    VENDOR_FILES_SETTLE: '0s',
    // Several pages per sample file: resuming inside a file is part of every test.
    VENDOR_PAGE_SIZE: '7',
    DATABASE_URL: database.url,
    ...overrides,
  };
  const config = parseConfig(environment);
  const client = new Client({
    connection: temporal.connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(config),
  });
  const pipeline = config.vendorPerformance?.name ?? '';
  const operations = pipelineOperations(client, config, pipeline);
  const stops = new Set<() => Promise<void>>();
  const openProblems = async () => (await operations.problems.listPage(pipeline, {}, 1000)).problems;
  return {
    client,
    config,
    environment,
    folder,
    db: database.db,
    operations,
    drop: (...names) => {
      mkdirSync(path.join(folder, 'inbox'), { recursive: true });
      for (const name of names) cpSync(path.join(SAMPLES, name), path.join(folder, 'inbox', name));
    },
    startWorkers: () => startWorkersIn(temporal, client, config, stops),
    async runSync() {
      try {
        return (await client.workflow.execute<typeof syncRun>('syncRun', {
          workflowId: `${operations.run.scheduleId}-run-${randomUUID()}`,
          taskQueue: config.pipeline.taskQueue,
          args: [{ pipeline }],
        })) as RunSummary;
      } catch (error) {
        // The failure's own words, not "Workflow execution failed".
        throw new Error(`the run failed: ${innermostMessage(error)}`, { cause: error });
      }
    },
    openProblems,
    problemsSettled: (count) =>
      eventually(async () => {
        const listed = await openProblems();
        return listed.length === count ? listed : undefined;
      }),
    async teardown() {
      for (const stop of [...stops]) await stop();
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
