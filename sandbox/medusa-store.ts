import { alreadyExists, invalidData, MedusaError, notFound } from './medusa-errors';
import {
  entityId,
  isValidHandle,
  toHandle,
  type SandboxCategory,
  type StoredOption,
  type StoredProduct,
  type StoredVariant,
} from './medusa-product';
import { PRODUCT_SCALARS } from './medusa-validation';
import {
  checkCombinationIsNew,
  checkDistinctCombinations,
  checkNoMissingOptions,
  checkUniqueCodes,
  newVariant,
  resolveOptions,
  stamp,
  updatedVariant,
} from './medusa-variants';

/**
 * The sandbox store's products, changed only by whole validated writes: each operation works on a
 * copy and replaces the product only when every rule holds, as Medusa's workflows run in one
 * transaction. Bodies must have passed the request schemas (medusa-validation.ts) first.
 */

type Body = Record<string, unknown>;

export interface BatchResult {
  created: StoredVariant[];
  updated: StoredVariant[];
  deleted: string[];
}

/** A write to a relation whose row does not exist, as Medusa's database error mapper words it. */
const missingRelation = (key: string, id: string) =>
  new MedusaError('not_found', `You tried to set relationship ${key}: ${id}, but such entity does not exist`);

const refIds = (refs: unknown) => ((refs as { id: string }[] | undefined) ?? []).map((r) => r.id);

export class ProductStore {
  /** In creation order, which is the list's order when no `order` is asked for. */
  private products = new Map<string, StoredProduct>();

  constructor(private categories: ReadonlyMap<string, SandboxCategory>) {}

  clear(): void {
    this.products.clear();
  }

  all(): StoredProduct[] {
    return [...this.products.values()];
  }

  get(id: string): StoredProduct | undefined {
    return this.products.get(id);
  }

  create(body: Body): StoredProduct {
    const now = stamp();
    const product: StoredProduct = {
      id: entityId('prod'),
      fields: { is_giftcard: false, discountable: true },
      options: [],
      variants: [],
      images: [],
      categoryIds: [],
      tagIds: [],
      salesChannelIds: [],
      created_at: now,
      updated_at: now,
    };
    this.applyProductFields(product, body);
    // normalizeCreateProductInput: a handle from the title, draft status, the first image as thumbnail.
    if (!product.fields.handle) product.fields.handle = toHandle(body.title as string);
    product.fields.status ??= 'draft';
    product.fields.thumbnail ??= product.images[0]?.url ?? null;
    this.checkHandleFormat(product.fields.handle);
    const sentOptions = (body.options as Body[] | undefined) ?? [];
    const sentVariants = (body.variants as Body[] | undefined) ?? [];
    checkNoMissingOptions(body.title, sentVariants, sentOptions);
    this.checkHandleIsFree(product);
    this.checkCategories(product.categoryIds);
    product.options = sentOptions.map((o) => newOption(o.title as string, o.values as string[]));
    checkUniqueOptions(product);
    const resolved = sentVariants.map((v) => ({
      title: v.title,
      ids: resolveOptions(v.title, v.options, product.options),
    }));
    // Medusa checks this on updates only; a create with two identical variants is refused here too.
    checkDistinctCombinations(resolved);
    product.variants = sentVariants.map((v, i) => newVariant(v, resolved[i].ids));
    checkUniqueCodes(product.variants, this.variantsOutside(product.id));
    this.products.set(product.id, product);
    return product;
  }

  /** POST /admin/products/:id: `options` and `variants`, when sent, are the product's whole lists. */
  update(id: string, body: Body): StoredProduct {
    const current = this.products.get(id);
    if (!current) throw notFound(`Product with id "${id}" not found`);
    const draft = structuredClone(current);
    this.applyProductFields(draft, body);
    if (typeof body.handle === 'string' && body.handle) this.checkHandleFormat(body.handle);
    this.checkHandleIsFree(draft);
    this.checkCategories(draft.categoryIds);
    if (Array.isArray(body.options)) replaceOptions(draft, body.options as Body[]);
    checkUniqueOptions(draft);
    let removed: StoredVariant[] = [];
    if (Array.isArray(body.variants)) removed = replaceVariants(draft, body.variants as Body[]);
    checkUniqueCodes(draft.variants, [...this.variantsOutside(id), ...removed]);
    draft.updated_at = stamp();
    this.products.set(id, draft);
    return draft;
  }

