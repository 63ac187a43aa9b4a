import { z } from 'zod';
import { zodIssues, type ProductIssue } from './issues';

/**
 * A supplier's product as a SHEIN-style export (shein_products.json) carries it: the goods (SPU)
 * with its SKU `goods_sn`, name, category, list and sale prices with their currency, descriptive
 * attributes (`productDetails`), and its SKUs (`sku_list`), each with the sale attributes that
 * tell it apart (size, colour) and optionally its own prices. Fields the pipeline does not use
 * (SHEIN exports carry dozens) are allowed and ignored. Values are checked here for shape only;
 * currencies, categories and attributes are the transform's (canonical.ts).
 */

const text = (what: string) =>
  z
    .string({ error: `must be ${what}` })
    .trim()
    .min(1, `must not be empty`);

/** A code the supplier may write as a number (goods_id 30265255, cat_id 2007). */
const code = z.union([z.string().trim().min(1), z.number().int()]).transform(String);

/** A price as a decimal: a JSON number or a numeric string, never a float's rounding of it. */
const amount = z
  .union([z.number(), z.string().trim()], { error: 'must be a price such as 19.99' })
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a price such as 19.99, without a currency symbol'));

export const supplierPriceSchema = z.looseObject({
  amount,
  currency: text('a currency code such as USD'),
});

const attributeSchema = z.looseObject({ attr_name: text('an attribute name'), attr_value: text('text') });
const saleAttributeSchema = z.looseObject({
  attr_name: text('an attribute name such as Size'),
  attr_value_name: text('the attribute value, such as M'),
});

export const supplierSkuSchema = z.looseObject({
  sku_code: text('the SKU of the variant'),
  sku_sale_attr: z.array(saleAttributeSchema).default([]),
  retailPrice: supplierPriceSchema.optional(),
  salePrice: supplierPriceSchema.optional(),
  stock: z.number().int().min(0).optional(),
});

export const supplierProductSchema = z.looseObject({
  goods_id: code.optional(),
  goods_sn: code.pipe(text('the product SKU')),
  goods_name: text('the product name'),
  goods_desc: z.string().trim().nullish(),
  cat_id: code.optional(),
  cat_name: text('the supplier category').optional(),
  retailPrice: supplierPriceSchema.optional(),
  salePrice: supplierPriceSchema.optional(),
  productDetails: z.array(attributeSchema).default([]),
  sku_list: z.array(supplierSkuSchema).default([]),
  goods_img: text('an image URL').optional(),
  detail_image: z.array(text('an image URL')).default([]),
});

export type SupplierProduct = z.output<typeof supplierProductSchema>;
export type SupplierSku = z.output<typeof supplierSkuSchema>;
export type SupplierPrice = z.output<typeof supplierPriceSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: ProductIssue[] };

export function parseSupplierProduct(element: unknown): Parsed<SupplierProduct> {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    return { ok: false, issues: [{ field: 'product', message: 'must be a JSON object' }] };
  }
  const result = supplierProductSchema.safeParse(element);
  if (!result.success) return { ok: false, issues: zodIssues(result.error, element) };
  if (result.data.cat_id === undefined && result.data.cat_name === undefined) {
    return { ok: false, issues: [{ field: 'cat_name', message: 'is required (or cat_id)' }] };
  }
  return { ok: true, value: result.data };
}

/** The SKU a product element names, before it is validated: what its record is known by. */
export function skuOf(element: unknown): string | null {
  if (typeof element !== 'object' || element === null) return null;
  const sku = (element as Record<string, unknown>).goods_sn;
  if (typeof sku === 'number' && Number.isInteger(sku)) return String(sku);
  return typeof sku === 'string' && sku.trim() !== '' ? sku.trim() : null;
}
