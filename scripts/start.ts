import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeChannels, ensureAlertWatch } from '../src/alerts/watch';
import { configuredCodecServerOptions, startCodecServer } from '../src/codec/http-server';
import { ALERT_WATCH_WORKFLOW_ID } from '../src/domain/alerts';
import { ConfigError, loadConfig, loadEnvFile, standInsFile, type Config } from '../src/config';
import { startDashboard } from '../src/dashboard/server';
import { createLogger, installTemporalLogging } from '../src/logger';
import { OperatorError, pipelineOperations } from '../src/operations';
import { configuredPipelines } from '../src/pipelines';
import { ensureReconciliationSchedule, ensureSchedule, triggerSync } from '../src/schedule';
import { connectClient, connectWorker } from '../src/temporal';
import { startPipelineWebhooks } from '../src/webhooks/server';
import { createWorkers } from '../src/workers';
import { searchAttributes } from '../src/workflows/search-attributes';
import { SANDBOX_PORTS } from '../sandbox/credentials';
import { startMedusaSandbox } from '../sandbox/medusa';
import { startNetSuiteSandbox } from '../sandbox/netsuite';
import { startPimcoreSandbox } from '../sandbox/pimcore';
import { sampleStoreCategories } from '../sandbox/store-categories';
import { startSalesforceSandbox } from '../sandbox/salesforce';
import { sandboxSettings } from '../sandbox/settings';
import { startDevServer } from './dev-server';
import { findTemporalCli } from './temporal-cli';

const TEMPORAL_PORT = 7233;
type Stop = () => Promise<void>;

/** A Temporal server: the one configured, else a dev server this process starts and owns. */
async function temporalServer(
  config: Config,
  stops: Stop[],
  uiCodecEndpoint: string | undefined,
): Promise<{ address: string; ui: string }> {
  // The UI fetches decrypted payloads from the codec server, the token in the endpoint's path.
  const extraArgs = uiCodecEndpoint ? ['--ui-codec-endpoint', uiCodecEndpoint] : [];
  if (config.temporal.address) return { address: config.temporal.address, ui: 'the UI of your cluster' };
  const cli = findTemporalCli();
  const dataDir = config.temporal.dataDir;
  if (cli.source === 'download') {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: TEMPORAL_PORT,
        ui: true,
        uiPort: config.temporal.uiPort,
        dbFilename: path.join(dataDir, 'temporal.sqlite'),
        searchAttributes,
        extraArgs,
      },
    });
    stops.push(() => env.teardown());
    return { address: env.address, ui: `http://localhost:${config.temporal.uiPort}` };
  }
  const server = await startDevServer({
    cliPath: cli.path,
    dataDir,
    port: TEMPORAL_PORT,
    uiPort: config.temporal.uiPort,
    extraArgs,
  });
  stops.push(() => server.stop());
  return { address: server.address, ui: server.uiUrl };
}

/** The codec server, so the UI can show decrypted payloads; with real accounts only if a token is set. */
async function codecServerFor(
  config: Config,
  stops: Stop[],
  logger: ReturnType<typeof createLogger>,
): Promise<{ uiEndpoint?: string; line: string }> {
  if (!config.codecServer.token) {
    return { line: 'not started: set RECORD_SYNC_CODEC_SERVER_TOKEN to see decrypted payloads in the UI' };
  }
  const server = await startCodecServer({
    ...configuredCodecServerOptions(config),
    onError: (error) => logger.error({ err: error }, 'codec server request failed'),
  });
  stops.push(() => server.close());
  const wired = config.temporal.address ? 'set it in your UI' : 'the UI uses it';
  // The token is a secret: the table shows where it goes, not what it is.
  return {
    uiEndpoint: `${server.url}/${config.codecServer.token}`,
    line: `${server.url}/<RECORD_SYNC_CODEC_SERVER_TOKEN>  (${wired})`,
  };
}

/** Settings that say a real account, bucket or key is configured: then no sandbox stands in. */
const CONFIGURED_BY_USER =
  /^(SALESFORCE_|NETSUITE_|VENDOR_FILES_|PRODUCT_FILES_|PIMCORE_|MEDUSA_|RECORD_SYNC_ENCRYPTION_KEYS$|DATABASE_URL$)/;
const SAMPLE_VENDOR_FILES = path.resolve(__dirname, '..', 'samples', 'vendor-performance');
const SAMPLE_PRODUCT_FILES = path.resolve(__dirname, '..', 'samples', 'products');
/** The PIM sandbox publishes what record-sync upserts after this long, as a person would. */
const SANDBOX_PUBLISH_AFTER_MS = 20_000;

/** Copies the sample files into a drop's inbox the first time (its folder did not exist). */
function dropSamples(folder: string, samples: string, names: (name: string) => boolean): boolean {
  if (existsSync(folder)) return false;
  mkdirSync(path.join(folder, 'inbox'), { recursive: true });
  for (const file of readdirSync(samples).filter(names)) {
    copyFileSync(path.join(samples, file), path.join(folder, 'inbox', file));
  }
  return true;
}

/**
 * With nothing configured, the sandboxes stand in for Salesforce and NetSuite, and the vendor
 * files pipeline reads `inbox/`, where the sample files are dropped the first time. The product
 * gets all of it as settings, as it would a real account's.
 */