  /** A soft delete in Medusa: the handle and the variants' codes are free again. Unknown ids are no error. */
  remove(id: string): void {
    this.products.delete(id);
  }

  createVariant(productId: string, body: Body): StoredProduct {
    const draft = this.draftOf(productId);
    const ids = resolveOptions(body.title, body.options, draft.options);
    checkCombinationIsNew(ids, draft.variants);
    draft.variants.push(newVariant(body, ids));
    return this.commitVariants(draft);
  }

  /**
   * Medusa updates the variants matching {id, product_id}: none matching is no error, nothing
   * changes. Answers the product (undefined if there is none, and Medusa then answers `{}`).
   */
  updateVariant(productId: string, variantId: string, body: Body): StoredProduct | undefined {
    const product = this.products.get(productId);
    const at = product?.variants.findIndex((v) => v.id === variantId) ?? -1;
    if (!product || at < 0) return product;
    const draft = structuredClone(product);
    const next = updatedVariant(draft.variants[at], body, draft.options);
    if (body.options)
      checkCombinationIsNew(
        next.optionValueIds,
        draft.variants.filter((v) => v.id !== variantId),
      );
    draft.variants[at] = next;
    return this.commitVariants(draft);
  }

  /** By id alone, whatever product the URL names: Medusa's route does not scope the delete. */
  removeVariant(variantId: string): void {
    for (const product of this.products.values())
      product.variants = product.variants.filter((v) => v.id !== variantId);
  }

  batchVariants(productId: string, body: Body): BatchResult {
    const draft = this.draftOf(productId);
    const created = ((body.create as Body[] | undefined) ?? []).map((v) => {
      const ids = resolveOptions(v.title, v.options, draft.options);
      checkCombinationIsNew(ids, draft.variants);
      const variant = newVariant(v, ids);
      draft.variants.push(variant);
      return variant;
    });
    const updates = (body.update as Body[] | undefined) ?? [];
    const unknown = updates
      .map((u) => u.id as string)
      .filter((id) => !draft.variants.some((v) => v.id === id));
    if (unknown.length > 0)
      throw invalidData(`Cannot update non-existing variants with ids: ${unknown.join(', ')}`);
    const updated = updates.map((u) => {
      const at = draft.variants.findIndex((v) => v.id === u.id);
      draft.variants[at] = updatedVariant(draft.variants[at], u, draft.options);
      return draft.variants[at];
    });
    const deleted = (body.delete as string[] | undefined) ?? [];
    draft.variants = draft.variants.filter((v) => !deleted.includes(v.id));
    this.commitVariants(draft);
    deleted.forEach((id) => this.removeVariant(id));
    return { created, updated, deleted };
  }

  private draftOf(productId: string): StoredProduct {
    const product = this.products.get(productId);
    if (!product) throw missingRelation('product_id', productId);
    return structuredClone(product);
  }

  private commitVariants(draft: StoredProduct): StoredProduct {
    checkUniqueCodes(draft.variants, this.variantsOutside(draft.id));
    draft.updated_at = stamp();
    this.products.set(draft.id, draft);
    return draft;
  }

  private variantsOutside(productId: string): StoredVariant[] {
    return this.all().flatMap((p) => (p.id === productId ? [] : p.variants));
  }

  private applyProductFields(product: StoredProduct, body: Body): void {
    for (const key of PRODUCT_SCALARS) {
      if (!(key in body)) continue;
      const value = body[key];
      // booleanString(): "true"/"false" arrive as strings and are stored as booleans.
      product.fields[key] =
        typeof value === 'string' && /^(is_giftcard|discountable)$/.test(key)
          ? value.toLowerCase() === 'true'
          : structuredClone(value);
    }
    if (product.fields.is_giftcard === true) product.fields.discountable = false;
    if (Array.isArray(body.images))
      product.images = (body.images as { url: string }[]).map((image, rank) => ({
        id: entityId('img'),
        url: image.url,
        rank,
      }));
    if (Array.isArray(body.categories)) product.categoryIds = refIds(body.categories);
    if (Array.isArray(body.tags)) product.tagIds = refIds(body.tags);
    if (Array.isArray(body.sales_channels)) product.salesChannelIds = refIds(body.sales_channels);
  }

