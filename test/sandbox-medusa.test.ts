import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import { startMedusaSandbox, type MedusaSandbox } from '../sandbox/medusa';

let medusa: MedusaSandbox;

before(async () => {
  medusa = await startMedusaSandbox();
});
after(() => medusa.close());
beforeEach(() => medusa.reset());

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function call(method: string, path: string, body?: unknown, authorization = basic(medusa.secretApiKey)) {
  return fetch(`${medusa.url}${path}`, {
    method,
    headers: {
      Authorization: authorization,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectError(res: Response, status: number, body: Record<string, unknown>): Promise<void> {
  assert.equal(res.status, status);
  assert.deepEqual(await res.json(), body);
}

const invalid = (message: string) => ({ type: 'invalid_data', message });

interface Variant {
  id: string;
  title: string;
  sku: string | null;
  manage_inventory: boolean;
  prices: { currency_code: string; amount: number }[];
  options: { value: string; option: { title: string } }[];
}
interface Product {
  id: string;
  handle: string;
  title: string;
  status: string;
  external_id: string | null;
  options: { title: string; values: { value: string }[] }[];
  variants: Variant[];
}

const DRILL = {
  title: 'Cordless Drill PSR 18',
  external_id: 'SUP-7731',
  description: 'Two-speed drill driver',
  status: 'draft',
  options: [{ title: 'Voltage', values: ['12V', '18V'] }],
  variants: [
    {
      title: '12 V',
      sku: 'PSR-12',
      options: { Voltage: '12V' },
      prices: [{ currency_code: 'eur', amount: 89.9 }],
    },
    {
      title: '18 V',
      sku: 'PSR-18',
      options: { Voltage: '18V' },
      prices: [{ currency_code: 'eur', amount: 119 }],
      manage_inventory: false,
    },
  ],
  categories: [{ id: 'pcat_01SANDBOXTOOLS000000000000' }],
  metadata: { supplier: 'acme' },
};

async function createDrill(extra: Record<string, unknown> = {}): Promise<Product> {
  const res = await call('POST', '/admin/products', { ...DRILL, ...extra });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { product: Product }).product;
}

describe('medusa sandbox: authentication', () => {
  it('refuses a request without credentials, with a wrong key or a malformed bearer token', async () => {
    for (const authorization of ['', basic('sk_wrong'), 'Bearer not-a-jwt', basic('pk_publishable')]) {
      await expectError(await call('GET', '/admin/products', undefined, authorization), 401, {
        message: 'Unauthorized',
      });
    }
    assert.equal(medusa.stats.errorsByType.unauthorized, 4);
  });

  it('takes the secret key base64-encoded or bare, and a JWT from /auth/user/emailpass', async () => {
    assert.equal(
      (await call('GET', '/admin/products', undefined, `Basic ${medusa.secretApiKey}`)).status,
      200,
    );
    const wrong = await call(
      'POST',
      '/auth/user/emailpass',
      { email: medusa.adminEmail, password: 'guess' },
      '',
    );
    await expectError(wrong, 401, { type: 'unauthorized', message: 'Invalid email or password' });
    const res = await call(
      'POST',
      '/auth/user/emailpass',
      { email: medusa.adminEmail, password: medusa.adminPassword },
      '',
    );
    assert.equal(res.status, 200);
    const { token } = (await res.json()) as { token: string };
    assert.equal((await call('GET', '/admin/products', undefined, `Bearer ${token}`)).status, 200);
    // A revoked key authenticates nothing; the user's JWT still does.
    medusa.setFaults({ revokedKey: true });
    assert.equal((await call('GET', '/admin/products')).status, 401);
    assert.equal((await call('GET', '/admin/products', undefined, `Bearer ${token}`)).status, 200);
  });

  it('refuses an expired JWT', async () => {
    const expired = jwt.sign(
      { actor_id: 'user_1', actor_type: 'user', exp: Math.floor(Date.now() / 1000) - 10 },
      SANDBOX_CREDENTIALS.medusa.jwtSecret,
    );
    assert.equal((await call('GET', '/admin/products', undefined, `Bearer ${expired}`)).status, 401);
  });
});

describe('medusa sandbox: products', () => {
  it('creates a product with options, variants and prices, as the Admin API shows it', async () => {
    const product = await createDrill();
    assert.match(product.id, /^prod_[0-9A-Z]{26}$/);
    assert.equal(product.handle, 'cordless-drill-psr-18', 'a handle from the title');
    assert.equal(product.status, 'draft');
    assert.equal(product.external_id, 'SUP-7731');
    assert.deepEqual(
      product.options.map((o) => [o.title, o.values.map((v) => v.value)]),
      [['Voltage', ['12V', '18V']]],
    );
    const [v12, v18] = product.variants;
    assert.match(v12.id, /^variant_/);
    assert.deepEqual([v12.sku, v12.manage_inventory, v18.manage_inventory], ['PSR-12', true, false]);
    assert.deepEqual(
      v18.prices.map((p) => [p.currency_code, p.amount]),
      [['eur', 119]],
    );
    assert.deepEqual(
      v12.options.map((o) => [o.option.title, o.value]),
      [['Voltage', '12V']],
    );
    assert.equal('categories' in product, false, 'categories are not a default field');
    const stored = medusa.productByHandle('cordless-drill-psr-18') as unknown as {
      categories: { name: string }[];
    };
    assert.deepEqual(
      stored.categories.map((c) => c.name),
      ['Tools'],
    );
    assert.equal(medusa.stats.productsCreated, 1);
  });

  it("refuses a second product with the same handle, with the database error mapper's body", async () => {
    await createDrill();
    await expectError(
      await call('POST', '/admin/products', DRILL),
      400,
      invalid('Product with handle: cordless-drill-psr-18, already exists.'),
    );
    // external_id is not unique: another handle makes a second product with the same one.
    const again = await call('POST', '/admin/products', { ...DRILL, handle: 'drill-copy', variants: [] });
    assert.equal(again.status, 200);
    assert.equal(medusa.products().filter((p) => p.external_id === 'SUP-7731').length, 2);
  });

  it('refuses a SKU another variant of the store has', async () => {
    await createDrill();
    const res = await call('POST', '/admin/products', { ...DRILL, handle: 'other-drill' });
    await expectError(res, 400, invalid('Product variant with sku: PSR-12, already exists.'));
    assert.equal(medusa.products().length, 1);
  });

  it('finds a product by handle or external id; an unknown filter is ignored and lists everything', async () => {
    const drill = await createDrill();
    await createDrill({ title: 'Angle Grinder', external_id: 'SUP-9', variants: [], options: [] });
    const list = async (query: string) =>
      (await (await call('GET', `/admin/products?${query}`)).json()) as {
        products: Product[];
        count: number;
        limit: number;
      };
    const byHandle = await list('handle=cordless-drill-psr-18');
    assert.deepEqual([byHandle.count, byHandle.products[0].id, byHandle.limit], [1, drill.id, 50]);
    assert.equal((await list('external_id=SUP-7731')).products[0].id, drill.id);
    assert.equal((await list('sku=PSR-12')).count, 2, 'not a product filter: dropped, not refused');
    assert.equal((await list('handle=nothing-like-it')).count, 0);
    await expectError(
      await call('GET', '/admin/products?status=published'),
      400,
      invalid("Invalid request: Expected type: 'array' for field 'status', got: 'string'"),
    );
    await expectError(
      await call('GET', `/admin/products/${drill.id}?expand=variants`),
      400,
      invalid("Invalid request: Unrecognized fields: 'expand'"),
    );
    await expectError(await call('GET', '/admin/products/prod_missing'), 404, {
      type: 'not_found',
      message: 'Product not found',
    });
  });

  it('updates a product; variants sent are its whole list, matched by id', async () => {
    const drill = await createDrill();
    const [v12, v18] = drill.variants;
    const res = await call('POST', `/admin/products/${drill.id}`, {
      status: 'published',
      variants: [
        { id: v12.id, prices: [{ currency_code: 'eur', amount: 84.9 }] },
        { id: v18.id, title: '18 V Pro' },
      ],
    });
    assert.equal(res.status, 200);
    const { product } = (await res.json()) as { product: Product };
    assert.equal(product.status, 'published');
    assert.deepEqual(
      product.variants.map((v) => [v.id, v.title, v.prices[0].amount]),
      [
        [v12.id, '12 V', 84.9],
        [v18.id, '18 V Pro', 119],
      ],
    );
    // Sent without its id, a variant is a new one, whose SKU collides with the one it was to replace.
    const withoutIds = await call('POST', `/admin/products/${drill.id}`, { variants: DRILL.variants });
    await expectError(withoutIds, 400, invalid('Product variant with sku: PSR-12, already exists.'));
    await expectError(await call('POST', '/admin/products/prod_missing', { title: 'x' }), 404, {
      type: 'not_found',
      message: 'Product with id "prod_missing" not found',
    });
    assert.equal(medusa.stats.productUpdates, 1);
  });

  it("refuses a variant's options that do not name the product's, with Medusa's message", async () => {
    const cases: [unknown, string][] = [
      [{ options: { Voltage: '24V' } }, 'Option value 24V does not exist for option Voltage'],
      [
        { options: { Colour: 'blue', Voltage: '12V' } },
        'Product has 1 but there were 2 provided option values for the variant: 12 V.',
      ],
      [{ options: {} }, 'Product "Cordless Drill PSR 18" has variants with missing options: [12 V]'],
      [
        { options: { Voltage: 12 } },
        "Invalid request: Expected type: 'string' for field 'variants, 0, options, Voltage', got: 'number'",
      ],
    ];
    for (const [change, message] of cases) {
      const variants = [{ ...DRILL.variants[0], ...(change as object) }];
      await expectError(await call('POST', '/admin/products', { ...DRILL, variants }), 400, invalid(message));
    }
    const twins = [DRILL.variants[0], { ...DRILL.variants[0], title: 'twin', sku: 'PSR-12B' }];
    await expectError(
      await call('POST', '/admin/products', { ...DRILL, variants: twins }),
      400,
      invalid('Variant "12 V" has same combination of option values as "twin".'),
    );
    assert.equal(medusa.products().length, 0);
  });

  it('refuses unknown fields at the top and in variants, and names required and mistyped fields', async () => {
    await expectError(
      await call('POST', '/admin/products', { ...DRILL, colour: 'green', supplier_ref: 'x' }),
      400,
      invalid("Invalid request: Unrecognized fields: 'colour, supplier_ref'"),
    );
    const variants = [{ ...DRILL.variants[0], inventory: 5 }];
    await expectError(
      await call('POST', '/admin/products', { ...DRILL, variants }),
      400,
      invalid("Invalid request: Unrecognized fields: 'inventory'"),
    );
    await expectError(
      await call('POST', '/admin/products', {
        description: 'no title',
        status: 'live',
        variants: [{ title: 'v' }],
      }),
      400,
      invalid(
        "Invalid request: Field 'title' is required; Expected: 'draft, proposed, published, rejected' for field 'status', but got: 'live'; Field 'variants, 0, prices' is required",
      ),
    );
    // Options and prices are not strict in Medusa: unknown keys there are dropped, not refused.
    const loose = await createDrill({ options: [{ title: 'Voltage', values: ['12V', '18V'], position: 1 }] });
    assert.equal('position' in loose.options[0], false);
  });

  it('answers a malformed JSON body with the unknown-error 500', async () => {
    await expectError(await call('POST', '/admin/products', '{"title": '), 500, {
      code: 'unknown_error',
      type: 'unknown_error',
      message: 'An unknown error occurred.',
    });
  });

  it("updates a product's variant through its route; another product's variant id changes nothing", async () => {
    const drill = await createDrill();
    const variant = drill.variants[0];
    const res = await call('POST', `/admin/products/${drill.id}/variants/${variant.id}`, {
      sku: 'PSR-12-NEW',
    });
    assert.equal(res.status, 200);
    assert.equal(medusa.productByHandle(drill.handle)?.variants[0].sku, 'PSR-12-NEW');
    const stray = await call('POST', `/admin/products/${drill.id}/variants/variant_other`, { sku: 'X' });
    assert.equal(stray.status, 200, 'Medusa updates the variants matching {id, product_id}: none');
    const del = await call('DELETE', `/admin/products/${drill.id}/variants/${variant.id}`);
    assert.deepEqual(
      [
        del.status,
        ((await del.json()) as { object: string }).object,
        medusa.productByHandle(drill.handle)?.variants.length,
      ],
      [200, 'variant', 1],
    );
  });
});

describe('medusa sandbox: faults', () => {
  it('a dropped response still commits the product; a retried create is refused, the lookup finds it', async () => {
    medusa.setFaults({ dropAfterCommit: 1 });
    await assert.rejects(call('POST', '/admin/products', DRILL));
    assert.ok(
      medusa.productByHandle('cordless-drill-psr-18'),
      'committed though the client saw a socket error',
    );
    await expectError(
      await call('POST', '/admin/products', DRILL),
      400,
      invalid('Product with handle: cordless-drill-psr-18, already exists.'),
    );
    const found = (await (await call('GET', '/admin/products?handle=cordless-drill-psr-18')).json()) as {
      count: number;
    };
    assert.equal(found.count, 1);
    assert.equal(medusa.products().length, 1);
    assert.equal(medusa.stats.byStatus.dropped, 1);
  });

  it('429 from the gateway with Retry-After, then normal service', async () => {
    medusa.setFaults({ rateLimited: 1, retryAfterS: 3 });
    const res = await call('GET', '/admin/products');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), 'Too Many Requests');
    assert.equal((await call('GET', '/admin/products')).status, 200);
  });

  it("500 with Medusa's unknown-error body; the write is not made", async () => {
    medusa.setFaults({ serverErrors: 1 });
    await expectError(await call('POST', '/admin/products', DRILL), 500, {
      code: 'unknown_error',
      type: 'unknown_error',
      message: 'An unknown error occurred.',
    });
    assert.equal(medusa.products().length, 0);
  });

  it('down resets every connection until cleared; latency delays answers', async () => {
    medusa.setFaults({ down: true });
    await assert.rejects(call('GET', '/admin/products'));
    medusa.setFaults({ down: false, latencyMs: 150 });
    const started = Date.now();
    assert.equal((await call('GET', '/admin/products')).status, 200);
    assert.ok(Date.now() - started >= 140);
  });

  it('the /__admin API sets faults, shows products and stats, and resets, without authentication', async () => {
    await createDrill();
    const faults = await fetch(`${medusa.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ serverErrors: 2, bogus: 1 }),
    });
    assert.equal(((await faults.json()) as { serverErrors: number }).serverErrors, 2);
    assert.equal((await call('GET', '/admin/products')).status, 500);
    const products = (await (
      await fetch(`${medusa.url}/__admin/products?handle=cordless-drill-psr-18`)
    ).json()) as Product[];
    assert.equal(products.length, 1);
    const stats = (await (await fetch(`${medusa.url}/__admin/stats`)).json()) as {
      byRoute: Record<string, number>;
    };
    assert.deepEqual(stats.byRoute, { 'POST /admin/products': 1, 'GET /admin/products': 1 });
    assert.equal((await fetch(`${medusa.url}/__admin/reset`, { method: 'POST' })).status, 200);
    assert.deepEqual([medusa.products().length, medusa.stats.requests], [0, 0]);
    assert.equal((await call('GET', '/admin/products')).status, 200, 'faults back to the start options');
  });
});