async function standInsFor(nothingConfigured: boolean, stops: Stop[]): Promise<string[]> {
  if (!nothingConfigured) {
    rmSync(standInsFile(), { force: true });
    return [];
  }
  const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
  const salesforce = await startSalesforceSandbox({ host, port: SANDBOX_PORTS.salesforce });
  stops.push(() => salesforce.close());
  const netsuite = await startNetSuiteSandbox({ host, port: SANDBOX_PORTS.netsuite });
  stops.push(() => netsuite.close());
  const medusa = await startMedusaSandbox({
    host,
    port: SANDBOX_PORTS.medusa,
    categories: sampleStoreCategories(),
  });
  stops.push(() => medusa.close());
  const webhooks = process.env.RECORD_SYNC_WEBHOOK_ADDRESS ?? '127.0.0.1:8090';
  const pimcore = await startPimcoreSandbox({
    host,
    port: SANDBOX_PORTS.pimcore,
    webhookUrl: `http://${webhooks}/webhooks/products`,
    autoPublishAfterMs: SANDBOX_PUBLISH_AFTER_MS,
  });
  stops.push(() => pimcore.close());
  const folder = path.resolve('vendor-drop');
  const productFolder = path.resolve('product-drop');
  const settings = {
    ...sandboxSettings({
      salesforce: salesforce.url,
      netsuite: netsuite.url,
      medusa: medusa.url,
      pimcore: pimcore.url,
    }),
    VENDOR_FILES_FOLDER: folder,
    PRODUCT_FILES_FOLDER: productFolder,
    STORE_CURRENCY: 'EUR',
  };
  Object.assign(process.env, settings);
  mkdirSync(path.dirname(standInsFile()), { recursive: true });
  writeFileSync(
    standInsFile(),
    `# Written by npm start for the stand-ins it runs; .env and the environment win.\n${Object.entries(
      settings,
    )
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join('\n')}\n`,
  );
  const firstTime = dropSamples(folder, SAMPLE_VENDOR_FILES, (name) => name.startsWith('vendor-'));
  const firstProducts = dropSamples(productFolder, SAMPLE_PRODUCT_FILES, (name) =>
    /\.(json|csv)$/.test(name),
  );
  return [
    `Salesforce sandbox  ${salesforce.url}  (nothing configured: the sandboxes stand in)`,
    `NetSuite sandbox    ${netsuite.url}/services/rest`,
    `Vendor files        ${folder}/inbox${firstTime ? ' (the three sample files dropped)' : ''}; database embedded`,
    `Pimcore sandbox     ${pimcore.url} (publishes each product ${SANDBOX_PUBLISH_AFTER_MS / 1000} s after its upsert)`,
    `Medusa sandbox      ${medusa.url}  (npx record-sync status --pipeline products)`,
    `Product files       ${productFolder}/inbox${firstProducts ? ' (the two sample supplier files dropped)' : ''}`,
  ];
}

async function main(): Promise<void> {
  loadEnvFile();
  const nothingConfigured = !Object.keys(process.env).some((name) => CONFIGURED_BY_USER.test(name));
  const stops: Stop[] = [];
  const lines = await standInsFor(nothingConfigured, stops);
  let config = loadConfig();
  const logger = createLogger(config);
  installTemporalLogging(logger);
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => logger.error(error.message));
  };
  try {
    const codecServer = await codecServerFor(config, stops, logger);
    const server = await temporalServer(config, stops, codecServer.uiEndpoint);
    process.env.TEMPORAL_ADDRESS = server.address;
    config = loadConfig();

    const connection = await connectWorker(config);
    stops.push(() => connection.close());
    const client = await connectClient(config);
    stops.push(() => client.connection.close());
    const { workers, pipelines, close } = await createWorkers(config, { connection, client });
    stops.push(close);
    const webhooks = await startPipelineWebhooks(config.webhooks, { client, pipelines, logger });
    if (webhooks) stops.push(() => webhooks.close());
    const running = Promise.all(workers.map((worker) => worker.run()));

    const pipelineLines: string[] = [];
    for (const run of configuredPipelines(config)) {
      // Refuses (and says how to recover) if the workflow holding the checkpoint has ended.
      const owner = await pipelineOperations(client, config, run.name).create();
      const schedule = await ensureSchedule(client, run);
      if (run.reconciles) await ensureReconciliationSchedule(client, run, config.reconciliation);
      await triggerSync(client, run.scheduleId);
      pipelineLines.push(
        `Pipeline            ${run.name} (owner ${owner}); schedule ${run.scheduleId} ${schedule}: ` +
          `every ${run.intervalMs / 1000} s, first sync triggered`,
        `                    npx record-sync status --pipeline ${run.name}`,
      );
    }
    // After the owners: a pipeline without one is itself an alert.
    const alertWatch = await ensureAlertWatch(client, config);
    pipelineLines.push(
      `Alerts              watch ${ALERT_WATCH_WORKFLOW_ID} ${alertWatch}; channels: ${describeChannels(config)}`,
    );
    const dashboard = await startDashboard({
      client,
      config,
      onError: (error) => logger.error({ err: error }, 'dashboard request failed'),
    });
    stops.push(() => dashboard.close());
    lines.unshift(
      `Temporal            ${server.address} (namespace ${config.temporal.namespace})`,
      `Temporal UI         ${server.ui}`,
      `Dashboard           ${dashboard.url}`,
      ...(webhooks ? [`Webhooks            ${webhooks.url}/webhooks/<pipeline>`] : []),
      `Codec server        ${codecServer.line}`,
      `Worker              task queues ${config.pipeline.taskQueue}, ${config.pipeline.destinationTaskQueue}`,
      ...pipelineLines,
    );
    console.log(`\nrecord-sync is running. Ctrl-C stops everything it started.\n\n${lines.join('\n')}\n`);
    // The SDK stops the workers on SIGINT/SIGTERM; then everything else is stopped in reverse order.
    await running;
  } finally {
    await stopAll();
  }
}

main().catch((error) => {
  const known = error instanceof ConfigError || error instanceof OperatorError;
  console.error(known ? error.message : `record-sync: ${(error as Error).stack}`);
  process.exit(1);
});
