import { randomBytes } from 'node:crypto';
import { PRODUCT_SCALARS, VARIANT_SCALARS } from './medusa-validation';

/**
 * How the Medusa sandbox keeps a product, and how the Admin API shows it: the default fields of
 * GET /admin/products/:id (packages/medusa/src/api/admin/products/query-config.ts), with prices
 * flattened onto variants as remapVariantResponse does, and each variant's option values with
 * their option. Categories are not among the default fields: they show only when `fields` asks.
 */

export interface StoredPrice {
  id: string;
  currency_code: string;
  /** Major units (19.99, not 1999): Medusa v2 stores prices in major units. */
  amount: number;
  min_quantity: number | null;
  max_quantity: number | null;
  rules: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface StoredOptionValue {
  id: string;
  value: string;
}

export interface StoredOption {
  id: string;
  title: string;
  values: StoredOptionValue[];
  created_at: string;
  updated_at: string;
}

export interface StoredVariant {
  id: string;
  /** VARIANT_SCALARS as sent, booleans normalised. */
  fields: Record<string, unknown>;
  optionValueIds: string[];
  prices: StoredPrice[];
  created_at: string;
  updated_at: string;
}

export interface StoredImage {
  id: string;
  url: string;
  rank: number;
}

export interface StoredProduct {
  id: string;
  /** PRODUCT_SCALARS as sent, defaults applied. */
  fields: Record<string, unknown>;
  options: StoredOption[];
  variants: StoredVariant[];
  images: StoredImage[];
  categoryIds: string[];
  tagIds: string[];
  salesChannelIds: string[];
  created_at: string;
  updated_at: string;
}

/** A category the sandbox store has, for `categories: [{id}]` to refer to. */
export interface SandboxCategory {
  id: string;
  name: string;
  handle: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `prefix_` and a ULID, as Medusa's generateEntityId makes ids (prod_01J…, variant_01J…). */
export function entityId(prefix: string): string {
  let time = Date.now();
  let stamp = '';
  for (let i = 0; i < 10; i++) {
    stamp = CROCKFORD[time % 32] + stamp;
    time = Math.floor(time / 32);
  }
  const random = [...randomBytes(16)].map((byte) => CROCKFORD[byte % 32]).join('');
  return `${prefix}_${stamp}${random}`;
}

/** Medusa's toHandle: lower case, accents stripped, kebab case, URL-unsafe characters dropped. */
export function toHandle(title: string): string {
  const kebab = title
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
  return kebab.replace(/[^a-z0-9A-Z-]/g, '').replace(/-{2,}/g, '-');
}

/** Medusa's isValidHandle. */
export const isValidHandle = (handle: string) => /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(handle);

function scalars<K extends string>(fields: Record<string, unknown>, keys: readonly K[]): Record<K, unknown> {
  return Object.fromEntries(keys.map((key) => [key, structuredClone(fields[key] ?? null)])) as Record<
    K,
    unknown
  >;
}

/** An option without its values, as a variant's option value shows its option. */
function optionHeader(option: StoredOption, productId: string) {
  return {
    id: option.id,
    title: option.title,
    product_id: productId,
    metadata: null,
    created_at: option.created_at,
    updated_at: option.updated_at,
    deleted_at: null,
  };
}

function renderOption(option: StoredOption, productId: string) {
  const { created_at, updated_at } = option;
  return {
    ...optionHeader(option, productId),
    values: option.values.map((v) => ({
      id: v.id,
      value: v.value,
      option_id: option.id,
      metadata: null,
      created_at,
      updated_at,
      deleted_at: null,
    })),
  };
}

export function renderVariant(variant: StoredVariant, product: StoredProduct) {
  const options = variant.optionValueIds.flatMap((valueId) => {
    const option = product.options.find((o) => o.values.some((v) => v.id === valueId));
    const value = option?.values.find((v) => v.id === valueId);
    if (!option || !value) return [];
    return [
      { id: value.id, value: value.value, option_id: option.id, option: optionHeader(option, product.id) },
    ];
  });
  return {
    id: variant.id,
    product_id: product.id,
    ...scalars(variant.fields, VARIANT_SCALARS),
    created_at: variant.created_at,
    updated_at: variant.updated_at,
    deleted_at: null,
    prices: variant.prices.map((price) => ({ ...structuredClone(price), variant_id: variant.id })),
    options,
  };
}

export function renderProduct(
  product: StoredProduct,
  categories: ReadonlyMap<string, SandboxCategory>,
  withCategories = false,
) {
  const fields = scalars(product.fields, PRODUCT_SCALARS);
  return {
    id: product.id,
    ...fields,
    created_at: product.created_at,
    updated_at: product.updated_at,
    deleted_at: null,
    type: product.fields.type_id ? { id: product.fields.type_id } : null,
    collection: product.fields.collection_id ? { id: product.fields.collection_id } : null,
    options: product.options.map((o) => renderOption(o, product.id)),
    tags: product.tagIds.map((id) => ({ id })),
    images: product.images.map((image) => ({ ...image, metadata: null })),
    variants: product.variants.map((v) => renderVariant(v, product)),
    sales_channels: product.salesChannelIds.map((id) => ({ id })),
    ...(withCategories
      ? { categories: product.categoryIds.map((id) => ({ ...(categories.get(id) ?? { id }) })) }
      : {}),
  };
}

export type RenderedProduct = ReturnType<typeof renderProduct>;
export type RenderedVariant = ReturnType<typeof renderVariant>;
