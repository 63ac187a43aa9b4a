import { FIELD_NAMES, type FieldName } from './pimcore-product';
import type { PimObject, ProductStore } from './pimcore-store';

/**
 * getProductListing as pimcore/data-hub resolves it (Resolver/QueryType::resolveListing):
 *
 * - unpublished objects are left out unless the query says `published: false`: a lookup by SKU
 *   that forgets it does not find the products it created unpublished;
 * - `filter` is Pimcore's webservice filter JSON; the sandbox evaluates the subset a connector
 *   needs ({"sku": "A"}, {"sku": {"$like": "A%"}}, {"$or": [...]}, {"$and": [...]}) and refuses
 *   every other operator with a message saying so;
 * - `first` is the limit (no limit when left out), `after` the offset, `sortBy`/`sortOrder` the
 *   order (id order otherwise); totalCount counts every match.
 *
 * A filter Pimcore cannot decode answers "unable to decode filter"; a column that is not in the
 * schema answers webonyx's "Internal server error" (an SQL error Pimcore does not show), with the
 * reason as extensions.debugMessage, which the sandbox adds to spare a connector author a guess.
 */

export class ListingError extends Error {
  constructor(
    message: string,
    /** Set when the real Pimcore would hide the reason behind "Internal server error". */
    readonly debugMessage?: string,
  ) {
    super(message);
  }
}

export interface ListingArgs {
  ids?: string | null;
  fullpaths?: string | null;
  first?: number | null;
  after?: number | null;
  sortBy?: string[] | null;
  sortOrder?: string[] | null;
  filter?: string | null;
  published?: boolean | null;
}

/** Columns a filter or sortBy may name: the schema's scalar fields and the object's system columns. */
const SYSTEM_COLUMNS: Record<string, (o: PimObject) => unknown> = {
  id: (o) => o.id,
  o_id: (o) => o.id,
  key: (o) => o.key,
  o_key: (o) => o.key,
  parentId: (o) => o.parentId,
  o_parentId: (o) => o.parentId,
  creationDate: (o) => o.creationDate,
  modificationDate: (o) => o.modificationDate,
};
const FILTERABLE = new Set<string>(FIELD_NAMES.filter((f) => f !== 'images' && f !== 'categories'));

type Predicate = (o: PimObject) => boolean;

export function runListing(
  store: ProductStore,
  args: ListingArgs,
): { objects: PimObject[]; totalCount: number } {
  const includeUnpublished = args.published === false;
  const conditions: Predicate[] = [(o) => includeUnpublished || o.published];
  if (args.ids !== undefined && args.ids !== null) {
    const ids = new Set(args.ids.split(',').map((id) => id.trim()));
    conditions.push((o) => ids.has(String(o.id)));
  }
  if (args.fullpaths !== undefined && args.fullpaths !== null) {
    const paths = new Set(
      args.fullpaths
        .split(',')
        .map((p) => `/${p.trim().replace(/^'|'$/g, '').split('/').filter(Boolean).join('/')}`),
    );
    conditions.push((o) => paths.has(store.fullpath(o)));
  }
  if (args.filter !== undefined && args.filter !== null) conditions.push(compileFilter(store, args.filter));
  const matched = store.products().filter((o) => conditions.every((c) => c(o)));
  sortObjects(store, matched, args.sortBy ?? [], args.sortOrder ?? []);
  const offset = Math.max(0, args.after ?? 0);
  const limited =
    args.first === undefined || args.first === null
      ? matched.slice(offset)
      : matched.slice(offset, offset + args.first);
  return { objects: limited, totalCount: matched.length };
}

function column(store: ProductStore, name: string): (o: PimObject) => unknown {
  if (name in SYSTEM_COLUMNS) return SYSTEM_COLUMNS[name];
  if (FILTERABLE.has(name)) return (o) => store.effective(o)[name as FieldName];
  throw new ListingError('Internal server error', `Unknown column '${name}' in the Product listing.`);
}

function compileFilter(store: ProductStore, text: string): Predicate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ListingError('unable to decode filter');
  }
  // PHP's json_decode of "[]", "0", "" or "null" is falsy: Pimcore says it cannot decode it.
  if (!parsed || (Array.isArray(parsed) && parsed.length === 0))
    throw new ListingError('unable to decode filter');
  return condition(store, parsed);
}

function condition(store: ProductStore, node: unknown): Predicate {
  if (typeof node !== 'object' || node === null || Array.isArray(node))
    throw new ListingError(`The Pimcore sandbox supports only filter objects, got ${JSON.stringify(node)}.`);
  const parts = Object.entries(node).map(([key, value]): Predicate => {
    if (key === '$or' || key === '$and') {
      if (!Array.isArray(value) || value.length === 0)
        throw new ListingError(`The Pimcore sandbox expects a non-empty array after ${key}.`);
      const inner = value.map((v) => condition(store, v));
      return key === '$or' ? (o) => inner.some((p) => p(o)) : (o) => inner.every((p) => p(o));
    }
    if (key.startsWith('$'))
      throw new ListingError(`The Pimcore sandbox does not model the filter operator ${key}.`);
    const read = column(store, key);
    if (value === null || typeof value !== 'object') return (o) => matchesEqual(read(o), value);
    const ops = Object.entries(value as Record<string, unknown>);
    if (ops.length !== 1 || ops[0][0] !== '$like' || typeof ops[0][1] !== 'string')
      throw new ListingError(
        `The Pimcore sandbox models only equality and {"$like": "..."} on a column, got ${JSON.stringify(value)}.`,
      );
    const pattern = likeToRegExp(ops[0][1]);
    return (o) => {
      const v = read(o);
      return v !== null && v !== undefined && pattern.test(String(v));
    };
  });
  return (o) => parts.every((p) => p(o));
}

/** SQL equality: a column compared with a value as MySQL would, numbers and strings alike. */
function matchesEqual(actual: unknown, wanted: unknown): boolean {
  if (wanted === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  return String(actual) === String(wanted);
}

/** MySQL LIKE: % any run, _ one character, case-insensitive under Pimcore's collation. */
function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'is');
}

function sortObjects(store: ProductStore, objects: PimObject[], sortBy: string[], sortOrder: string[]): void {
  const keys = sortBy.map((name, i) => ({
    read: column(store, name),
    desc: (sortOrder[i] ?? 'ASC').toUpperCase() === 'DESC',
  }));
  objects.sort((a, b) => {
    for (const { read, desc } of keys) {
      const order = compare(read(a), read(b));
      if (order !== 0) return desc ? -order : order;
    }
    return a.id - b.id;
  });
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  // MySQL sorts NULL first in ascending order.
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
