import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { parseConfig } from '../src/config';
import { createFileDrop, UnreadableFile } from '../src/connectors/file-drop';
import { INVALID_RECORD } from '../src/domain/failures';
import type { SourceRecord } from '../src/domain/sync';
import type { LoadResult, Pipeline } from '../src/pipelines/contract';
import { createProductsPipeline } from '../src/pipelines/products';
import type { ProductRecord } from '../src/pipelines/products/record';
import { PAGE_PRODUCT_BYTES } from '../src/pipelines/products/source';
import { recordWorkflowId } from '../src/workflows/ids';
import { startProductSandboxes, type ProductSandboxes } from './products-sandboxes';

const SAMPLES = path.resolve(__dirname, '..', 'samples', 'products');
const sample = JSON.parse(readFileSync(path.join(SAMPLES, 'shein_products_2026-11.json'), 'utf8')) as {
  products: Record<string, unknown>[];
};

let sandboxes: ProductSandboxes;
let folder: string;
before(async () => {
  sandboxes = await startProductSandboxes();
});
after(() => sandboxes.close());
beforeEach(async () => {
  sandboxes.reset();
  folder = await mkdtemp(path.join(tmpdir(), 'product-drop-'));
  await mkdir(path.join(folder, 'inbox'));
});

async function pipelineFor(extra: Record<string, string> = {}): Promise<Pipeline> {
  const config = parseConfig(sandboxes.environment(folder, extra));
  assert.ok(config.products);
  return createProductsPipeline(config.products);
}

/** Every page of the inbox's first file, as runs read them. */
async function readFile(pipeline: Pipeline) {
  const records: SourceRecord[] = [];
  let cursor: string | null = null;
  let delivery: unknown;
  let pages = 0;
  do {
    const page = await pipeline.readPage({ since: null, cursor, lookbackMs: 0 });
    records.push(...page.records);
    cursor = page.cursor === 'next-file' ? null : page.cursor;
    delivery = page.delivery ?? delivery;
    pages++;
    assert.ok(Buffer.byteLength(JSON.stringify(page)) < 256 * 1024, 'a page stays under 256 KB');
  } while (cursor);
  return { records, delivery, pages };
}

const workflowOf = (record: SourceRecord) => recordWorkflowId('products', record.recordId, record.version);

