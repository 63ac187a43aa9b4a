import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../src/config';
import { readTransformFiles } from '../src/pipelines/products';
import { toCanonical, type CanonicalProduct } from '../src/pipelines/products/canonical';
import { parseCategoryMapping } from '../src/pipelines/products/categories';
import { convert, parseRates } from '../src/pipelines/products/currency';
import { inColumns, parseFeedRow } from '../src/pipelines/products/csv-feed';
import type { ProductIssue } from '../src/pipelines/products/issues';
import { medusaProductOf, productHandle } from '../src/pipelines/products/medusa';
import { pimUpsertOf } from '../src/pipelines/products/pimcore';
import {
  applyProductEdit,
  forbiddenEditFields,
  isNewerVersion,
  parseProductVersion,
  productVersion,
  supplierProductOf,
  type ProductRecord,
} from '../src/pipelines/products/record';
import { productRetry } from '../src/pipelines/products/settings';
import { parseSupplierProduct, type SupplierProduct } from '../src/pipelines/products/supplier';

const SAMPLE = path.resolve(__dirname, '..', 'samples', 'products', 'shein_products_2026-11.json');
const transform = readTransformFiles({
  storeCurrency: 'EUR',
  ratesFile: undefined,
  categoriesFile: undefined,
});

/** A SHEIN-style product: a dress in three sizes, its colour and material its own. */
function dress(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    goods_id: 30265255,
    goods_sn: 'sw2611001',
    goods_name: '  SHEIN   Wrap Dress ',
    goods_desc: 'A wrap dress.',
    cat_id: '1700',
    cat_name: 'Women Dresses',
    retailPrice: { amount: '29.99', currency: 'USD' },
    salePrice: { amount: '19.97', currency: 'USD' },
    productDetails: [
      { attr_name: 'Color', attr_value: 'Black' },
      { attr_name: 'Fabric', attr_value: 'Viscose' },
      { attr_name: 'Pattern Type', attr_value: 'Plain' },
    ],
    sku_list: ['S', 'M', 'L'].map((size) => ({
      sku_code: `sw2611001-${size}`,
      sku_sale_attr: [{ attr_name: 'Size', attr_value_name: size }],
    })),
    goods_img: '//img.ltwebstatic.com/images3_pi/dress.jpg',
    detail_image: ['https://img.ltwebstatic.com/images3_pi/dress-2.jpg'],
    ...extra,
  };
}

function without(product: Record<string, unknown>, ...fields: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(product).filter(([field]) => !fields.includes(field)));
}

function supplier(element: unknown): SupplierProduct {
  const parsed = parseSupplierProduct(element);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  return parsed.value;
}

function canonical(element: unknown): CanonicalProduct {
  const result = toCanonical(supplier(element), 'shein', transform);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.value;
}

function issuesOf(element: unknown): ProductIssue[] {
  const parsed = parseSupplierProduct(element);
  if (!parsed.ok) return parsed.issues;
  const result = toCanonical(parsed.value, 'shein', transform);
  assert.ok(!result.ok, 'the product was accepted');
  return result.issues;
}

describe('products: the supplier schema', () => {
  it('takes a SHEIN-style product, ignoring fields it does not use', () => {
    const product = supplier(dress({ mall_code: '1', series: { id: 5913 } }));
    assert.equal(product.goods_sn, 'sw2611001');
    assert.equal(product.cat_id, '1700');
    assert.deepEqual(product.salePrice, { amount: '19.97', currency: 'USD' });
  });

  it('names the field and shows the value of what it refuses', () => {
    const noSku = without(dress(), 'goods_sn');
    assert.deepEqual(issuesOf(noSku), [{ field: 'goods_sn', message: 'is required' }]);
    assert.deepEqual(issuesOf(dress({ salePrice: { amount: '$19.99', currency: 'USD' } })), [
      {
        field: 'salePrice.amount',
        message: 'must be a price such as 19.99, without a currency symbol',
        value: '$19.99',
      },
    ]);
    assert.deepEqual(issuesOf('discontinued'), [{ field: 'product', message: 'must be a JSON object' }]);
    const noCategory = without(dress(), 'cat_id', 'cat_name');
    assert.deepEqual(issuesOf(noCategory), [{ field: 'cat_name', message: 'is required (or cat_id)' }]);
  });
});

