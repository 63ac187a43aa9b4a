import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import { startPimcoreSandbox, type PimcoreSandbox } from '../sandbox/pimcore';

const { apiKey, webhookSecret } = SANDBOX_CREDENTIALS.pimcore;

/** A subscriber standing in for record-sync's webhook endpoint: it records and answers as told. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
let received: Received[] = [];
let answers: number[] = [];
let receiver: Server;
let receiverUrl = '';

let pim: PimcoreSandbox;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/pimcore`;
  pim = await startPimcoreSandbox({ webhookUrl: receiverUrl, webhookRetryDelaysMs: [20, 40, 80] });
});
after(async () => {
  await pim.close();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(() => {
  pim.reset();
  received = [];
  answers = [];
});

interface GraphQlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[] }[];
}

async function gql(
  query: string,
  variables?: unknown,
  headers: Record<string, string> = { 'X-API-Key': apiKey },
) {
  const res = await fetch(pim.graphqlUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200, `expected 200, got ${res.status}`);
  return (await res.json()) as GraphQlBody;
}

interface Result {
  success: boolean;
  message: string;
  output: { id: string | null };
}

const product = (sku: string, extra: Record<string, unknown> = {}) => ({
  sku,
  name: `Product ${sku}`,
  price: 19.99,
  currency: 'EUR',
  categories: ['apparel'],
  material: 'cotton',
  images: { replace: true, items: { ProductImage: [{ url: `https://cdn.example/${sku}.jpg` }] } },
  supplier: 'acme',
  sourceVersion: '7',
  syncWorkflowId: `record-sync-product-${sku}`,
  ...extra,
});

/** Many creates in one request, one alias and one variable each: the connector's batch. */
function createBatch(inputs: Record<string, unknown>[]) {
  const defs = inputs.map((_, i) => `$i${i}: UpdateProductInput`).join(', ');
  const fields = inputs
    .map(
      (input, i) =>
        `p${i}: createProduct(path: "/Products", key: ${JSON.stringify(input.sku)}, published: false, input: $i${i}) { success message output { id } }`,
    )
    .join('\n');
  const variables = Object.fromEntries(inputs.map((input, i) => [`i${i}`, input]));
  return gql(`mutation Batch(${defs}) {\n${fields}\n}`, variables);
}

const LOOKUP = `query Lookup($filter: String) {
  getProductListing(filter: $filter, published: false) { totalCount edges { node { id sku sourceVersion } } }
}`;

/** Create-or-update by SKU, the only way Datahub offers: look up, then create or update by id. */
async function upsert(input: Record<string, unknown>): Promise<Result> {
  const found = await gql(LOOKUP, { filter: JSON.stringify({ sku: input.sku }) });
  const listing = found.data?.getProductListing as { edges: { node: { id: string } }[] };
  const existing = listing.edges[0]?.node.id;
  const body = existing
    ? await gql(
        'mutation ($id: Int!, $input: UpdateProductInput) { r: updateProduct(id: $id, input: $input) { success message output { id } } }',
        { id: Number(existing), input },
      )
    : await gql(
        'mutation ($key: String!, $input: UpdateProductInput) { r: createProduct(path: "/Products", key: $key, published: false, input: $input) { success message output { id } } }',
        { key: input.sku, input },
      );
  return body.data?.r as Result;
}

