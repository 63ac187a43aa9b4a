import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PermanentError, PipelineError, RetryableError } from '../src/connectors/errors';
import { MedusaClient, type MedusaProductBody } from '../src/connectors/medusa';
import { PimcoreClient, type PimInput, type PimUpsert } from '../src/connectors/pimcore';
import { verifyProductWebhook } from '../src/pipelines/products/webhook';
import { WebhookRefused } from '../src/webhooks/server';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import { startProductSandboxes, type ProductSandboxes } from './products-sandboxes';

let sandboxes: ProductSandboxes;
before(async () => {
  sandboxes = await startProductSandboxes();
});
after(() => sandboxes.close());
beforeEach(() => sandboxes.reset());

const pimClient = (extra: { apiKey?: string; graphqlUrl?: string } = {}) =>
  new PimcoreClient({
    graphqlUrl: sandboxes.pim.graphqlUrl,
    apiKey: SANDBOX_CREDENTIALS.pimcore.apiKey,
    productsFolder: '/Products',
    timeoutMs: 5_000,
    ...extra,
  });

const version = (n: number) => `2026-11-24T10:00:00.000Z|${'a'.repeat(64)}|${String(n).padStart(10, '0')}`;

function upsert(sku: string, n = 1, options: { variants?: number; input?: PimInput } = {}): PimUpsert {
  return {
    sku,
    input: {
      sku,
      name: `Product ${sku}`,
      price: 19.99,
      currency: 'EUR',
      categories: ['womens-dresses'],
      sourceVersion: version(n),
      syncWorkflowId: `record-sync-products-shein%2F${sku}-${version(n)}`,
      ...options.input,
    },
    variants: Array.from({ length: options.variants ?? 0 }, (_, i) => ({
      sku: `${sku}-${i}`,
      input: { sku: `${sku}-${i}`, size: ['S', 'M', 'L', 'XL'][i], price: 19.99, sourceVersion: version(n) },
    })),
    isNewer: (held) => held !== null && held > version(n),
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

describe('products: the Pimcore connector', () => {
  it('coalesces 25 concurrent upserts into one request, each with its own outcome', async () => {
    const pim = pimClient();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) =>
        pim.upsertProduct(upsert(`SKU-${i}`, 1, i === 12 ? { input: { price: -5 } } : {})),
      ),
    );
    // One listing, one request of 25 aliased mutations.
    assert.equal(sandboxes.pim.stats.requests, 2);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 24);
    const failed = outcomes[12];
    assert.ok(failed.status === 'rejected' && failed.reason instanceof PermanentError);
    assert.equal(failed.reason.field, 'price');
    assert.match(failed.reason.message, /Pimcore refused to create SKU-12: .*not at least 0/);
    assert.equal(sandboxes.pim.products().length, 24);
    assert.equal(sandboxes.pim.productBySku('SKU-3')?.published, false);
  });

  it('keeps a product’s variants in its request, at most 25 objects a request', async () => {
    const pim = pimClient();
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => pim.upsertProduct(upsert(`P-${i}`, 1, { variants: 3 }))),
    );
    // 7 products of 4 objects: 6 in one request (24 objects), 1 in the next; each a listing too.
    assert.equal(sandboxes.pim.stats.requests, 4);
    const variant = sandboxes.pim.productBySku('P-6-2');
    assert.equal(variant?.type, 'variant');
    assert.equal(variant?.fullpath, '/Products/P-6/P-6-2');
    // A variant inherits what it leaves empty.
    assert.equal(variant?.name, 'Product P-6');
  });

  it('is idempotent by SKU: a second upsert updates the product it finds', async () => {
    const pim = pimClient();
    const first = await pim.upsertProduct(upsert('ACME-1', 1, { variants: 2 }));
    const second = await pim.upsertProduct(upsert('ACME-1', 1, { variants: 2, input: { name: 'Renamed' } }));
    assert.deepEqual(first, {
      status: 'written',
      id: second.status === 'written' ? second.id : -1,
      created: true,
      wasPublished: false,
      previousWorkflowId: null,
    });
    assert.equal(
      second.status === 'written' && second.previousWorkflowId,
      `record-sync-products-shein%2FACME-1-${version(1)}`,
    );
    assert.equal(second.status === 'written' && second.created, false);
    assert.equal(sandboxes.pim.products().length, 3);
    assert.equal(sandboxes.pim.productBySku('ACME-1')?.name, 'Renamed');
    assert.equal(sandboxes.pim.productBySku('ACME-1')?.versionCount, 2);
  });

  it('never overwrites a product the PIM holds at a newer source version', async () => {
    const pim = pimClient();
    await pim.upsertProduct(upsert('ACME-1', 5, { input: { name: 'Newer' } }));
    const older = await pim.upsertProduct(upsert('ACME-1', 4, { input: { name: 'Older' } }));
    assert.equal(older.status, 'newer');
    assert.equal(older.status === 'newer' && older.held.sourceVersion, version(5));
    assert.equal(sandboxes.pim.productBySku('ACME-1')?.name, 'Newer');
  });

  it('says when it updated a product already published', async () => {
    const pim = pimClient();
    await pim.upsertProduct(upsert('ACME-1'));
    sandboxes.pim.publish('ACME-1');
    const again = await pim.upsertProduct(upsert('ACME-1'));
    assert.equal(again.status === 'written' && again.wasPublished, true);
  });

  it('after an answer lost past its commit, the retry updates the product: never a second one', async () => {
    const pim = pimClient();
    sandboxes.pim.setFaults({ dropAfterCommit: 1 });
    const lost = await rejection(pim.upsertProduct(upsert('ACME-1', 1, { variants: 2 })));
    assert.ok(lost instanceof RetryableError, String(lost));
    const retried = await pim.upsertProduct(upsert('ACME-1', 1, { variants: 2 }));
    assert.equal(retried.status === 'written' && retried.created, false);
    assert.equal(sandboxes.pim.products().length, 3);
  });

  it('classifies 429 and 5xx as passing, with Retry-After; a refused key or a wrong endpoint stops the pipeline', async () => {
    sandboxes.pim.setFaults({ rateLimited: 1, retryAfterS: 3 });
    const limited = await rejection(pimClient().upsertProduct(upsert('A')));
    assert.ok(limited instanceof RetryableError);
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfterMs, 3_000);
    sandboxes.pim.setFaults({ serverErrors: 1 });
    const broken = await rejection(pimClient().upsertProduct(upsert('A')));
    assert.ok(broken instanceof RetryableError && broken.status === 500);
    sandboxes.pim.setFaults({ down: '503' });
    const down = await rejection(pimClient().upsertProduct(upsert('A')));
    assert.ok(down instanceof RetryableError && down.status === 503);
    sandboxes.pim.setFaults({ down: false });
    const refused = await rejection(pimClient({ apiKey: 'wrong-key-0123' }).upsertProduct(upsert('A')));
    assert.ok(refused instanceof PipelineError);
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.message, /wrong-key-0123/);
    const nowhere = await rejection(
      pimClient({ graphqlUrl: `${sandboxes.pim.url}/pimcore-graphql-webservices/other` }).upsertProduct(
        upsert('A'),
      ),
    );
    assert.ok(nowhere instanceof PipelineError);
    assert.match(nowhere.message, /PIMCORE_GRAPHQL_ENDPOINT/);
    assert.equal(sandboxes.pim.products().length, 0);
  });
});