describe('products: currency conversion', () => {
  it('converts with decimals, rounding once to the store currency’s minor unit', () => {
    // 19.97 / 1.0821 = 18.4548…; a binary float chain would be as likely to print 18.454…
    assert.deepEqual(convert('19.97', 'USD', 'EUR', transform.rates), { ok: true, amount: '18.45' });
    // 10 EUR in yen is 1632.5: half up, no minor unit.
    assert.deepEqual(convert('10', 'EUR', 'JPY', transform.rates), { ok: true, amount: '1633' });
    // Through the base: 100 GBP → EUR → USD, exactly 100 / 0.8423 × 1.0821.
    assert.deepEqual(convert('100', 'GBP', 'USD', transform.rates), { ok: true, amount: '128.47' });
    // Amounts beyond a double's precision stay exact.
    assert.deepEqual(convert('12345678901234567.89', 'EUR', 'EUR', transform.rates), {
      ok: true,
      amount: '12345678901234567.89',
    });
  });

  it('fails a price in an unknown currency or one without a rate, naming the field', () => {
    assert.deepEqual(issuesOf(dress({ salePrice: { amount: '19.97', currency: 'USX' } })), [
      { field: 'salePrice.currency', value: 'USX', message: 'must be an ISO 4217 currency code such as USD' },
    ]);
    const [issue] = issuesOf(dress({ salePrice: { amount: '19.97', currency: 'BRL' } }));
    assert.equal(issue.field, 'salePrice.currency');
    assert.match(issue.message, /no exchange rate for BRL in the rates of 2026-11-20/);
    assert.deepEqual(issuesOf(dress({ salePrice: { amount: '0.00', currency: 'USD' } })), [
      { field: 'salePrice.amount', value: '0.00', message: 'must be more than 0' },
    ]);
    const unpriced = without(dress(), 'salePrice', 'retailPrice');
    assert.deepEqual(issuesOf(unpriced), [
      {
        field: 'salePrice',
        message:
          'is required (or retailPrice): the product has no price and sku_list.0, sku_list.1, sku_list.2 none of their own',
      },
    ]);
  });

  it('refuses a rates file without its date, naming the file and the field', () => {
    assert.throws(
      () => parseRates({ base: 'EUR', rates: { USD: '1.08' } }, 'rates.json'),
      /PRODUCT_CURRENCY_RATES_FILE rates\.json: date: /,
    );
    assert.throws(
      () => parseRates({ date: '2026-11-20', base: 'EUR', rates: { USD: '-1' } }, 'rates.json'),
      /rates\.USD: must be a positive decimal/,
    );
  });
});

describe('products: category mapping', () => {
  it('maps by supplier category id or name, whatever the case, spacing or path separators', () => {
    const mapping = parseCategoryMapping(
      {
        categories: {
          '1727': { handle: 'womens-tops', medusaCategoryId: 'pcat_01TOPS' },
          'Shoes > Sneakers': { handle: 'sneakers', medusaCategoryId: 'pcat_01SNEAKERS' },
        },
      },
      'categories.json',
    );
    assert.equal(mapping.storeCategory({ id: '1727', name: 'whatever' })?.handle, 'womens-tops');
    assert.equal(mapping.storeCategory({ name: 'shoes/sneakers' })?.handle, 'sneakers');
    assert.equal(mapping.storeCategory({ name: '  SHOES   >  SNEAKERS ' })?.handle, 'sneakers');
    assert.equal(mapping.storeCategory({ name: 'Shoes' }), undefined);
    assert.throws(
      () =>
        parseCategoryMapping(
          { categories: { Bags: { handle: 'Bags!', medusaCategoryId: 'pcat_1' } } },
          'categories.json',
        ),
      /PRODUCT_CATEGORIES_FILE categories\.json: categories\.Bags\.handle: must be a category handle/,
    );
  });

  it('fails a product whose category is not mapped, naming the category', () => {
    assert.deepEqual(issuesOf(dress({ cat_id: '2901', cat_name: 'Pet Supplies' })), [
      {
        field: 'cat_name',
        value: 'Pet Supplies',
        message:
          "the supplier category 'Pet Supplies' is mapped to no store category (PRODUCT_CATEGORIES_FILE)",
      },
    ]);
  });
});