  private checkHandleFormat(handle: unknown): void {
    if (typeof handle === 'string' && handle && !isValidHandle(handle))
      throw invalidData(`Invalid product handle '${handle}'. It must contain URL safe characters`);
  }

  private checkHandleIsFree(product: StoredProduct): void {
    const handle = product.fields.handle;
    if (typeof handle !== 'string') return;
    if (this.all().some((p) => p.id !== product.id && p.fields.handle === handle))
      throw alreadyExists('product', [['handle', handle]]);
  }

  private checkCategories(categoryIds: string[]): void {
    const unknown = categoryIds.find((id) => !this.categories.has(id));
    if (unknown !== undefined) throw missingRelation('product_category_id', unknown);
  }
}

function newOption(title: string, values: string[]): StoredOption {
  const now = stamp();
  return {
    id: entityId('opt'),
    title,
    values: values.map((value) => ({ id: entityId('optval'), value })),
    created_at: now,
    updated_at: now,
  };
}

/** Unique indexes: an option title once per product, a value once per option. */
function checkUniqueOptions(product: StoredProduct): void {
  product.options.forEach((option, i) => {
    if (product.options.slice(0, i).some((o) => o.title === option.title))
      throw alreadyExists('product option', [
        ['product_id', product.id],
        ['title', option.title],
      ]);
    option.values.forEach((value, j) => {
      if (option.values.slice(0, j).some((v) => v.value === value.value))
        throw alreadyExists('product option value', [
          ['option_id', option.id],
          ['value', value.value],
        ]);
    });
  });
}

/**
 * Options are matched to the existing ones by title (an `id` sent is ignored), values by value;
 * options and values left out are deleted, and variants lose the values deleted with them.
 */
function replaceOptions(product: StoredProduct, sent: Body[]): void {
  product.options = sent.map((body) => {
    if (typeof body.title !== 'string')
      throw invalidData(`Cannot set field 'title' of Product option to null`);
    const existing = product.options.find((o) => o.title === body.title);
    if (!existing) return newOption(body.title, (body.values as string[] | undefined) ?? []);
    if (!Array.isArray(body.values)) return existing;
    const values = (body.values as string[]).map(
      (value) => existing.values.find((v) => v.value === value) ?? { id: entityId('optval'), value },
    );
    return { ...existing, values, updated_at: stamp() };
  });
  const live = new Set(product.options.flatMap((o) => o.values.map((v) => v.id)));
  for (const variant of product.variants)
    variant.optionValueIds = variant.optionValueIds.filter((id) => live.has(id));
}

/**
 * The variant list sent is the product's: those with an id of this product are updated, those
 * without are created, and the product's other variants are deleted. Answers the deleted ones.
 */
function replaceVariants(product: StoredProduct, sent: Body[]): StoredVariant[] {
  const unknown = sent.flatMap((v) =>
    typeof v.id === 'string' && !product.variants.some((own) => own.id === v.id) ? [v.id] : [],
  );
  if (unknown.length > 0)
    throw invalidData(`Cannot update non-existing variants with ids: ${unknown.join(', ')}`);
  const next = sent.map((body) => {
    const own = product.variants.find((v) => v.id === body.id);
    return own
      ? updatedVariant(own, body, product.options)
      : newVariant(body, resolveOptions(body.title, body.options, product.options));
  });
  checkDistinctCombinations(
    next.map((v, i) => ({ title: v.fields.title, ids: sent[i].options ? v.optionValueIds : undefined })),
  );
  const kept = new Set(next.map((v) => v.id));
  const removed = product.variants.filter((v) => !kept.has(v.id));
  product.variants = next;
  return removed;
}
