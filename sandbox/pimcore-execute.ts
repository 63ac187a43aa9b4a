import { isPlainObject } from './http';
import {
  GraphQlError,
  parseGraphQl,
  type Field,
  type Operation,
  type Selection,
  type TypeRef,
} from './pimcore-graphql';
import { ListingError, runListing, type ListingArgs } from './pimcore-listing';
import {
  argumentValue,
  coerceVariable,
  listify,
  namedOf,
  OBJECT_TYPES,
  printType,
  UNIONS,
  validateOperation,
  type GqlError,
} from './pimcore-schema';
import type {
  CreateArgs,
  MutationResult,
  PimObject,
  ProductStore,
  SaveEvent,
  UpdateArgs,
} from './pimcore-store';

/**
 * Runs one request body against the endpoint the way WebserviceController does: the query comes
 * from the JSON body (anything else is an empty document), webonyx parses and validates the whole
 * document first, then runs the mutations one after another. Each mutation's outcome is its own
 * (success/message), while GraphQL errors (syntax, validation, variables) fail the request with
 * HTTP 200 and nothing written: the caller decides the status, always 200 here.
 */

export interface GraphQlResponse {
  data?: Record<string, unknown> | null;
  errors?: GqlError[];
}

export interface Execution {
  response: GraphQlResponse;
  /** Objects saved by this request (successful creates and updates). */
  writes: number;
  /** Saves a Datahub Webhooks subscription would hear about. */
  events: SaveEvent[];
  /** Ids of the objects this request created. */
  created: number[];
}

export interface ExecutionContext {
  store: ProductStore;
  maxRootFields: number;
}

export function executeRequest(body: unknown, ctx: ExecutionContext): Execution {
  const input = isPlainObject(body) ? body : {};
  const query = typeof input.query === 'string' ? input.query : '';
  const failed = (errors: GqlError[]): Execution => ({
    response: { errors },
    writes: 0,
    events: [],
    created: [],
  });
  let op: Operation;
  try {
    op = parseGraphQl(query);
  } catch (err) {
    if (!(err instanceof GraphQlError)) throw err;
    return failed([{ message: err.message, locations: err.locations }]);
  }
  if (
    typeof input.operationName === 'string' &&
    input.operationName !== '' &&
    input.operationName !== op.name
  )
    return failed([{ message: `Unknown operation named "${input.operationName}".` }]);
  const problems = validateOperation(op, ctx.maxRootFields);
  if (problems.length > 0) return failed(problems);
  const variables = coerceVariables(op, isPlainObject(input.variables) ? input.variables : {});
  if (!(variables instanceof Map)) return failed(variables);
  return run(op, variables, ctx);
}

function coerceVariables(
  op: Operation,
  supplied: Record<string, unknown>,
): Map<string, unknown> | GqlError[] {
  const values = new Map<string, unknown>();
  const errors: GqlError[] = [];
  for (const def of op.variables) {
    if (!(def.name in supplied)) {
      if (def.defaultValue) values.set(def.name, argumentValue(def.defaultValue, values));
      else if (def.type.kind === 'nonNull')
        errors.push({
          message: `Variable "$${def.name}" of required type "${printType(def.type)}" was not provided.`,
          locations: [def.loc],
        });
      continue;
    }
    const result = coerceVariable(def.name, def.type, supplied[def.name]);
    if ('error' in result) errors.push({ message: result.error, locations: [def.loc] });
    else values.set(def.name, result.value);
  }
  return errors.length > 0 ? errors : values;
}

/** A resolver's refusal, shown as a GraphQL error with the field null (ClientSafeException). */
class ClientSafeError extends Error {
  constructor(
    message: string,
    readonly debugMessage?: string,
  ) {
    super(message);
  }
}

function run(op: Operation, variables: Map<string, unknown>, ctx: ExecutionContext): Execution {
  const rootType = op.operation === 'query' ? 'Query' : 'Mutation';
  const data: Record<string, unknown> = {};
  const errors: GqlError[] = [];
  const execution: Execution = { response: {}, writes: 0, events: [], created: [] };
  for (const field of collectFields(op.selections, rootType)) {
    const key = field.alias ?? field.name;
    if (field.name === '__typename') {
      data[key] = rootType;
      continue;
    }
    const def = OBJECT_TYPES[rootType][field.name];
    const args = fieldArguments(field, def.args ?? {}, variables);
    try {
      const value = resolveRoot(field.name, args, ctx, execution);
      data[key] = complete(def.type, value, field.selections ?? [], [key], errors);
    } catch (err) {
      if (!(err instanceof ClientSafeError) && !(err instanceof ListingError)) throw err;
      const extensions = err.debugMessage ? { extensions: { debugMessage: err.debugMessage } } : {};
      errors.push({ message: err.message, locations: [field.loc], path: [key], ...extensions });
      data[key] = null;
    }
  }
  execution.response = errors.length > 0 ? { errors, data } : { data };
  return execution;
}

