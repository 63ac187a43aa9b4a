import { invalidData, MedusaError } from './medusa-errors';
import type { StoredProduct } from './medusa-product';
import { PRODUCT_STATUSES } from './medusa-validation';

/**
 * GET /admin/products's query as Medusa v2 reads it (AdminGetProductsParams in
 * packages/medusa/src/api/admin/products/validators.ts, validateAndTransformQuery):
 *
 * - Filters: id, handle, external_id, title (each a value or a list), q, status (a list only:
 *   `status[]=published`; a lone `status=published` is refused). external_id is a filter of
 *   recent v2 releases only; earlier ones drop it like any unknown parameter.
 * - Unknown parameters are dropped without a word: the schema ends in a transform, so it cannot
 *   be made strict. `?sku=X` lists every product, and a connector that trusts the first row of
 *   an ignored filter updates the wrong product.
 * - limit (default 50, no maximum) and offset go through parseInt: `limit=abc` is refused,
 *   `limit=10abc` is 10. A single value holding commas becomes a list, as Medusa's
 *   normalizeQuery splits it (`handle[]=a,b`).
 */

export interface ProductQuery {
  filters: {
    id?: string[];
    handle?: string[];
    external_id?: string[];
    title?: string[];
    status?: string[];
    q?: string;
  };
  limit: number;
  offset: number;
  order?: { field: string; descending: boolean };
  /** `fields` names categories: they are not among the default fields. */
  withCategories: boolean;
}

type Raw = Record<string, string | string[]>;

/** As Express's query parser and Medusa's normalizeQuery leave the parameters. */
function rawQuery(query: URLSearchParams): Raw {
  const raw: Raw = {};
  for (const [name, value] of query) {
    const key = name.endsWith('[]') ? name.slice(0, -2) : name;
    const current = raw[key];
    if (current === undefined) raw[key] = name.endsWith('[]') ? [value] : value;
    else raw[key] = [...(Array.isArray(current) ? current : [current]), value];
  }
  for (const [key, value] of Object.entries(raw))
    if (Array.isArray(value) && value.length === 1) raw[key] = value[0].split(',');
  return raw;
}

const kind = (value: unknown) =>
  Array.isArray(value) ? 'array' : Number.isNaN(value) ? 'nan' : typeof value;

function list(raw: Raw, key: string): string[] | undefined {
  const value = raw[key];
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

function integer(raw: Raw, key: string, fallback: number): number {
  const value = raw[key];
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' && value !== '' ? parseInt(value, 10) : value;
  if (typeof parsed !== 'number' || Number.isNaN(parsed))
    throw invalidData(`Invalid request: Expected type: 'number' for field '${key}', got: '${kind(parsed)}'`);
  // Postgres refuses a negative LIMIT or OFFSET, and Medusa answers its error as unknown.
  if (parsed < 0) throw new MedusaError('unknown_error', `${key.toUpperCase()} must not be negative`);
  return parsed;
}

export function parseProductQuery(query: URLSearchParams): ProductQuery {
  const raw = rawQuery(query);
  const status = raw.status;
  if (status !== undefined && !Array.isArray(status))
    throw invalidData(`Invalid request: Expected type: 'array' for field 'status', got: 'string'`);
  const badStatus = status?.find((s) => !(PRODUCT_STATUSES as readonly string[]).includes(s));
  if (badStatus !== undefined)
    throw invalidData(
      `Invalid request: Expected: '${PRODUCT_STATUSES.join(', ')}' for field 'status, ${status!.indexOf(badStatus)}', but got: '${badStatus}'`,
    );
  const q = raw.q;
  if (Array.isArray(q))
    throw invalidData(`Invalid request: Expected type: 'string' for field 'q', got: 'array'`);
  const order = typeof raw.order === 'string' && raw.order ? raw.order : undefined;
  const fields = raw.fields;
  return {
    filters: {
      id: list(raw, 'id'),
      handle: list(raw, 'handle'),
      external_id: list(raw, 'external_id'),
      title: list(raw, 'title'),
      status,
      q,
    },
    limit: integer(raw, 'limit', 50),
    offset: integer(raw, 'offset', 0),
    order: order ? { field: order.replace(/^-/, ''), descending: order.startsWith('-') } : undefined,
    withCategories: (Array.isArray(fields) ? fields.join(',') : (fields ?? '')).includes('categories'),
  };
}

const ORDERABLE = new Set(['id', 'title', 'handle', 'status', 'external_id', 'created_at', 'updated_at']);

function matches(product: StoredProduct, filters: ProductQuery['filters']): boolean {
  const { q, ...lists } = filters;
  for (const [key, wanted] of Object.entries(lists)) {
    const value = key === 'id' ? product.id : product.fields[key];
    if (wanted && !wanted.includes(value as string)) return false;
  }
  if (q === undefined) return true;
  // Medusa searches the product's searchable text fields and its variants' titles and SKUs.
  const needle = q.toLowerCase();
  const texts = [
    ...['title', 'subtitle', 'description', 'handle'].map((k) => product.fields[k]),
    ...product.variants.flatMap((v) => [v.fields.title, v.fields.sku]),
  ];
  return texts.some((t) => typeof t === 'string' && t.toLowerCase().includes(needle));
}

export function selectProducts(
  all: StoredProduct[],
  query: ProductQuery,
): { page: StoredProduct[]; count: number } {
  const found = all.filter((p) => matches(p, query.filters));
  const { order } = query;
  if (order) {
    // An unknown column is a database error, which Medusa's mapper words like this.
    if (!ORDERABLE.has(order.field)) throw invalidData(`column product.${order.field} does not exist`);
    const key = (p: StoredProduct) =>
      String(order.field in p ? p[order.field as keyof StoredProduct] : (p.fields[order.field] ?? ''));
    found.sort((a, b) => key(a).localeCompare(key(b)) * (order.descending ? -1 : 1));
  }
  return { page: found.slice(query.offset, query.offset + query.limit), count: found.length };
}
