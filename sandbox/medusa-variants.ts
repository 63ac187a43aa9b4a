import { alreadyExists, invalidData } from './medusa-errors';
import { entityId, type StoredOption, type StoredPrice, type StoredVariant } from './medusa-product';
import { VARIANT_SCALARS } from './medusa-validation';

/**
 * The Product Module's rules for variants (packages/modules/product/src/services/
 * product-module-service.ts), in its words: a variant names one value for each of the product's
 * options, by option title; no two variants share a combination; sku, barcode, ean and upc are
 * unique across the store (unique indexes, so the database's message).
 */

type Body = Record<string, unknown>;

export const stamp = () => new Date().toISOString();

/** booleanString() transforms "true"/"false" to booleans before Medusa stores them. */
function normalised(key: string, value: unknown): unknown {
  if ((key === 'allow_backorder' || key === 'manage_inventory') && typeof value === 'string')
    return value.toLowerCase() === 'true';
  return structuredClone(value);
}

export function setVariantScalars(fields: Record<string, unknown>, body: Body): void {
  for (const key of VARIANT_SCALARS) if (key in body) fields[key] = normalised(key, body[key]);
}

/**
 * The option value ids a variant's `options` ({title: value}) name, or undefined when it names
 * none (allowed outside product creation, where the missing-options check runs first).
 */
export function resolveOptions(
  variantTitle: unknown,
  sent: unknown,
  options: StoredOption[],
): string[] | undefined {
  const entries = Object.entries((sent ?? {}) as Record<string, string>);
  if (entries.length === 0) return undefined;
  if (options.length !== entries.length)
    throw invalidData(
      `Product has ${options.length} but there were ${entries.length} provided option values for the variant: ${String(variantTitle)}.`,
    );
  return entries.map(([title, value]) => {
    const match = options.find((o) => o.title === title)?.values.find((v) => v.value === value);
    if (!match) throw invalidData(`Option value ${value} does not exist for option ${title}`);
    return match.id;
  });
}

/** Product creation: every variant gives a value for every option of the product. */
export function checkNoMissingOptions(productTitle: unknown, variants: Body[], options: Body[]): void {
  const missing: string[] = [];
  for (const variant of variants)
    for (const option of options)
      if (!(variant.options as Record<string, unknown> | undefined)?.[option.title as string])
        missing.push(String(variant.title));
  if (missing.length > 0)
    throw invalidData(
      `Product "${String(productTitle)}" has variants with missing options: [${missing.join(', ')}]`,
    );
}

/** Variants sent together may not share a combination of option values. */
export function checkDistinctCombinations(variants: { title: unknown; ids?: string[] }[]): void {
  for (let i = 0; i < variants.length; i++) {
    const { title, ids } = variants[i];
    if (!ids?.length) continue;
    for (const other of variants.slice(i + 1)) {
      if (other.ids?.length && ids.every((id) => other.ids?.includes(id)))
        throw invalidData(
          `Variant "${String(title)}" has same combination of option values as "${String(other.title)}".`,
        );
    }
  }
}

/** A variant added to a product may not repeat an existing variant's combination. */
export function checkCombinationIsNew(ids: string[] | undefined, others: StoredVariant[]): void {
  if (!ids?.length) return;
  const existing = others.find((v) => ids.every((id) => v.optionValueIds.includes(id)));
  if (existing)
    throw invalidData(`Variant (${String(existing.fields.title)}) with provided options already exists.`);
}

const CODES = ['sku', 'barcode', 'ean', 'upc'] as const;

/**
 * `candidates` against `existing` (every other live variant of the store) and each other, row by
 * row as the database inserts them. A variant an update is about to remove still counts: Medusa
 * upserts the new list before it deletes what was left out.
 */
export function checkUniqueCodes(candidates: StoredVariant[], existing: StoredVariant[]): void {
  const taken = new Map(CODES.map((code) => [code, new Map<unknown, string>()]));
  for (const variant of existing)
    for (const code of CODES) {
      const value = variant.fields[code];
      if (typeof value === 'string') taken.get(code)!.set(value, variant.id);
    }
  for (const variant of candidates)
    for (const code of CODES) {
      const value = variant.fields[code];
      if (typeof value !== 'string') continue;
      const holder = taken.get(code)!.get(value);
      if (holder !== undefined && holder !== variant.id)
        throw alreadyExists('product variant', [[code, value]]);
      taken.get(code)!.set(value, variant.id);
    }
}

function newPrice(body: Body): StoredPrice {
  for (const key of ['currency_code', 'amount'])
    if (body[key] === undefined) throw invalidData(`Cannot set field '${key}' of Price to null`);
  const now = stamp();
  return {
    id: entityId('price'),
    // As sent: Medusa neither lower-cases nor checks the code, so 'EUR' is stored and never
    // matches the store's 'eur' when the storefront prices a cart.
    currency_code: body.currency_code as string,
    amount: body.amount as number,
    min_quantity: (body.min_quantity as number | undefined) ?? null,
    max_quantity: (body.max_quantity as number | undefined) ?? null,
    rules: structuredClone((body.rules as Record<string, string> | undefined) ?? {}),
    created_at: now,
    updated_at: now,
  };
}

/** Prices sent replace the variant's: those with a known id are updated, the rest created. */
export function replacePrices(current: StoredPrice[], sent: Body[]): StoredPrice[] {
  return sent.map((body) => {
    const match = current.find((p) => p.id === body.id);
    if (!match) return newPrice(body);
    const updated = { ...match, updated_at: stamp() };
    for (const key of ['currency_code', 'amount', 'min_quantity', 'max_quantity', 'rules'] as const)
      if (key in body) (updated as Record<string, unknown>)[key] = structuredClone(body[key]) ?? null;
    return updated;
  });
}

/** A new variant from a validated body; `ids` are its resolved option values. */
export function newVariant(body: Body, ids: string[] | undefined): StoredVariant {
  if (typeof body.title !== 'string')
    throw invalidData(`Cannot set field 'title' of Product variant to null`);
  const now = stamp();
  const fields: Record<string, unknown> = { allow_backorder: false, manage_inventory: true, variant_rank: 0 };
  setVariantScalars(fields, body);
  return {
    id: entityId('variant'),
    fields,
    optionValueIds: ids ?? [],
    prices: ((body.prices as Body[] | undefined) ?? []).map(newPrice),
    created_at: now,
    updated_at: now,
  };
}

/** An existing variant with a validated update applied (a copy). */
export function updatedVariant(variant: StoredVariant, body: Body, options: StoredOption[]): StoredVariant {
  const next = structuredClone(variant);
  setVariantScalars(next.fields, body);
  if (Array.isArray(body.prices)) next.prices = replacePrices(next.prices, body.prices as Body[]);
  const ids = resolveOptions(next.fields.title, body.options, options);
  if (ids) next.optionValueIds = ids;
  next.updated_at = stamp();
  return next;
}
