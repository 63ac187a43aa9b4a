import { z } from 'zod';
import type { MedusaProductBody } from '../../connectors/medusa';
import type { AttributeName } from './attributes';
import type { CanonicalProduct } from './canonical';
import type { Parsed } from './supplier';

/**
 * The storefront's body: a Medusa v2 POST /admin/products body. The product is known by its
 * handle (made from the supplier and SKU, so two suppliers' equal SKUs are two products) and
 * carries the record id as external_id; its options are the canonical options and every variant
 * names a value of each; prices are in major units of the store currency, its code in lower case
 * as the store's regions have it. Stock is not the feed's: variants do not manage inventory.
 */

const OPTION_TITLES: Record<AttributeName, string> = { size: 'Size', colour: 'Colour', material: 'Material' };
/** Medusa's admin gives a product without options one option with one value; so does record-sync. */
const DEFAULT_OPTION = 'Default';

const price = z.strictObject({
  currency_code: z.string().regex(/^[a-z]{3}$/, 'must be a lower-case currency code'),
  amount: z.number().finite().positive(),
});

export const medusaProductSchema = z.strictObject({
  title: z.string().min(1),
  handle: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a URL-safe handle'),
  external_id: z.string().min(1),
  status: z.literal('published'),
  description: z.string().nullable(),
  material: z.string().nullable(),
  options: z
    .array(z.strictObject({ title: z.string().min(1), values: z.array(z.string().min(1)).min(1) }))
    .min(1),
  variants: z
    .array(
      z.strictObject({
        title: z.string().min(1),
        sku: z.string().min(1),
        options: z.record(z.string(), z.string()),
        prices: z.array(price).min(1),
        manage_inventory: z.literal(false),
      }),
    )
    .min(1),
  categories: z.array(z.strictObject({ id: z.string().min(1) })),
  images: z.array(z.strictObject({ url: z.url() })),
  thumbnail: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  sales_channels: z.array(z.strictObject({ id: z.string() })).optional(),
});

/** `shein` and `SK-2312/A` make `shein-sk-2312-a`. */
export function productHandle(supplier: string, sku: string): string {
  return `${supplier}-${sku}`
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function medusaProductOf(
  product: CanonicalProduct,
  context: { recordId: string; salesChannelId?: string },
): Parsed<MedusaProductBody> {
  const options =
    product.options.length > 0
      ? product.options.map((option) => ({ title: OPTION_TITLES[option.name], values: option.values }))
      : [{ title: DEFAULT_OPTION, values: [DEFAULT_OPTION] }];
  const body = {
    title: product.name,
    handle: productHandle(product.supplier, product.sku),
    external_id: context.recordId,
    status: 'published' as const,
    description: product.description,
    material: product.attributes.material ?? null,
    options,
    variants: product.variants.map((variant) => ({
      title: variant.title,
      sku: variant.sku,
      options:
        product.options.length > 0
          ? Object.fromEntries(product.options.map((o) => [OPTION_TITLES[o.name], variant.options[o.name]!]))
          : { [DEFAULT_OPTION]: DEFAULT_OPTION },
      prices: [{ currency_code: variant.price.currency.toLowerCase(), amount: Number(variant.price.amount) }],
      manage_inventory: false as const,
    })),
    categories: [{ id: product.category.medusaCategoryId }],
    images: product.images.map((url) => ({ url })),
    thumbnail: product.images[0] ?? null,
    metadata: {
      supplier: product.supplier,
      supplier_sku: product.sku,
      supplier_category: product.category.supplier,
      exchange_rates_of: product.ratesDate,
    },
    ...(context.salesChannelId ? { sales_channels: [{ id: context.salesChannelId }] } : {}),
  };
  const checked = medusaProductSchema.safeParse(body);
  if (!checked.success) {
    return {
      ok: false,
      issues: checked.error.issues.map((issue) => ({
        field: issue.path.join('.'),
        message: `${issue.message} (the storefront's product)`,
      })),
    };
  }
  return { ok: true, value: checked.data };
}