describe('products: attributes, options and variants', () => {
  it('makes what variants differ by an option, and what they share the product’s own', () => {
    const product = canonical(dress());
    assert.equal(product.name, 'SHEIN Wrap Dress');
    assert.deepEqual(product.attributes, { colour: 'Black', material: 'Viscose' });
    assert.deepEqual(product.options, [{ name: 'size', values: ['S', 'M', 'L'] }]);
    assert.deepEqual(
      product.variants.map((v) => [v.sku, v.title, v.options, v.price]),
      ['S', 'M', 'L'].map((size) => [
        `sw2611001-${size}`,
        size,
        { size },
        { amount: '18.45', currency: 'EUR' },
      ]),
    );
    assert.deepEqual(product.category, {
      handle: 'womens-dresses',
      medusaCategoryId: 'pcat_01SAMPLEWOMENSDRESSES00000',
      supplier: 'Women Dresses',
    });
    assert.deepEqual(product.images, [
      'https://img.ltwebstatic.com/images3_pi/dress.jpg',
      'https://img.ltwebstatic.com/images3_pi/dress-2.jpg',
    ]);
    assert.equal(product.ratesDate, '2026-11-20');
  });

  it('takes a variant’s own price, and size and colour together', () => {
    const skus = [
      ['Black', 'S', undefined],
      ['Black', 'M', undefined],
      ['Red', 'S', { amount: '21.64', currency: 'USD' }],
    ] as const;
    const product = canonical(
      dress({
        sku_list: skus.map(([colour, size, price], i) => ({
          sku_code: `V${i}`,
          sku_sale_attr: [
            { attr_name: 'Colour', attr_value_name: colour },
            { attr_name: 'size', attr_value_name: size },
          ],
          ...(price ? { salePrice: price } : {}),
        })),
      }),
    );
    assert.deepEqual(product.options, [
      { name: 'size', values: ['S', 'M'] },
      { name: 'colour', values: ['Black', 'Red'] },
    ]);
    assert.deepEqual(product.attributes, { material: 'Viscose' });
    assert.deepEqual(
      product.variants.map((v) => [v.title, v.price.amount]),
      [
        ['S / Black', '18.45'],
        ['M / Black', '18.45'],
        ['S / Red', '20.00'],
      ],
    );
  });

  it('gives a product without SKUs one variant, its own SKU', () => {
    const product = canonical(dress({ sku_list: [] }));
    assert.deepEqual(product.options, []);
    assert.deepEqual(
      product.variants.map((v) => [v.sku, v.title]),
      [['sw2611001', 'Default']],
    );
  });

  it('fails a variant without its size, two alike, and a sale attribute that is none of the three', () => {
    const skus = dress().sku_list as { sku_sale_attr: unknown[] }[];
    const withoutSize = structuredClone(skus);
    withoutSize[1].sku_sale_attr = [];
    assert.deepEqual(issuesOf(dress({ sku_list: withoutSize })), [
      {
        field: 'sku_list.1.sku_sale_attr',
        message: 'has no size, while other variants of the product have one',
      },
    ]);
    const twice = structuredClone(skus);
    twice[2].sku_sale_attr = structuredClone(twice[0].sku_sale_attr);
    assert.deepEqual(issuesOf(dress({ sku_list: twice })), [
      { field: 'sku_list.2.sku_sale_attr', message: 'has the same size, colour and material as sku_list.0' },
    ]);
    const style = structuredClone(skus);
    style[0].sku_sale_attr.push({ attr_name: 'Style', attr_value_name: 'Casual' });
    assert.deepEqual(issuesOf(dress({ sku_list: style })).at(0), {
      field: 'sku_list.0.sku_sale_attr.1.attr_name',
      value: 'Style',
      message: 'is not a size, colour or material: a variant may differ only by those',
    });
  });
});