function verify(headers: IncomingHttpHeaders, body: string): boolean {
  const event = String(headers['webhook-event']);
  const id = String(headers['webhook-id']);
  const expected = `sha256=${createHmac('sha256', webhookSecret)
    .update(event + id + body)
    .digest('hex')}`;
  const given = String(headers['webhook-signature']);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe('pimcore sandbox: the Datahub endpoint', () => {
  it('answers 403 without the right API key and takes it from the header, X-API-Key or ?apikey=', async () => {
    for (const headers of [{}, { 'X-API-Key': 'wrong' }] as Record<string, string>[]) {
      const res = await fetch(pim.graphqlUrl, {
        method: 'POST',
        headers,
        body: '{"query":"{ __typename }"}',
      });
      assert.equal(res.status, 403);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /403 Forbidden/);
    }
    assert.equal(pim.stats.rejectedApiKeys, 2);
    for (const [url, headers] of [
      [pim.graphqlUrl, { apikey: apiKey }],
      [pim.graphqlUrl, { 'X-API-Key': apiKey }],
      [`${pim.graphqlUrl}?apikey=${apiKey}`, {}],
    ] as const) {
      const res = await fetch(url, { method: 'POST', headers, body: '{"query":"{ __typename }"}' });
      assert.deepEqual(await res.json(), { data: { __typename: 'Query' } });
    }
    const unknown = await fetch(`${pim.url}/pimcore-graphql-webservices/other?apikey=${apiKey}`, {
      method: 'POST',
    });
    assert.equal(unknown.status, 404);
  });

  it('runs a batch of 25 creates in which one bad product fails on its own', async () => {
    const inputs = Array.from({ length: 25 }, (_, i) => product(`SKU-${i}`, i === 12 ? { price: -5 } : {}));
    const body = await createBatch(inputs);
    assert.equal(body.errors, undefined);
    const results = Object.values(body.data ?? {}) as Result[];
    assert.equal(results.length, 25);
    assert.deepEqual(results[12], {
      success: false,
      message: 'creating failed: Validation failed: Value in field [ price ] is not at least 0',
      output: { id: null },
    });
    assert.equal(results.filter((r) => r.success).length, 24);
    assert.match(results[0].message, /^object created: \d+$/);
    assert.equal(pim.products().length, 24);
    assert.equal(pim.productBySku('SKU-12'), undefined);
    assert.equal(pim.productBySku('SKU-3')?.published, false);
    assert.equal(pim.stats.writes, 24);
  });

  it('upserts by SKU: a second run updates the product found with published: false', async () => {
    const first = await upsert(product('ACME-1'));
    assert.equal(first.success, true);
    const second = await upsert(product('ACME-1', { sourceVersion: '8', name: 'Renamed' }));
    assert.equal(second.success, true);
    assert.equal(second.output.id, first.output.id);
    assert.match(second.message, /^object \d+ updated$/);
    const stored = pim.productBySku('ACME-1');
    assert.equal(stored?.sourceVersion, '8');
    assert.equal(stored?.versionCount, 2);
    assert.equal(pim.products().length, 1);
    // Without published: false the listing hides unpublished products: a lookup must ask for them.
    const hidden = await gql('{ getProductListing(filter: "{\\"sku\\": \\"ACME-1\\"}") { totalCount } }');
    assert.deepEqual(hidden.data, { getProductListing: { totalCount: 0 } });
  });

  it('refuses a second product with a taken SKU or a taken key in the same folder', async () => {
    await createBatch([product('ACME-1')]);
    const bySku = await gql(
      'mutation { r: createProduct(path: "/Products", key: "other", input: {sku: "ACME-1", name: "x", price: 1, currency: "EUR"}) { success message } }',
    );
    assert.deepEqual(bySku.data?.r, {
      success: false,
      message: `creating failed: unique constraint violated: sku 'ACME-1' is used by object ${pim.productBySku('ACME-1')?.id}`,
    });
    const byKey = await gql(
      'mutation { r: createProduct(path: "/Products", key: "ACME-1") { success message } }',
    );
    assert.deepEqual(byKey.data?.r, { success: false, message: 'creating failed: Duplicate path' });
    const noParent = await gql(
      'mutation { r: createProduct(path: "/Nowhere", key: "x") { success message } }',
    );
    assert.deepEqual(noParent.data?.r, { success: false, message: 'unable to resolve parent' });
  });

  it('fails the whole request, nothing written, on an unknown field, too many mutations or GraphQL it does not model', async () => {
    const unknown = await createBatch([product('A-1'), product('A-2', { colourCode: 'red' })]);
    assert.deepEqual(unknown.data, undefined);
    assert.match(
      unknown.errors?.[0].message ?? '',
      /Field "colourCode" is not defined by type "UpdateProductInput"/,
    );
    const tooMany = await createBatch(Array.from({ length: 101 }, (_, i) => product(`B-${i}`)));
    assert.match(tooMany.errors?.[0].message ?? '', /at most 100 top-level fields per request, got 101/);
    const fragment = await gql('query { ...F } fragment F on Query { __typename }');
    assert.match(fragment.errors?.[0].message ?? '', /does not support/);
    const syntax = await gql('mutation { createProduct(key: "x" { success } }');
    assert.match(syntax.errors?.[0].message ?? '', /^Syntax Error/);
    assert.equal(pim.products().length, 0);
    assert.equal(pim.stats.writes, 0);
  });

  it('refuses a body over 1 MiB with nginx 413', async () => {
    const res = await fetch(pim.graphqlUrl, {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(1024 * 1024) }),
    });
    assert.equal(res.status, 413);
    assert.match(await res.text(), /nginx/);
  });

  it('models variants as child objects that inherit, and field collections that append unless replaced', async () => {
    await createBatch([product('ACME-1')]);
    const variant = await gql(
      'mutation { v: createProduct(path: "/Products/ACME-1", key: "red-m", type: "variant", published: false, input: {sku: "ACME-1-RED-M", colour: "red", size: "M"}) { success output { name price colour } } }',
    );
    assert.deepEqual(variant.data?.v, {
      success: true,
      output: { name: 'Product ACME-1', price: 19.99, colour: 'red' },
    });
    const orphan = await gql(
      'mutation { v: createProduct(path: "/Products", key: "v", type: "variant") { success message } }',
    );
    assert.deepEqual(orphan.data?.v, {
      success: false,
      message: 'creating failed: a variant must be the child of a Product object',
    });
    const id = pim.productBySku('ACME-1')?.id;
    await gql(
      `mutation { updateProduct(id: ${id}, input: {images: {items: {ProductImage: [{url: "https://cdn.example/2.jpg"}]}}}) { success } }`,
    );
    assert.equal(pim.productBySku('ACME-1')?.images?.length, 2);
  });
});