function fieldArguments(
  field: Field,
  declared: Record<string, TypeRef>,
  variables: Map<string, unknown>,
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const arg of field.args) {
    const value = argumentValue(arg.value, variables);
    if (value !== undefined) args[arg.name] = listify(declared[arg.name], value);
  }
  return args;
}

function resolveRoot(
  name: string,
  args: Record<string, unknown>,
  ctx: ExecutionContext,
  execution: Execution,
): unknown {
  const { store } = ctx;
  if (name === 'createProduct' || name === 'updateProduct') {
    const input = args.input as Record<string, unknown> | null | undefined;
    let result: MutationResult;
    if (Array.isArray(input?.tags) && input.tags.length > 0)
      // The sandbox has no tags: every tag a mutation names is one Pimcore cannot find.
      result = { success: false, message: 'no "id" nor "path" tag data defined for tag, or tag not found' };
    else
      result =
        name === 'createProduct'
          ? store.create(args as unknown as CreateArgs)
          : store.update(args as UpdateArgs);
    if (result.success) execution.writes += 1;
    if (result.success && name === 'createProduct' && result.id !== undefined)
      execution.created.push(result.id);
    if (result.event) execution.events.push(result.event);
    const saved = result.success && result.id !== undefined ? store.get(result.id) : undefined;
    // Datahub hands a failed result to the output resolver too: an object whose fields are all null.
    return {
      success: result.success,
      message: result.message,
      output: saved ? productRecord(store, saved) : { __typename: 'object_Product' },
    };
  }
  if (name === 'getProduct') return productRecord(store, getProduct(store, args));
  const { objects, totalCount } = runListing(store, args as ListingArgs);
  return {
    edges: objects.map((o) => ({ cursor: `object-${o.id}`, node: productRecord(store, o) })),
    totalCount,
  };
}

function getProduct(store: ProductStore, args: Record<string, unknown>): PimObject {
  const id = args.id as number | null | undefined;
  const fullpath = args.fullpath as string | null | undefined;
  const hasId = id !== undefined && id !== null;
  const hasPath = fullpath !== undefined && fullpath !== null && fullpath !== '';
  if (!hasId && !hasPath) throw new ClientSafeError('object id or fullpath expected');
  const byId = hasId ? store.get(id) : undefined;
  const byPath = hasPath ? store.byPath(fullpath) : undefined;
  const found = hasId && hasPath ? (byId && byId === byPath ? byId : undefined) : (byId ?? byPath);
  if (!found || found.type === 'folder') {
    if (hasId && hasPath) throw new ClientSafeError('either id or fullpath expected but not both');
    throw new ClientSafeError(
      hasId ? `object with id:'${id}' not found` : `object with fullpath:'${fullpath}' not found`,
    );
  }
  return found;
}

function productRecord(store: ProductStore, object: PimObject): Record<string, unknown> {
  const values = store.effective(object);
  return {
    __typename: 'object_Product',
    id: String(object.id),
    classname: 'Product',
    key: object.key,
    fullpath: store.fullpath(object),
    published: object.published,
    creationDate: object.creationDate,
    modificationDate: object.modificationDate,
    ...values,
    images: values.images?.map((image) => ({ __typename: 'fieldcollection_ProductImage', ...image })) ?? null,
  };
}

/** Inline fragments that apply to `typeName` merged into one list of fields, in document order. */
function collectFields(selections: Selection[], typeName: string): Field[] {
  const fields: Field[] = [];
  for (const selection of selections) {
    if (selection.kind === 'field') fields.push(selection);
    else if (selection.typeCondition === typeName)
      fields.push(...collectFields(selection.selections, typeName));
  }
  return fields;
}

function complete(
  type: TypeRef,
  value: unknown,
  selections: Selection[],
  path: (string | number)[],
  errors: GqlError[],
): unknown {
  if (type.kind === 'nonNull') return complete(type.of, value, selections, path, errors);
  if (value === null || value === undefined) return null;
  if (type.kind === 'list')
    return (value as unknown[]).map((item, i) => complete(type.of, item, selections, [...path, i], errors));
  const typeName = namedOf(type);
  if (!(typeName in OBJECT_TYPES) && !(typeName in UNIONS)) return value;
  const source = value as Record<string, unknown>;
  const concrete = typeName in UNIONS ? String(source.__typename) : typeName;
  const out: Record<string, unknown> = {};
  for (const field of collectFields(selections, concrete)) {
    const key = field.alias ?? field.name;
    if (field.name === '__typename') {
      out[key] = concrete;
      continue;
    }
    const def = OBJECT_TYPES[concrete][field.name];
    out[key] = complete(def.type, source[field.name], field.selections ?? [], [...path, key], errors);
  }
  return out;
}
