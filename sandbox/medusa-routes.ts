import { invalidData, notFound, type MedusaReply } from './medusa-errors';
import { parseProductQuery, selectProducts } from './medusa-list';
import { renderProduct, renderVariant, type SandboxCategory, type StoredProduct } from './medusa-product';
import { validate, type Schema } from './medusa-schema';
import type { ProductStore } from './medusa-store';
import {
  BATCH_VARIANTS,
  CREATE_PRODUCT,
  CREATE_VARIANT,
  UPDATE_PRODUCT,
  UPDATE_VARIANT,
} from './medusa-validation';

/**
 * The product routes of the Admin API, after authentication. Each answers what Medusa's route
 * handler answers (packages/medusa/src/api/admin/products/**\/route.ts), and its middlewares run
 * in Medusa's order: the body's schema first, then the query's, then the handler.
 */

export type Effect = 'productsCreated' | 'productUpdates' | 'variantWrites' | 'productsDeleted';

export interface RouteOutcome {
  reply: MedusaReply;
  /** Something was committed: its answer may be lost (dropAfterCommit). */
  write: boolean;
  effect?: Effect;
}

export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  store: ProductStore;
  categories: ReadonlyMap<string, SandboxCategory>;
}

type Body = Record<string, unknown>;

/** Paths under /admin/products/ that are other routes of Medusa's, not product ids. */
const NOT_IDS = new Set(['batch', 'export', 'import', 'imports']);

function checked(body: unknown, schema: Schema): Body {
  const problem = validate(body, schema);
  if (problem) throw problem;
  return body as Body;
}

/**
 * The query of a single-product route: only `fields`, and strictly, unlike the list's. Answers
 * whether `fields` asks for categories.
 */
function selectQuery(query: URLSearchParams): boolean {
  const unknown = [...new Set(query.keys())].filter((key) => key !== 'fields');
  if (unknown.length > 0) throw invalidData(`Invalid request: Unrecognized fields: '${unknown.join(', ')}'`);
  return (query.get('fields') ?? '').includes('categories');
}

/** `/admin/products/:id/…` with its ids, or undefined for a path no modelled route takes. */
function productPath(path: string): string[] | undefined {
  // Express routes without strict routing: a trailing slash names the same route.
  const segments = path
    .replace(/(.)\/+$/, '$1')
    .split('/')
    .slice(1)
    .map(decodeURIComponent);
  if (segments[0] !== 'admin' || segments[1] !== 'products') return undefined;
  const [, , id, sub, , ...rest] = segments;
  if (rest.length > 0 || (id !== undefined && NOT_IDS.has(id)) || (sub !== undefined && sub !== 'variants'))
    return undefined;
  return segments;
}

/** The route a request is for, as stats name it (`POST /admin/products/:id`), if any. */
export function routePattern(method: string, path: string): string | undefined {
  const segments = productPath(path);
  if (!segments) return undefined;
  const names = ['admin', 'products', ':id', 'variants', segments[4] === 'batch' ? 'batch' : ':variant_id'];
  return `${method} /${names.slice(0, segments.length).join('/')}`;
}