describe('pimcore sandbox: publishing and its webhooks', () => {
  it('publishes and sends a signed webhook naming the SKU, source version and workflow', async () => {
    await createBatch([product('ACME-1'), product('ACME-2', { name: null })]);
    const result = pim.publish(['ACME-1', 'ACME-2']);
    assert.equal(result.published.length, 1);
    assert.deepEqual(result.refused, [
      { target: 'ACME-2', message: 'Validation failed: Empty mandatory field [ name ]' },
    ]);
    await pim.webhooksSettled();
    assert.equal(received.length, 1);
    const [{ headers, body }] = received;
    assert.equal(headers['webhook-event'], 'pimcore.dataobject.postUpdate');
    assert.ok(verify(headers, body), 'signature verifies');
    assert.ok(!verify({ ...headers, 'webhook-id': 'forged' }, body), 'a changed id does not');
    const payload = JSON.parse(body) as {
      general: Record<string, unknown>;
      subject: Record<string, unknown>;
    };
    assert.equal(payload.general.eventName, 'pimcore.dataobject.postUpdate');
    assert.equal(payload.general.subjectType, 'object');
    assert.equal(payload.subject.published, true);
    assert.equal(payload.subject['SKU (sku)'], 'ACME-1');
    assert.equal(payload.subject['Source version (sourceVersion)'], '7');
    assert.equal(payload.subject['Sync workflow id (syncWorkflowId)'], 'record-sync-product-ACME-1');
    // Once published, every save of the product is a webhook too.
    await upsert(product('ACME-1', { sourceVersion: '8' }));
    await pim.webhooksSettled();
    assert.equal(received.length, 2);
  });

  it('retries a webhook the subscriber refuses, then gives up after three retries', async () => {
    await createBatch([product('ACME-1'), product('ACME-2')]);
    answers = [500, 503];
    pim.publish('ACME-1');
    await pim.webhooksSettled();
    assert.deepEqual(pim.webhooks()[0].attempts, [500, 503, 204]);
    assert.equal(new Set(received.map((r) => r.headers['webhook-id'])).size, 1);
    answers = [500, 500, 500, 500];
    pim.publish('ACME-2');
    await pim.webhooksSettled();
    assert.equal(pim.webhooks()[1].status, 'failed');
    assert.equal(pim.webhooks()[1].attempts.length, 4);
  });

  it('delivers each webhook twice with webhookDuplicates and drops them with webhookLost', async () => {
    await createBatch([product('ACME-1'), product('ACME-2')]);
    pim.setFaults({ webhookDuplicates: true });
    pim.publish('ACME-1');
    await pim.webhooksSettled();
    assert.equal(received.length, 2);
    assert.equal(received[0].headers['webhook-id'], received[1].headers['webhook-id']);
    assert.equal(received[0].body, received[1].body);
    pim.setFaults({ webhookDuplicates: false, webhookLost: 1 });
    pim.publish('ACME-2');
    await pim.webhooksSettled();
    assert.equal(received.length, 2);
    assert.equal(pim.webhooks()[1].status, 'lost');
    assert.equal(pim.productBySku('ACME-2')?.published, true);
  });

  it('publishes by itself after autoPublishAfterMs', async () => {
    pim.configure({ autoPublishAfterMs: 30 });
    await createBatch([product('ACME-1')]);
    assert.equal(pim.productBySku('ACME-1')?.published, false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await pim.webhooksSettled();
    assert.equal(pim.productBySku('ACME-1')?.published, true);
    assert.equal(received.length, 1);
  });
});

describe('pimcore sandbox: faults', () => {
  it('commits, then drops the response with dropAfterCommit', async () => {
    pim.setFaults({ dropAfterCommit: 1 });
    await assert.rejects(createBatch([product('ACME-1')]));
    assert.equal(pim.productBySku('ACME-1')?.sku, 'ACME-1');
    assert.equal(pim.stats.byStatus.dropped, 1);
    // A read commits nothing and is answered.
    await gql(LOOKUP, { filter: '{"sku": "ACME-1"}' });
  });

  it('answers 429 with Retry-After, 500 and 503 pages, and refuses connections while down', async () => {
    pim.setFaults({ rateLimited: 1, retryAfterS: 3, serverErrors: 1 });
    const call = () =>
      fetch(pim.graphqlUrl, { method: 'POST', headers: { 'X-API-Key': apiKey }, body: '{}' });
    const limited = await call();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal((await call()).status, 500);
    assert.equal((await call()).status, 200);
    pim.setFaults({ down: '503' });
    assert.equal((await call()).status, 503);
    pim.setFaults({ down: 'refuse' });
    await pim.ready();
    await assert.rejects(call());
    pim.setFaults({ down: false });
    await pim.ready();
    assert.equal((await call()).status, 200);
  });

  it('takes faults, publications and resets over the admin API', async () => {
    await createBatch([product('ACME-1')]);
    const post = (path: string, body: unknown) =>
      fetch(`${pim.url}/__admin/${path}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal((await post('faults', { down: 'refuse' })).status, 400);
    assert.equal((await post('faults', { latencyMs: 1 })).status, 200);
    const published = (await (await post('publish', { skus: ['ACME-1'] })).json()) as {
      published: unknown[];
    };
    assert.equal(published.published.length, 1);
    const listed = (await (await fetch(`${pim.url}/__admin/products/ACME-1`)).json()) as {
      published: boolean;
    };
    assert.equal(listed.published, true);
    await post('reset', {});
    assert.equal(pim.products().length, 0);
  });
});