describe('products: the sample supplier file', () => {
  it('has 300 products, of which exactly the ones its README lists fail, each naming its field', () => {
    const { products } = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { products: unknown[] };
    assert.equal(products.length, 300);
    const failing = new Map<number, string>();
    products.forEach((element, index) => {
      const parsed = parseSupplierProduct(element);
      const result = parsed.ok ? toCanonical(parsed.value, 'shein', transform) : parsed;
      const upsert = result.ok ? pimUpsertOf(result.value, { version: 'v', workflowId: 'w' }) : result;
      if (!upsert.ok) failing.set(index + 1, upsert.issues[0].field);
    });
    assert.deepEqual(
      [...failing],
      [
        [17, 'salePrice'],
        [41, 'salePrice.currency'],
        [58, 'salePrice.currency'],
        [76, 'cat_name'],
        [93, 'sku_list.1.sku_sale_attr'],
        [112, 'sku_list.2.sku_sale_attr'],
        [135, 'goods_sn'],
        [151, 'product'],
        [170, 'salePrice.amount'],
        [188, 'sku_list.0.sku_sale_attr.1.attr_name'],
        [204, 'goods_img'],
        [222, 'goods_sn'],
        [247, 'salePrice.amount'],
      ],
    );
  });
});

describe('products: the CSV feed', () => {
  const row = (cells: Record<string, string>) => ({
    goods_sn: 'ACME-1',
    goods_name: 'Cushion Cover',
    cat_name: 'Home Textiles',
    currency: 'EUR',
    sale_price: '17.07',
    retail_price: '20.08',
    material: 'Linen',
    colours: 'Grey|Navy Blue',
    sizes: '40x40cm|45x45cm',
    images: 'https://cdn.acme.example/1.jpg|https://cdn.acme.example/2.jpg',
    ...cells,
  });

  it('makes every combination of the listed colours and sizes a variant', () => {
    const parsed = parseFeedRow(row({}));
    assert.ok(parsed.ok);
    const result = toCanonical(parsed.value, 'acme', transform);
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.variants.map((v) => [v.sku, v.title]),
      [
        ['ACME-1-GREY-40X40CM', '40x40cm / Grey'],
        ['ACME-1-GREY-45X45CM', '45x45cm / Grey'],
        ['ACME-1-NAVY-BLUE-40X40CM', '40x40cm / Navy Blue'],
        ['ACME-1-NAVY-BLUE-45X45CM', '45x45cm / Navy Blue'],
      ],
    );
    assert.deepEqual(result.value.attributes, { material: 'Linen' });
    const single = parseFeedRow(row({ colours: 'Grey', sizes: '' }));
    assert.ok(single.ok);
    const one = toCanonical(single.value, 'acme', transform);
    assert.ok(one.ok);
    assert.deepEqual(one.value.attributes, { material: 'Linen', colour: 'Grey' });
    assert.equal(one.value.variants.length, 1);
  });

  it('names the row’s columns in its problems', () => {
    const problems = (cells: Record<string, string>) => {
      const values = row(cells);
      const parsed = parseFeedRow(values);
      if (!parsed.ok) return parsed.issues.map((issue) => issue.field);
      const result = toCanonical(parsed.value, 'acme', transform);
      assert.ok(!result.ok);
      return result.issues.map((issue) => inColumns(issue, values).field);
    };
    assert.deepEqual(problems({ sale_price: '€17' }), ['sale_price']);
    assert.deepEqual(problems({ sale_price: '', retail_price: '' }), ['sale_price']);
    assert.deepEqual(problems({ currency: 'XYZ' }), ['currency']);
    assert.deepEqual(problems({ cat_name: 'Garden Furniture' }), ['cat_name']);
    assert.deepEqual(problems({ images: 'cdn.acme.example/1.jpg' }), ['images']);
  });
});

