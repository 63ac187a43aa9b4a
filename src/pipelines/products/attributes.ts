import type { ProductIssue } from './issues';
import type { SupplierProduct } from './supplier';

/**
 * Size, colour and material out of a supplier's attributes: the descriptive ones of the product
 * (`productDetails`) and the sale attributes that tell its SKUs apart (`sku_list[].sku_sale_attr`).
 * An attribute some SKUs vary by is an option of the product, and every SKU must then give it;
 * one they share is the product's own.
 */

export const ATTRIBUTES = ['size', 'colour', 'material'] as const;
export type AttributeName = (typeof ATTRIBUTES)[number];
export type AttributeValues = Partial<Record<AttributeName, string>>;

/** Supplier wordings of each attribute, compared without case, spaces or punctuation. */
const WORDINGS: Record<AttributeName, string[]> = {
  size: ['size', 'sizes', 'clothingsize', 'shoesize'],
  colour: ['colour', 'color', 'colours', 'colors'],
  material: ['material', 'materials', 'fabric', 'composition'],
};

export function attributeNamed(name: string): AttributeName | undefined {
  const plain = name.toLowerCase().replace(/[^a-z]/g, '');
  return ATTRIBUTES.find((attribute) => WORDINGS[attribute].includes(plain));
}

const tidy = (value: string) => value.trim().replace(/\s+/g, ' ');

export interface ExtractedVariant {
  sku: string;
  /** Its place in `sku_list`; null for the one variant of a product that lists no SKUs. */
  index: number | null;
  values: AttributeValues;
}

export interface Extracted {
  /** What the product itself is (attributes no variant varies by). */
  attributes: AttributeValues;
  /** The attributes variants differ by, with their values in order of first appearance. */
  options: { name: AttributeName; values: string[] }[];
  variants: ExtractedVariant[];
}

export function extractAttributes(
  product: SupplierProduct,
): { ok: true; value: Extracted } | { ok: false; issues: ProductIssue[] } {
  const issues: ProductIssue[] = [];
  const attributes: AttributeValues = {};
  for (const { attr_name, attr_value } of product.productDetails) {
    const name = attributeNamed(attr_name);
    if (name && attributes[name] === undefined) attributes[name] = tidy(attr_value);
  }

  const variants: ExtractedVariant[] = product.sku_list.map((sku, index) => {
    const values: AttributeValues = {};
    sku.sku_sale_attr.forEach(({ attr_name, attr_value_name }, at) => {
      const field = `sku_list.${index}.sku_sale_attr.${at}`;
      const name = attributeNamed(attr_name);
      if (!name) {
        issues.push({
          field: `${field}.attr_name`,
          value: attr_name,
          message: `is not a size, colour or material: a variant may differ only by those`,
        });
      } else if (values[name] !== undefined) {
        issues.push({ field: `${field}.attr_name`, value: attr_name, message: `gives the ${name} twice` });
      } else values[name] = tidy(attr_value_name);
    });
    return { sku: sku.sku_code, index, values };
  });
  if (variants.length === 0) variants.push({ sku: product.goods_sn, index: null, values: {} });

  const options = ATTRIBUTES.filter((name) => variants.some((v) => v.values[name] !== undefined)).map(
    (name) => ({ name, values: [...new Set(variants.flatMap((v) => v.values[name] ?? []))] }),
  );
  for (const { name } of options) {
    delete attributes[name];
    for (const variant of variants) {
      if (variant.values[name] === undefined) {
        issues.push({
          field: `sku_list.${variant.index}.sku_sale_attr`,
          message: `has no ${name}, while other variants of the product have one`,
        });
      }
    }
  }
  issues.push(...duplicates(product, variants));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { attributes, options, variants } };
}

/** Two variants with one SKU, or with the same options, are one variant twice. */
function duplicates(product: SupplierProduct, variants: ExtractedVariant[]): ProductIssue[] {
  const issues: ProductIssue[] = [];
  const skus = new Map<string, number | null>();
  const combinations = new Map<string, number | null>();
  for (const variant of variants) {
    if (variant.index === null) continue;
    const field = `sku_list.${variant.index}`;
    if (variant.sku === product.goods_sn) {
      issues.push({ field: `${field}.sku_code`, value: variant.sku, message: 'must differ from goods_sn' });
    }
    const sameSku = skus.get(variant.sku);
    if (sameSku !== undefined) {
      issues.push({
        field: `${field}.sku_code`,
        value: variant.sku,
        message: `is the SKU of sku_list.${sameSku} too`,
      });
    }
    skus.set(variant.sku, variant.index);
    const combination = ATTRIBUTES.map((name) => variant.values[name] ?? '').join('\u0000');
    const sameOptions = combinations.get(combination);
    if (sameOptions !== undefined && variants.length > 1) {
      issues.push({
        field: `${field}.sku_sale_attr`,
        message: `has the same size, colour and material as sku_list.${sameOptions}`,
      });
    }
    combinations.set(combination, variant.index);
  }
  return issues;
}