const shopClient = (secretApiKey: string = sandboxes.shop.secretApiKey) =>
  new MedusaClient({ url: sandboxes.shop.url, secretApiKey, timeoutMs: 5_000 });

function storefrontBody(sizes: string[], amount = 18.45): MedusaProductBody {
  return {
    title: 'SHEIN Wrap Dress',
    handle: 'shein-sw2611001',
    external_id: 'shein/sw2611001',
    status: 'published',
    options: [{ title: 'Size', values: sizes }],
    variants: sizes.map((size) => ({
      title: size,
      sku: `sw2611001-${size}`,
      options: { Size: size },
      prices: [{ currency_code: 'eur', amount }],
      manage_inventory: false,
    })),
    categories: [{ id: 'pcat_01SAMPLEWOMENSDRESSES00000' }],
  };
}

describe('products: the Medusa connector', () => {
  it('creates by handle, then updates that product: variants and prices keep their ids', async () => {
    const shop = shopClient();
    const created = await shop.upsertProduct(storefrontBody(['S', 'M']));
    assert.equal(created.created, true);
    const before = sandboxes.shop.productByHandle('shein-sw2611001')!;
    const updated = await shop.upsertProduct(storefrontBody(['S', 'M', 'L'], 16.9));
    assert.deepEqual(updated, { id: created.id, created: false });
    const after = sandboxes.shop.productByHandle('shein-sw2611001')!;
    assert.equal(sandboxes.shop.products().length, 1);
    assert.equal(after.variants[0].id, before.variants[0].id);
    assert.equal(after.variants[0].prices[0].id, before.variants[0].prices[0].id);
    assert.deepEqual(
      after.variants.map((v) => [v.sku, v.prices.map((p) => [p.currency_code, p.amount])]),
      ['S', 'M', 'L'].map((size) => [`sw2611001-${size}`, [['eur', 16.9]]]),
    );
    assert.equal(after.status, 'published');
  });

  it('finds a create whose answer was lost after its commit, and never makes a second product', async () => {
    sandboxes.shop.setFaults({ dropAfterCommit: 1 });
    const written = await shopClient().upsertProduct(storefrontBody(['S', 'M']));
    assert.equal(written.created, false);
    assert.equal(sandboxes.shop.products().length, 1);
    assert.equal(sandboxes.shop.stats.byStatus.dropped, 1);
  });

  it('refuses to take over a product with its handle that record-sync did not create', async () => {
    await shopClient().upsertProduct({ ...storefrontBody(['S']), external_id: 'made-by-hand' });
    const taken = await rejection(shopClient().upsertProduct(storefrontBody(['S'])));
    assert.ok(taken instanceof PermanentError);
    assert.equal(taken.field, 'handle');
  });

  it('classifies 429 and 5xx as passing, a revoked key as pipeline-level, a missing category as the product’s', async () => {
    sandboxes.shop.setFaults({ rateLimited: 1, retryAfterS: 2 });
    const limited = await rejection(shopClient().upsertProduct(storefrontBody(['S'])));
    assert.ok(limited instanceof RetryableError);
    assert.equal(limited.retryAfterMs, 2_000);
    sandboxes.shop.setFaults({ serverErrors: 1 });
    const broken = await rejection(shopClient().upsertProduct(storefrontBody(['S'])));
    assert.ok(broken instanceof RetryableError && broken.status === 500);
    sandboxes.shop.setFaults({ revokedKey: true });
    const revoked = await rejection(shopClient().upsertProduct(storefrontBody(['S'])));
    assert.ok(revoked instanceof PipelineError && revoked.status === 401);
    assert.doesNotMatch(revoked.message, new RegExp(sandboxes.shop.secretApiKey));
    sandboxes.shop.setFaults({ revokedKey: false });
    const unknown = await rejection(
      shopClient().upsertProduct({ ...storefrontBody(['S']), categories: [{ id: 'pcat_01NONE' }] }),
    );
    assert.ok(unknown instanceof PermanentError && unknown.status === 404);
    assert.equal(unknown.field, 'product_category');
    assert.equal(sandboxes.shop.products().length, 0);
  });
});

