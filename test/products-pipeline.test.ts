import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataConverter } from '../src/codec/data-converter';
import { parseConfig, type Config } from '../src/config';
import type { RunSummary } from '../src/domain/sync';
import { pipelineHealth } from '../src/monitoring/health';
import { pipelineOperations } from '../src/operations';
import { createPipelines } from '../src/pipelines';
import { startWebhookServer } from '../src/webhooks/server';
import { createWorkers } from '../src/workers';
import type { syncRun } from '../src/workflows/sync-run';
import { eventually, startTemporal, workflowBundle } from './harness';
import { startProductSandboxes, type ProductSandboxes } from './products-sandboxes';
import { startWorkerProcess } from './worker-process';

const SAMPLE = path.resolve(__dirname, '..', 'samples', 'products', 'shein_products_2026-11.json');
const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as {
  info: unknown;
  products: { goods_sn?: string }[];
};
/** Sample products by their number in the file (samples/products/README.md lists the bad ones). */
const productsNumbered = (...numbers: number[]) => numbers.map((n) => sample.products[n - 1]);
const skuOf = (n: number) => String(sample.products[n - 1].goods_sn);

/**
 * Seed 002's product ingestion end to end, on a dev server: supplier file → canonical product →
 * Pimcore (unpublished) → the PIM publishes it, its signed webhook reaches record-sync's endpoint →
 * the product goes live in Medusa. Each product's workflow spans both stages; 0 lost, 0 doubled.
 */