describe('products: the destinations’ bodies', () => {
  it('writes the PIM body with the record’s version and workflow, variants only where options are', () => {
    const product = canonical(dress());
    const upsert = pimUpsertOf(product, { version: 'V1', workflowId: 'record-sync-products-x' });
    assert.ok(upsert.ok);
    assert.deepEqual(upsert.value.input, {
      sku: 'sw2611001',
      name: 'SHEIN Wrap Dress',
      description: 'A wrap dress.',
      price: 18.45,
      currency: 'EUR',
      categories: ['womens-dresses'],
      material: 'Viscose',
      size: null,
      colour: 'Black',
      images: {
        replace: true,
        items: {
          ProductImage: [
            { url: 'https://img.ltwebstatic.com/images3_pi/dress.jpg', alt: 'SHEIN Wrap Dress (1)' },
            { url: 'https://img.ltwebstatic.com/images3_pi/dress-2.jpg', alt: 'SHEIN Wrap Dress (2)' },
          ],
        },
      },
      supplier: 'shein',
      sourceVersion: 'V1',
      syncWorkflowId: 'record-sync-products-x',
    });
    assert.deepEqual(upsert.value.variants[0], {
      sku: 'sw2611001-S',
      input: {
        sku: 'sw2611001-S',
        price: 18.45,
        currency: 'EUR',
        size: 'S',
        colour: 'Black',
        material: 'Viscose',
        sourceVersion: 'V1',
      },
    });
    const single = pimUpsertOf(canonical(dress({ sku_list: [] })), { version: 'V1', workflowId: 'w' });
    assert.ok(single.ok);
    assert.deepEqual(single.value.variants, []);
    const spaced = pimUpsertOf(canonical(dress({ goods_sn: 'SW 1' })), { version: 'V1', workflowId: 'w' });
    assert.ok(!spaced.ok);
    assert.equal(spaced.issues[0].field, 'goods_sn');
  });

  it('writes the storefront body by handle, with lower-case currency codes and prices in major units', () => {
    const body = medusaProductOf(canonical(dress()), {
      recordId: 'shein/sw2611001',
      salesChannelId: 'sc_01X',
    });
    assert.ok(body.ok);
    const { variants, ...product } = body.value;
    assert.deepEqual(product, {
      title: 'SHEIN Wrap Dress',
      handle: 'shein-sw2611001',
      external_id: 'shein/sw2611001',
      status: 'published',
      description: 'A wrap dress.',
      material: 'Viscose',
      options: [{ title: 'Size', values: ['S', 'M', 'L'] }],
      categories: [{ id: 'pcat_01SAMPLEWOMENSDRESSES00000' }],
      images: [
        { url: 'https://img.ltwebstatic.com/images3_pi/dress.jpg' },
        { url: 'https://img.ltwebstatic.com/images3_pi/dress-2.jpg' },
      ],
      thumbnail: 'https://img.ltwebstatic.com/images3_pi/dress.jpg',
      metadata: {
        supplier: 'shein',
        supplier_sku: 'sw2611001',
        supplier_category: 'Women Dresses',
        exchange_rates_of: '2026-11-20',
      },
      sales_channels: [{ id: 'sc_01X' }],
    });
    assert.deepEqual(variants[0], {
      title: 'S',
      sku: 'sw2611001-S',
      options: { Size: 'S' },
      prices: [{ currency_code: 'eur', amount: 18.45 }],
      manage_inventory: false,
    });
    const single = medusaProductOf(canonical(dress({ sku_list: [] })), { recordId: 'shein/sw2611001' });
    assert.ok(single.ok);
    assert.deepEqual(single.value.options, [{ title: 'Default', values: ['Default'] }]);
    assert.deepEqual(single.value.variants[0].options, { Default: 'Default' });
    assert.equal(productHandle('Shein', 'SK-2312/Ä b'), 'shein-sk-2312-a-b');
  });
});