describe('products: the PIM’s publish webhook', () => {
  const settings = {
    secret: SANDBOX_CREDENTIALS.pimcore.webhookSecret,
    pipeline: 'products',
    productsFolder: '/Products',
  };

  async function published(sku: string, extra: Partial<PimUpsert> = {}) {
    await pimClient().upsertProduct({ ...upsert(sku, 1, { variants: 1 }), ...extra });
    sandboxes.pim.publish(sku);
    await sandboxes.pim.webhooksSettled();
    return sandboxes.received.at(-1)!;
  }

  it('accepts the sandbox’s signed webhook and names the product’s workflow', async () => {
    const webhook = await published('ACME-1');
    const receipt = verifyProductWebhook(webhook, settings);
    assert.deepEqual(receipt, {
      accepted: true,
      workflowId: `record-sync-products-shein%2FACME-1-${version(1)}`,
      event: 'published',
      payload: {
        pimId: sandboxes.pim.productBySku('ACME-1')!.id,
        sku: 'ACME-1',
        sourceVersion: version(1),
        webhookId: webhook.headers['webhook-id'],
      },
    });
  });

  it('refuses a tampered, unsigned or stale webhook', async () => {
    const webhook = await published('ACME-1');
    const refusal = (request: typeof webhook, now?: number) => {
      try {
        verifyProductWebhook(request, { ...settings, now });
      } catch (error) {
        assert.ok(error instanceof WebhookRefused);
        return `${error.status} ${error.message}`;
      }
      assert.fail('accepted');
    };
    const tampered = Buffer.from(webhook.body.toString('utf8').replace('ACME-1', 'ACME-2'));
    assert.match(refusal({ ...webhook, body: tampered }), /^401 the signature does not match/);
    assert.match(refusal({ ...webhook, headers: { ...webhook.headers, 'webhook-id': 'other' } }), /^401 /);
    assert.match(
      refusal({ ...webhook, headers: { ...webhook.headers, 'webhook-signature': undefined } }),
      /^401 not signed/,
    );
    assert.match(refusal(webhook, Date.now() + 11 * 60_000), /^401 stale/);
  });

  it('answers and ignores a variant’s publication and a product it did not write', async () => {
    await pimClient().upsertProduct(upsert('ACME-1', 1, { variants: 1 }));
    sandboxes.pim.publish('ACME-1-0');
    await sandboxes.pim.webhooksSettled();
    assert.deepEqual(verifyProductWebhook(sandboxes.received[0], settings), {
      accepted: false,
      reason: 'not a product of /Products (a variant, or another folder)',
    });
    const foreign = await published('ACME-2', {
      input: { ...upsert('ACME-2').input, syncWorkflowId: 'record-sync-pipeline-products' },
    });
    assert.deepEqual(verifyProductWebhook(foreign, settings), {
      accepted: false,
      reason: 'a product record-sync did not write',
    });
  });
});
