import { PermanentError, RetryableError } from './errors';

/**
 * One batch of product upserts as Pimcore's Datahub GraphQL takes them: Datahub has no upsert, so
 * a batch is one listing of every SKU it writes (products and their variants, unpublished ones
 * included), then one request of aliased createProduct/updateProduct mutations, each with its
 * own `{success, message}`. Variants are Pimcore object variants: children of their product.
 */

/** The Datahub input of one object (UpdateProductInput). */
export type PimInput = Record<string, unknown>;

export interface PimUpsert {
  /** The product's SKU, also its key in the products folder. */
  sku: string;
  input: PimInput;
  variants: { sku: string; input: PimInput }[];
  /** Whether the product the PIM holds carries a newer source version than this write. */
  isNewer(heldSourceVersion: string | null): boolean;
}

/** An object as the listing shows it. */
export interface PimHeld {
  id: number;
  sku: string;
  published: boolean;
  sourceVersion: string | null;
  syncWorkflowId: string | null;
  fullpath: string;
}

export type PimUpsertOutcome =
  | {
      status: 'written';
      id: number;
      created: boolean;
      wasPublished: boolean;
      /** The workflow that wrote the product before (it may still wait for its publication). */
      previousWorkflowId: string | null;
    }
  | { status: 'newer'; held: PimHeld };

export const HELD_FIELDS = 'id sku published sourceVersion syncWorkflowId fullpath';

export function lookupRequest(skus: string[]) {
  const filter = skus.length === 1 ? { sku: skus[0] } : { $or: skus.map((sku) => ({ sku })) };
  return {
    query: `query Lookup($filter: String, $first: Int) {
  getProductListing(filter: $filter, published: false, first: $first) { totalCount edges { node { ${HELD_FIELDS} } } }
}`,
    variables: { filter: JSON.stringify(filter), first: skus.length },
  };
}

/** One mutation: an update of a held object, or a create under `path`. */
export interface Mutation {
  /** Which upsert of the batch it belongs to. */
  owner: number;
  /** The SKU it writes, for a refusal's message. */
  sku: string;
  update?: number;
  create?: { path: string; key: string; variant: boolean };
  input: PimInput;
}

/** What a batch will do for each upsert: write these mutations, or nothing (the PIM holds newer). */
export type Plan =
  | { owner: number; held: PimHeld | undefined; mutations: Mutation[] }
  | { owner: number; newer: PimHeld }
  | { owner: number; error: PermanentError };

const parentOf = (fullpath: string) => fullpath.slice(0, fullpath.lastIndexOf('/'));

export function planUpsert(
  owner: number,
  upsert: PimUpsert,
  held: Map<string, PimHeld>,
  folder: string,
): Plan {
  const product = held.get(upsert.sku);
  const productPath = `${folder}/${upsert.sku}`;
  if (product && product.fullpath !== productPath) {
    return {
      owner,
      error: new PermanentError(
        `Pimcore holds SKU ${upsert.sku} as ${product.fullpath}, not as a product in ${folder}`,
        { field: 'sku' },
      ),
    };
  }
  if (product && upsert.isNewer(product.sourceVersion)) return { owner, newer: product };
  const mutations: Mutation[] = [
    {
      owner,
      sku: upsert.sku,
      input: upsert.input,
      ...(product ? { update: product.id } : { create: { path: folder, key: upsert.sku, variant: false } }),
    },
  ];
  for (const [index, variant] of upsert.variants.entries()) {
    const existing = held.get(variant.sku);
    if (existing && parentOf(existing.fullpath) !== productPath) {
      return {
        owner,
        error: new PermanentError(
          `Pimcore holds the variant SKU ${variant.sku} as ${existing.fullpath}, not under ${productPath}`,
          { field: `variants.${index}.sku` },
        ),
      };
    }
    mutations.push({
      owner,
      sku: variant.sku,
      input: variant.input,
      ...(existing
        ? { update: existing.id }
        : { create: { path: productPath, key: variant.sku, variant: true } }),
    });
  }
  return { owner, held: product, mutations };
}

/** One request of aliased mutations (`m0`, `m1`, …), every value a variable. */
export function mutationRequest(mutations: Mutation[]) {
  const definitions: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  mutations.forEach((mutation, i) => {
    definitions.push(`$i${i}: UpdateProductInput`);
    variables[`i${i}`] = mutation.input;
    const result = '{ success message output { id } }';
    if (mutation.update !== undefined) {
      definitions.push(`$id${i}: Int`);
      variables[`id${i}`] = mutation.update;
      fields.push(`m${i}: updateProduct(id: $id${i}, input: $i${i}) ${result}`);
    } else {
      const create = mutation.create!;
      definitions.push(`$p${i}: String`, `$k${i}: String!`);
      variables[`p${i}`] = create.path;
      variables[`k${i}`] = create.key;
      const type = create.variant ? ', type: "variant"' : '';
      fields.push(
        `m${i}: createProduct(path: $p${i}, key: $k${i}${type}, published: false, input: $i${i}) ${result}`,
      );
    }
  });
  return {
    query: `mutation Upsert(${definitions.join(', ')}) {\n${fields.join('\n')}\n}`,
    variables,
  };
}

/** `Validation failed: Value in field [ price ] is not at least 0` names `price`. */
function fieldIn(message: string): string | undefined {
  return /\[ ?([A-Za-z0-9_]+) ?\]/.exec(message)?.[1];
}

/**
 * A mutation Pimcore refused. A key or SKU taken is another writer's create of the same product
 * (a second worker, an answer lost after its commit): the retry's listing finds it and updates it.
 */
export function refusal(mutation: Mutation, message: string): PermanentError | RetryableError {
  const what = `Pimcore refused ${mutation.update !== undefined ? 'to update' : 'to create'} ${mutation.sku}: ${message}`;
  if (/Duplicate path|unique constraint violated/i.test(message)) {
    return new RetryableError(`${what} (created meanwhile; the next attempt updates it)`);
  }
  return new PermanentError(what, { code: 'PIM_REFUSED', field: fieldIn(message) });
}