describe('the products pipeline (Pimcore, then Medusa once published)', () => {
  let temporal: TestWorkflowEnvironment;
  let sandboxes: ProductSandboxes;
  let folder: string;
  let config: Config;
  /** The environment the configuration was parsed from (for a worker process). */
  let environment: Record<string, string>;
  let client: Client;
  let pipeline: string;
  let operations: ReturnType<typeof pipelineOperations>;
  let stopWorkers: (() => Promise<void>) | undefined;
  let closeWebhooks: () => Promise<void>;
  let files = 0;

  /** A supplier file of these sample products, dropped into the inbox. */
  const drop = (...numbers: number[]) => {
    files += 1;
    const name = `shein_products_test-${files}.json`;
    writeFileSync(
      path.join(folder, 'inbox', name),
      JSON.stringify({ info: sample.info, products: productsNumbered(...numbers) }),
    );
  };
  const runSync = () =>
    client.workflow.execute<typeof syncRun>('syncRun', {
      workflowId: `sync-${pipeline}-run-${randomUUID()}`,
      taskQueue: config.pipeline.taskQueue,
      args: [{ pipeline }],
    }) as Promise<RunSummary>;
  /** Record workflows of this pipeline showing a stage (PIM_UPSERTED, PUBLISHED, LIVE). */
  const inStage = async (stage: string) =>
    (
      await client.workflow.count(
        `WorkflowType = "syncRecordVersion" AND RecordSyncPipeline = "${pipeline}" AND RecordSyncOutcome = "${stage}"`,
      )
    ).count;
  const liveHandles = () => sandboxes.shop.products().map((p) => p.handle);

  const startWorkers = async () => {
    const { workers, close } = await createWorkers(config, {
      connection: temporal.nativeConnection,
      client,
      workflowBundle: await workflowBundle(),
    });
    const done = Promise.all(workers.map((worker) => worker.run()));
    stopWorkers = async () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await close();
      stopWorkers = undefined;
    };
  };

  before(async () => {
    temporal = await startTemporal();
    sandboxes = await startProductSandboxes();
    folder = mkdtempSync(path.join(tmpdir(), 'product-drop-'));
    mkdirSync(path.join(folder, 'inbox'));
    const unique = randomUUID().slice(0, 8);
    environment = sandboxes.environment(folder, {
      TEMPORAL_ADDRESS: temporal.address,
      PRODUCTS_PIPELINE: `products-${unique}`,
      SYNC_TASK_QUEUE: `record-sync-${unique}`,
      PRODUCT_PUBLISH_REMINDER: '1s',
      PRODUCT_PUBLISH_DEADLINE: '12s',
      RECORD_SYNC_WEBHOOK_ADDRESS: 'off',
      RECORD_SYNC_CODEC_SERVER_TOKEN: '',
      RECORD_SYNC_METRICS_ADDRESS: 'off',
    });
    config = parseConfig(environment);
    pipeline = config.products!.name;
    client = new Client({
      connection: temporal.connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverter(config),
    });
    operations = pipelineOperations(client, config, pipeline);
    await startWorkers();
    // record-sync's endpoint, as the worker serves it; the PIM's webhooks go there.
    const { pipelines, close } = await createPipelines(config);
    const webhooks = await startWebhookServer({
      client,
      pipelines,
      host: '127.0.0.1',
      port: 0,
      logger: { info: () => undefined, warn: () => undefined },
    });
    closeWebhooks = async () => {
      await webhooks.close();
      await close();
    };
    sandboxes.pim.configure({ webhookUrl: `${webhooks.url}/webhooks/${pipeline}` });
    await operations.create();
  });
  after(async () => {
    await stopWorkers?.();
    await closeWebhooks?.();
    await sandboxes?.close();
    await temporal?.teardown();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('loads good products into the PIM and holds the bad ones; published products go live once', async () => {
    // Products 17 (no price) and 76 (an unmapped category) are bad: the rest of the file loads.
    drop(1, 2, 3, 4, 17, 76);
    const summary = await runSync();
    assert.equal(summary.counts.read, 6);
    assert.equal(summary.counts.synced, 4, 'the run counts a product done once it is in the PIM');
    assert.equal(summary.counts.validationFailed, 2);
    const problems = await eventually(async () => {
      const listed = (await operations.problems.listPage(pipeline, {}, 100)).problems;
      return listed.length === 2 ? listed : undefined;
    });
    const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
    assert.ok(byField['salePrice'], JSON.stringify(problems));
    assert.ok(byField['cat_name'], JSON.stringify(problems));
    const unmapped = await operations.problems.show(pipeline, byField['cat_name'].recordId);
    assert.match(unmapped!.failure.error, /Pet Supplies/);

    // In the PIM, not yet published; nothing in the storefront.
    assert.equal(sandboxes.pim.products().filter((p) => p.type !== 'variant').length, 4);
    assert.deepEqual(liveHandles(), []);
    await eventually(async () => ((await inStage('PIM_UPSERTED')) === 4 ? true : undefined));

    sandboxes.pim.publish([1, 2, 3, 4].map(skuOf));
    await eventually(async () => ((await inStage('LIVE')) === 4 ? true : undefined));
    assert.equal(sandboxes.shop.products().length, 4);
    assert.equal(sandboxes.shop.stats.productsCreated, 4);
    // `status --pipeline products` shows each stage's count.
    assert.deepEqual((await operations.status()).stages, { PIM_UPSERTED: 0, PUBLISHED: 0, LIVE: 4 });

    // The same file is not read again: nothing doubles.
    const again = await runSync();
    assert.equal(again.counts.read, 0);
    assert.equal(sandboxes.shop.products().length, 4);
  });

  it('a webhook delivered twice makes one storefront product, written once', async () => {
    sandboxes.pim.setFaults({ webhookDuplicates: true });
    try {
      drop(5);
      await runSync();
      const created = sandboxes.shop.stats.productsCreated;
      sandboxes.pim.publish(skuOf(5));
      await eventually(async () => ((await inStage('LIVE')) === 5 ? true : undefined));
      await sandboxes.pim.webhooksSettled();
      const sent = sandboxes.pim.webhooks().filter((w) => w.sku === skuOf(5));
      assert.deepEqual(
        sent.map((w) => w.deliveries),
        [2],
        'the PIM delivered the webhook twice',
      );
      assert.equal(sandboxes.shop.stats.productsCreated, created + 1);
      assert.equal(sandboxes.shop.products().length, 5);
      // The second delivery reached the product's workflow after it was live: one storefront stage.
      const stage2 = await client.workflow.count(
        `WorkflowType = "syncRecordVersion" AND RecordSyncPipeline = "${pipeline}" AND RecordSyncRecordId = "shein/${skuOf(5)}"`,
      );
      assert.equal(stage2.count, 1);
    } finally {
      sandboxes.pim.setFaults({ webhookDuplicates: false });
    }
  });

  it('a storefront that commits then drops the response still has one product', async () => {
    drop(6);
    await runSync();
    sandboxes.shop.setFaults({ dropAfterCommit: 1 });
    sandboxes.pim.publish(skuOf(6));
    await eventually(async () => ((await inStage('LIVE')) === 6 ? true : undefined));
    const handles = liveHandles();
    assert.equal(handles.length, 6);
    assert.equal(new Set(handles).size, 6, 'a second product with the same handle');
  });

  it('a worker killed between the stages: the product goes live when one runs again', async () => {
    // The product's first stage runs in a worker process of its own, killed once it is done.
    await stopWorkers!();
    const worker = startWorkerProcess(environment);
    drop(7);
    try {
      await runSync();
      await eventually(async () => ((await inStage('PIM_UPSERTED')) === 1 ? true : undefined));
    } finally {
      await worker.kill();
    }
    // Published while no worker runs: the webhook's signal waits in the product's workflow.
    sandboxes.pim.publish(skuOf(7));
    await sandboxes.pim.webhooksSettled();
    assert.equal(sandboxes.shop.products().length, 6);
    await startWorkers();
    await eventually(async () => ((await inStage('LIVE')) === 7 ? true : undefined));
    assert.equal(sandboxes.shop.products().length, 7);
  });

  it('a lost webhook: a reminder, then at the deadline a problem record; its replay goes live', async () => {
    sandboxes.pim.setFaults({ webhookLost: 1 });
    drop(8);
    await runSync();
    sandboxes.pim.publish(skuOf(8));
    await sandboxes.pim.webhooksSettled();
    // After PRODUCT_PUBLISH_REMINDER the alert watch's health check counts it overdue.
    await eventually(async () => {
      const [health] = (await pipelineHealth(client, config, new Date())).filter(
        (h) => h.pipeline === pipeline,
      );
      return health.awaiting?.overdue === 1 ? true : undefined;
    });
    const recordId = `shein/${skuOf(8)}`;
    const held = await eventually(async () => {
      const problem = await operations.problems.show(pipeline, recordId);
      return problem?.status === 'DEAD_LETTER' ? problem : undefined;
    }, 30_000);
    assert.equal(held.failure.kind, 'event-timeout');
    assert.equal(sandboxes.shop.products().length, 7);

    const replay = await operations.problems.replay(pipeline, recordId, {});
    assert.ok(replay.done && replay.answer.outcome === 'SYNCED', JSON.stringify(replay));
    assert.equal(sandboxes.shop.products().length, 8);
  });

  it('a PIM outage stops the run and pauses the pipeline instead of holding each product', async () => {
    sandboxes.pim.setFaults({ down: '503' });
    drop(9, 10, 11);
    try {
      await assert.rejects(runSync());
    } finally {
      sandboxes.pim.setFaults({ down: false });
    }
    const status = await operations.status();
    assert.ok(status.paused, 'the pipeline is paused');
    assert.equal(
      (await operations.problems.listPage(pipeline, {}, 100)).problems.length,
      2,
      'no problem record for the products the outage held back',
    );
    const summary = await runSync();
    // A product whose workflow was still retrying when the PIM came back went on by itself (its
    // run had stopped): this run finds it under way. Each product once, either way.
    assert.equal(summary.counts.synced + summary.counts.alreadyProcessed, 3);
    sandboxes.pim.publish([9, 10, 11].map(skuOf));
    await eventually(async () => ((await inStage('LIVE')) === 11 ? true : undefined));
    assert.equal(sandboxes.shop.products().length, 11);
    assert.equal(sandboxes.pim.products().filter((p) => p.type !== 'variant').length, 11);
  });

  it('a newer version while the older one waits: the older ends SKIPPED, the newer goes live', async () => {
    drop(12);
    await runSync();
    const recordId = `shein/${skuOf(12)}`;
    const versionsOf = (outcome: string) =>
      client.workflow
        .count(
          `WorkflowType = "syncRecordVersion" AND RecordSyncRecordId = "${recordId}" AND RecordSyncOutcome = "${outcome}"`,
        )
        .then((counted) => counted.count);
    await eventually(async () => ((await versionsOf('PIM_UPSERTED')) === 1 ? true : undefined));
    // The supplier sends the product again, renamed, in a later file.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [product] = productsNumbered(12);
    files += 1;
    writeFileSync(
      path.join(folder, 'inbox', `shein_products_test-${files}.json`),
      JSON.stringify({
        info: sample.info,
        products: [{ ...product, goods_name: 'Renamed By The Supplier' }],
      }),
    );
    await runSync();
    await eventually(async () => ((await versionsOf('SKIPPED')) === 1 ? true : undefined));
    sandboxes.pim.publish(skuOf(12));
    await eventually(async () => ((await versionsOf('LIVE')) === 1 ? true : undefined));
    const live = sandboxes.shop.products().filter((p) => p.title === 'Renamed By The Supplier');
    assert.equal(live.length, 1);
    assert.equal(sandboxes.shop.products().length, 12);
  });
});