async function load(pipeline: Pipeline, record: SourceRecord): Promise<LoadResult | ApplicationFailure> {
  try {
    return await pipeline.loadRecord({ ...record, workflowId: workflowOf(record) });
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
}

describe('products: JSON elements from the file drop', () => {
  it('reads whole elements in pages bounded by count and bytes, and marks one too large', async () => {
    const drop = createFileDrop({ kind: 'folder', path: folder, settleMs: 0 });
    const big = JSON.stringify({ sku: 'BIG', text: 'x'.repeat(3_000) });
    const text = `{"info": {"n": 4}, "products": [{"sku": "A", "nested": {"list": [1, 2.5, "3"]}}, ${big}, "loose", {"sku": "D", "price": 12345678901234567.89}]}`;
    await writeFile(path.join(folder, 'inbox', 'a.json'), text);
    const first = await drop.readElements('inbox/a.json', { fromElement: 0, count: 1, maxBytes: 2_000 });
    assert.deepEqual(
      first.elements.map((e) => e.value),
      [{ sku: 'A', nested: { list: [1, 2.5, '3'] } }],
    );
    assert.equal(first.nextElement, 1);
    assert.equal(first.done, false);
    const second = await drop.readElements('inbox/a.json', { fromElement: 1, count: 10, maxBytes: 2_000 });
    assert.deepEqual(second.elements[0], {
      index: 1,
      value: null,
      bytes: 4,
      problem: 'is larger than 2 KB, more than one record may hold',
    });
    assert.equal(second.elements[1].problem, 'is a string, not an object');
    // Digits a double cannot hold are kept as they are.
    assert.equal((second.elements[2].value as { price: unknown }).price, '12345678901234567.89');
    assert.equal(second.done, true);
    // Bounded in bytes: 41 + 4 + 7 bytes fit in 60, the fourth element’s 41 do not.
    const small = await drop.readElements('inbox/a.json', { fromElement: 0, count: 10, maxBytes: 60 });
    assert.deepEqual(
      small.elements.map((e) => [e.index, e.bytes]),
      [
        [0, 41],
        [1, 4],
        [2, 7],
      ],
    );
    assert.equal(small.nextElement, 3);
    await writeFile(path.join(folder, 'inbox', 'b.json'), '"not an array"');
    await assert.rejects(
      drop.readElements('inbox/b.json', { fromElement: 0, count: 1, maxBytes: 1_000 }),
      (error) => error instanceof UnreadableFile && /not an array/.test(error.reason),
    );
    await writeFile(path.join(folder, 'inbox', 'c.json'), '[{"sku": "A"}, {"sku": ');
    await assert.rejects(
      drop.readElements('inbox/c.json', { fromElement: 0, count: 5, maxBytes: 1_000 }),
      (error) => error instanceof UnreadableFile && /ends early|malformed/.test(error.reason),
    );
  });
});

describe('products: a supplier file through both stages (no Temporal)', () => {
  it('reads the sample in pages, upserts the good products in batches, publishes and takes them live', async (t) => {
    await writeFile(
      path.join(folder, 'inbox', 'shein_products_2026-11.json'),
      JSON.stringify({ products: sample.products.slice(0, 40) }),
    );
    const pipeline = await pipelineFor();
    const { records, delivery, pages } = await readFile(pipeline);
    assert.equal(records.length, 40);
    assert.ok(pages >= 1);
    assert.match(records[0].recordId, /^shein\/sw2611\d+$/);
    assert.match(records[0].version, /^\d{4}-\d\d-\d\dT[\d:.]+Z\|[0-9a-f]{64}\|0000000000$/);

    const outcomes = await Promise.all(records.map((record) => load(pipeline, record)));
    const failed = outcomes.flatMap((o, i) => (o instanceof ApplicationFailure ? [[i + 1, o] as const] : []));
    assert.deepEqual(
      failed.map(([n, f]) => [n, f.type, (f.details?.[0] as { field: string }).field]),
      [[17, INVALID_RECORD, 'salePrice']],
    );
    for (const outcome of outcomes) {
      if (outcome instanceof ApplicationFailure) continue;
      assert.equal(outcome.status, 'SYNCED');
      assert.deepEqual(outcome.status === 'SYNCED' && outcome.awaits, {
        waiting: 'PIM_UPSERTED',
        event: 'published',
        continuing: 'PUBLISHED',
        done: 'LIVE',
      });
    }
    const published = records.filter((_, i) => !(outcomes[i] instanceof ApplicationFailure));
    const objects = sandboxes.pim.products().length;
    // Batches of at most 25 objects, each a listing and a write: far fewer requests than products.
    assert.ok(
      sandboxes.pim.stats.requests <= 2 * Math.ceil(objects / 15),
      `${sandboxes.pim.stats.requests} requests`,
    );
    assert.ok(sandboxes.pim.products().every((p) => !p.published));
    t.diagnostic(
      `${published.length} products, ${objects} PIM objects, ${sandboxes.pim.stats.requests} PIM requests`,
    );

    // A person publishes them in Pimcore; each webhook reaches its product's workflow.
    sandboxes.pim.publish(published.map((r) => decodeURIComponent(r.recordId.split('/')[1])));
    await sandboxes.pim.webhooksSettled();
    assert.equal(sandboxes.received.length, published.length);
    for (const webhook of sandboxes.received) {
      const receipt = await pipeline.receiveWebhook!(webhook);
      assert.ok(receipt.accepted);
      const record = published.find((r) => workflowOf(r) === receipt.workflowId);
      assert.ok(record, `the webhook names ${receipt.workflowId}`);
      const live = await pipeline.continueRecord!({
        recordId: record.recordId,
        version: record.version,
        record: record.record,
        stage: 'PIM_UPSERTED',
        event: receipt.event,
        payload: receipt.payload,
      });
      assert.equal(live.status, 'SYNCED');
    }
    const shop = sandboxes.shop.products();
    assert.equal(shop.length, published.length);
    assert.ok(shop.every((p) => p.status === 'published' && String(p.external_id).startsWith('shein/')));
    assert.ok(
      shop.every((p) => p.variants.every((v) => v.prices.every((price) => price.currency_code === 'eur'))),
    );

    // The file is archived; a replay reads its product from the archive, and the PIM holds it
    // published already: the workflow would go straight to the storefront.
    const report = await pipeline.completeDelivery!(delivery, { runId: 'run-1' });
    assert.equal(report.status, 'LOADED');
    const again = await pipeline.readRecord(published[0].recordId, published[0].version);
    const read = again?.record as ProductRecord;
    assert.deepEqual({ ...read, file: null }, { ...(published[0].record as ProductRecord), file: null });
    assert.match(read.file.key, /^archive\/[0-9a-f]{64}\/shein_products_2026-11\.json$/);
    const replay = await load(pipeline, { ...published[0], record: again!.record });
    assert.ok(!(replay instanceof ApplicationFailure) && replay.status === 'SYNCED');
    assert.equal(
      replay.status === 'SYNCED' && (replay.awaits?.happened as { sku: string }).sku,
      (published[0].record as ProductRecord & { product: { goods_sn: string } }).product.goods_sn,
    );
    assert.equal(sandboxes.shop.products().length, published.length, 'never a second product');
  });

  it('reads a CSV feed one product a row, naming a bad row’s column', async () => {
    await writeFile(
      path.join(folder, 'inbox', 'acme_feed_2026-11.csv'),
      readFileSync(path.join(SAMPLES, 'acme_feed_2026-11.csv')),
    );
    const pipeline = await pipelineFor();
    const { records } = await readFile(pipeline);
    assert.equal(records.length, 40);
    assert.equal(records[0].recordId, 'acme/ACME-4100');
    const outcomes = await Promise.all(records.map((record) => load(pipeline, record)));
    const failed = outcomes.flatMap((o, i) =>
      o instanceof ApplicationFailure ? [[i + 1, (o.details?.[0] as { field: string }).field]] : [],
    );
    assert.deepEqual(failed, [
      [10, 'sale_price'],
      [22, 'cat_name'],
      [34, 'currency'],
    ]);
  });

  it('quarantines a file that is not JSON or CSV, not an array, or already loaded', async () => {
    await writeFile(path.join(folder, 'inbox', 'shein_products.xml'), '<products/>');
    const pipeline = await pipelineFor();
    const page = await pipeline.readPage({ since: null, cursor: null, lookbackMs: 0 });
    assert.equal(page.records.length, 0);
    assert.match(page.unreadable[0].reason, /^file: not a product file/);
    await pipeline.completeDelivery!(page.delivery, { runId: 'run-1' });
    await writeFile(path.join(folder, 'inbox', 'shein_object.json'), '{"products": 3}');
    const notArray = await pipeline.readPage({ since: null, cursor: null, lookbackMs: 0 });
    assert.match(notArray.unreadable[0].reason, /array-valued property/);
    const report = await pipeline.completeDelivery!(notArray.delivery, { runId: 'run-1' });
    assert.equal(report.status, 'QUARANTINED');
    assert.match(
      readFileSync(path.join(folder, 'quarantine', 'shein_object.json.reason.txt'), 'utf8'),
      /array/,
    );
  });

  it('keeps pages under the byte bound for large products', async () => {
    const heavy = sample.products.slice(0, 60).map((p) => ({ ...p, goods_desc: 'd'.repeat(8_000) }));
    await writeFile(path.join(folder, 'inbox', 'shein_heavy.json'), JSON.stringify(heavy));
    const { records, pages } = await readFile(await pipelineFor());
    assert.equal(records.length, 60);
    assert.ok(pages >= Math.ceil((60 * 8_000) / PAGE_PRODUCT_BYTES), `${pages} pages`);
  });

  after(() => rm(folder, { recursive: true, force: true }));
});
