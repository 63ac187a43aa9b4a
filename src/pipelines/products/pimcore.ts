import { z } from 'zod';
import type { PimUpsert } from '../../connectors/pimcore';
import type { AttributeName } from './attributes';
import type { CanonicalProduct } from './canonical';
import { isNewerVersion } from './record';
import { shown, valueAt, type ProductIssue } from './issues';
import type { Parsed } from './supplier';

/**
 * The PIM's body: the Datahub input (UpdateProductInput) of Pimcore's Product class for the
 * product and for each of its variants (object variants, children of the product, inheriting
 * what they leave empty). Checked before it is sent, with Pimcore's own limits (an Input field's
 * 190 characters, the SKU's pattern, a Numeric price of two decimals), so that a product Pimcore
 * would refuse fails alone instead of failing its batch's GraphQL document.
 */

const input = z.string().max(190, 'is longer than the PIM takes (190 characters)');
const sku = input.regex(
  /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  'must be letters, digits, ".", "_" and "-" for the PIM',
);
const price = z.number().finite().min(0);

export const pimProductSchema = z.strictObject({
  sku,
  name: input.min(1),
  description: z.string().nullable(),
  price,
  currency: z.string().regex(/^[A-Z]{3}$/),
  categories: z.array(z.string()),
  material: input.nullable(),
  size: input.nullable(),
  colour: input.nullable(),
  images: z.strictObject({
    replace: z.literal(true),
    items: z.strictObject({
      ProductImage: z.array(z.strictObject({ url: z.url(), alt: z.string() })),
    }),
  }),
  supplier: input,
  sourceVersion: input,
  syncWorkflowId: input,
});

/** A variant sets what tells it apart and its price; the rest it inherits from its product. */
export const pimVariantSchema = z.strictObject({
  sku,
  price,
  currency: z.string().regex(/^[A-Z]{3}$/),
  size: input.nullable(),
  colour: input.nullable(),
  material: input.nullable(),
  sourceVersion: input,
});

/** Where each PIM field comes from in the supplier's product, for a person reading the failure. */
const SUPPLIER_FIELD: Record<string, string> = {
  sku: 'goods_sn',
  name: 'goods_name',
  description: 'goods_desc',
  supplier: 'file',
  syncWorkflowId: 'workflow id',
  sourceVersion: 'version',
};

const valueOf = (
  product: CanonicalProduct,
  variant: Record<string, string | undefined>,
  name: AttributeName,
) => variant[name] ?? product.attributes[name] ?? null;

/**
 * The product's upsert: written with the record's version (the guard) and its workflow id (what
 * the publish webhook names). Never overwrites a product the PIM holds at a newer version.
 */
export function pimUpsertOf(
  product: CanonicalProduct,
  context: { version: string; workflowId: string },
): Parsed<PimUpsert> {
  const body = {
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: Number(product.price.amount),
    currency: product.price.currency,
    categories: [product.category.handle],
    material: product.attributes.material ?? null,
    size: product.attributes.size ?? null,
    colour: product.attributes.colour ?? null,
    images: {
      replace: true as const,
      items: {
        ProductImage: product.images.map((url, index) => ({ url, alt: `${product.name} (${index + 1})` })),
      },
    },
    supplier: product.supplier,
    sourceVersion: context.version,
    syncWorkflowId: context.workflowId,
  };
  const checked = pimProductSchema.safeParse(body);
  if (!checked.success) return { ok: false, issues: pimIssues(checked.error, body, '') };
  // A product without options is one object: its one variant is the product itself.
  const variants = product.options.length === 0 ? [] : product.variants;
  const inputs = [];
  for (const [index, variant] of variants.entries()) {
    const variantBody = {
      sku: variant.sku,
      price: Number(variant.price.amount),
      currency: variant.price.currency,
      size: valueOf(product, variant.options, 'size'),
      colour: valueOf(product, variant.options, 'colour'),
      material: valueOf(product, variant.options, 'material'),
      sourceVersion: context.version,
    };
    const parsed = pimVariantSchema.safeParse(variantBody);
    if (!parsed.success)
      return { ok: false, issues: pimIssues(parsed.error, variantBody, `sku_list.${index}.`) };
    inputs.push({ sku: variant.sku, input: parsed.data });
  }
  return {
    ok: true,
    value: {
      sku: product.sku,
      input: checked.data,
      variants: inputs,
      isNewer: (held) => isNewerVersion(held, context.version),
    },
  };
}

function pimIssues(error: z.ZodError, body: unknown, prefix: string): ProductIssue[] {
  return error.issues.map((issue) => {
    const pimField = String(issue.path[0] ?? 'product');
    const field =
      prefix === ''
        ? (SUPPLIER_FIELD[pimField] ?? pimField)
        : `${prefix}${pimField === 'sku' ? 'sku_code' : pimField}`;
    const value = shown(valueAt(body, issue.path.map(String).join('.')));
    return {
      field,
      message: `${issue.message} (the PIM's ${pimField})`,
      ...(value === undefined ? {} : { value }),
    };
  });
}