describe('products: versions, edits, settings', () => {
  const file = { lastModified: '2026-11-24T10:00:00.000Z', checksum: 'a'.repeat(64) };
  const later = { lastModified: '2026-11-24T11:00:00.000Z', checksum: 'b'.repeat(64) };

  it('orders versions by file, then by place; files dropped at one instant are not ordered', () => {
    const v3 = productVersion(file, 3);
    assert.equal(v3, `2026-11-24T10:00:00.000Z|${'a'.repeat(64)}|0000000003`);
    assert.deepEqual(parseProductVersion(v3), {
      lastModified: file.lastModified,
      checksum: file.checksum,
      index: 3,
    });
    assert.equal(isNewerVersion(productVersion(file, 4), v3), true);
    assert.equal(isNewerVersion(productVersion(later, 0), v3), true);
    assert.equal(isNewerVersion(v3, productVersion(later, 0)), false);
    assert.equal(isNewerVersion(v3, v3), false);
    assert.equal(isNewerVersion(productVersion({ ...file, checksum: 'c'.repeat(64) }, 9), v3), false);
    assert.equal(isNewerVersion(null, v3), false);
    assert.equal(isNewerVersion('typed by a person', v3), false);
  });

  it('applies an edit at its dotted paths, and refuses paths that leave the product', () => {
    const record: ProductRecord = {
      file: { key: 'inbox/shein.json', ...file, supplier: 'shein', format: 'json' },
      index: 0,
      position: 1,
      product: dress({ cat_name: 'Pet Supplies', cat_id: '2901' }),
    };
    const edited = applyProductEdit(record, {
      cat_name: 'Women Dresses',
      'sku_list.1.sku_sale_attr.0.attr_value_name': 'XL',
    }) as ProductRecord;
    const parsed = supplierProductOf(edited);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.cat_name, 'Women Dresses');
    assert.equal(parsed.value.sku_list[1].sku_sale_attr[0].attr_value_name, 'XL');
    assert.equal(
      (record.product as { cat_name: string }).cat_name,
      'Pet Supplies',
      'the record is not changed',
    );
    assert.deepEqual(forbiddenEditFields({ '__proto__.x': 1, 'a..b': 2, cat_name: 'x' }), [
      { field: '__proto__.x', message: 'is not a field of the product' },
      { field: 'a..b', message: 'is not a field of the product' },
    ]);
  });

  it('retries a failing write exactly three times, however fast or slow its attempts fail', () => {
    for (const initial of [100, 10_000]) {
      const retry = productRetry(initial);
      // The engine's withinBudget: after attempt n fails, it waits initial × coefficient^(n-1)
      // unless that would end past the first failure + the budget.
      for (const attemptMs of [0, initial * 4.4]) {
        let attempts = 1;
        let now = attemptMs;
        const firstFailedAt = now;
        for (;;) {
          const delay = Math.min(
            retry.initialIntervalMs * retry.backoffCoefficient ** (attempts - 1),
            retry.maximumIntervalMs,
          );
          if (now + delay > firstFailedAt + retry.budgetMs) break;
          now += delay + attemptMs;
          attempts += 1;
        }
        assert.equal(attempts, 3, `initial ${initial} ms, attempts of ${attemptMs} ms`);
      }
    }
  });

  it('names each missing setting when the products pipeline is configured in part', () => {
    const base = { RECORD_SYNC_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
    assert.equal(parseConfig(base).products, null);
    let message = '';
    try {
      parseConfig({ ...base, PRODUCT_FILES_FOLDER: '/tmp/drop', MEDUSA_URL: 'http://127.0.0.1:9000' });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      message = error.message;
    }
    for (const variable of [
      'PIMCORE_URL',
      'PIMCORE_GRAPHQL_ENDPOINT',
      'PIMCORE_API_KEY',
      'PIMCORE_WEBHOOK_SECRET',
      'MEDUSA_SECRET_API_KEY',
      'STORE_CURRENCY',
    ]) {
      assert.match(message, new RegExp(`${variable}: is required for the products pipeline`));
    }
    assert.doesNotMatch(message, /PRODUCT_FILES_FOLDER|MEDUSA_URL:/);
    const config = parseConfig({
      ...base,
      PRODUCT_FILES_FOLDER: '/tmp/drop',
      PIMCORE_URL: 'https://pim.example.com/',
      PIMCORE_GRAPHQL_ENDPOINT: 'recordsync',
      PIMCORE_API_KEY: 'pim-api-key-0123',
      PIMCORE_WEBHOOK_SECRET: 'pim-webhook-secret-0123',
      MEDUSA_URL: 'https://shop.example.com',
      MEDUSA_SECRET_API_KEY: 'sk_0123456789',
      STORE_CURRENCY: 'eur',
      PRODUCT_PUBLISH_DEADLINE: '2h',
    });
    assert.equal(
      config.products?.pimcore.graphqlUrl,
      'https://pim.example.com/pimcore-graphql-webservices/recordsync',
    );
    assert.equal(config.products?.storeCurrency, 'EUR');
    assert.deepEqual(config.products?.settings.awaiting, {
      stage: 'PIM_UPSERTED',
      stages: ['PIM_UPSERTED', 'PUBLISHED', 'LIVE'],
      deadlineMs: 7_200_000,
      reminderMs: 3_600_000,
    });
    assert.throws(
      () => parseConfig({ ...base, STORE_CURRENCY: 'EURO' }),
      /STORE_CURRENCY: must be an ISO 4217 currency code/,
    );
  });
});