export function adminProductRoute(req: RouteRequest): RouteOutcome | undefined {
  const { method, query, store, categories } = req;
  const segments = productPath(req.path);
  if (!segments) return undefined;
  const [, , id, sub, variantId] = segments;
  const product = (p: StoredProduct | undefined, withCategories: boolean) =>
    p === undefined ? {} : { product: renderProduct(p, categories, withCategories) };
  const ok = (json: unknown): MedusaReply => ({ status: 200, json });

  if (id === undefined) {
    if (method === 'GET') {
      const parsed = parseProductQuery(query);
      const { page, count } = selectProducts(store.all(), parsed);
      const products = page.map((p) => renderProduct(p, categories, parsed.withCategories));
      return { reply: ok({ products, count, offset: parsed.offset, limit: parsed.limit }), write: false };
    }
    if (method !== 'POST') return undefined;
    const body = checked(req.body, CREATE_PRODUCT);
    const withCategories = selectQuery(query);
    const created = store.create(body);
    // 200, not 201: Medusa's create routes answer 200.
    return { reply: ok(product(created, withCategories)), write: true, effect: 'productsCreated' };
  }

  if (sub === undefined) {
    if (method === 'GET') {
      const withCategories = selectQuery(query);
      const found = store.get(id);
      if (!found) throw notFound('Product not found');
      return { reply: ok(product(found, withCategories)), write: false };
    }
    if (method === 'POST') {
      const body = checked(req.body, UPDATE_PRODUCT);
      const withCategories = selectQuery(query);
      return {
        reply: ok(product(store.update(id, body), withCategories)),
        write: true,
        effect: 'productUpdates',
      };
    }
    if (method !== 'DELETE') return undefined;
    selectQuery(query);
    const existed = store.get(id) !== undefined;
    store.remove(id);
    const reply = ok({ id, object: 'product', deleted: true });
    return { reply, write: true, effect: existed ? 'productsDeleted' : undefined };
  }

  return variantRoute(req, id, variantId, product);
}

function variantRoute(
  req: RouteRequest,
  productId: string,
  variantId: string | undefined,
  product: (p: StoredProduct | undefined, withCategories: boolean) => object,
): RouteOutcome | undefined {
  const { method, query, store } = req;
  const ok = (json: unknown): MedusaReply => ({ status: 200, json });
  if (variantId === undefined) {
    if (method === 'GET') {
      const parsed = parseProductQuery(
        new URLSearchParams([...query].filter(([k]) => ['limit', 'offset'].includes(k))),
      );
      const owner = store.get(productId);
      const all = owner ? owner.variants.map((v) => renderVariant(v, owner)) : [];
      const variants = all.slice(parsed.offset, parsed.offset + parsed.limit);
      return {
        reply: ok({ variants, count: all.length, offset: parsed.offset, limit: parsed.limit }),
        write: false,
      };
    }
    if (method !== 'POST') return undefined;
    const body = checked(req.body, CREATE_VARIANT);
    const withCategories = selectQuery(query);
    const updated = store.createVariant(productId, body);
    return { reply: ok(product(updated, withCategories)), write: true, effect: 'variantWrites' };
  }

  if (variantId === 'batch') {
    if (method !== 'POST') return undefined;
    const body = checked(req.body, BATCH_VARIANTS);
    selectQuery(query);
    const result = store.batchVariants(productId, body);
    const owner = store.get(productId)!;
    const json = {
      created: result.created.map((v) => renderVariant(v, owner)),
      updated: result.updated.map((v) => renderVariant(v, owner)),
      deleted: { ids: result.deleted, object: 'variant', deleted: true },
    };
    return { reply: ok(json), write: true, effect: 'variantWrites' };
  }

  if (method === 'GET') {
    selectQuery(query);
    const owner = store.get(productId);
    const variant = owner?.variants.find((v) => v.id === variantId);
    // Medusa answers `{variant: undefined}`, which is `{}` on the wire, for no such variant.
    return { reply: ok(owner && variant ? { variant: renderVariant(variant, owner) } : {}), write: false };
  }
  if (method === 'POST') {
    const body = checked(req.body, UPDATE_VARIANT);
    const withCategories = selectQuery(query);
    const before = store.get(productId)?.variants.find((v) => v.id === variantId);
    const updated = store.updateVariant(productId, variantId, body);
    return {
      reply: ok(product(updated, withCategories)),
      write: true,
      effect: before ? 'variantWrites' : undefined,
    };
  }
  if (method !== 'DELETE') return undefined;
  const withCategories = selectQuery(query);
  store.removeVariant(variantId);
  const parent = store.get(productId);
  const shown = parent && renderProduct(parent, req.categories, withCategories);
  const json = { id: variantId, object: 'variant', deleted: true, ...(shown ? { parent: shown } : {}) };
  return { reply: ok(json), write: true, effect: 'variantWrites' };
}
