import type { Field, Location, Operation, Selection, TypeRef, Value } from './pimcore-graphql';

/**
 * The GraphQL schema a Datahub endpoint generates for the class Product with create, update and
 * read enabled (pimcore/data-hub's QueryType and MutationType): getProduct, getProductListing,
 * createProduct and updateProduct, their argument and input types, and the GraphQL validation
 * webonyx/graphql-php runs before anything executes. A document that fails validation runs none of
 * its mutations: one unknown input field fails the whole batch, not just its own product.
 */

export interface GqlError {
  message: string;
  locations?: Location[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

const named = (name: string): TypeRef => ({ kind: 'named', name });
const list = (of: TypeRef): TypeRef => ({ kind: 'list', of });
const nonNull = (of: TypeRef): TypeRef => ({ kind: 'nonNull', of });
const S = named('String');
const I = named('Int');
const F = named('Float');
const B = named('Boolean');

const SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

export const INPUT_OBJECTS: Record<string, Record<string, TypeRef>> = {
  UpdateProductInput: {
    sku: S,
    name: S,
    description: S,
    price: F,
    currency: S,
    categories: list(S),
    material: S,
    size: S,
    colour: S,
    images: named('fieldcollections_images_input'),
    supplier: S,
    sourceVersion: S,
    syncWorkflowId: S,
    tags: list(named('ElementTagInput')),
  },
  fieldcollections_images_input: { replace: B, items: named('fieldcollections_images_groups_input') },
  fieldcollections_images_groups_input: {
    ProductImage: list(named('fieldcollections_images_ProductImage_input')),
  },
  fieldcollections_images_ProductImage_input: { url: S, alt: S, index: I },
  ElementTagInput: { id: I, path: S },
};

interface FieldDef {
  type: TypeRef;
  args?: Record<string, TypeRef>;
}

const PRODUCT_OUTPUT: Record<string, FieldDef> = {
  id: { type: named('ID') },
  classname: { type: S },
  key: { type: S },
  fullpath: { type: S },
  published: { type: B },
  creationDate: { type: I },
  modificationDate: { type: I },
  sku: { type: S },
  name: { type: S },
  description: { type: S },
  price: { type: F },
  currency: { type: S },
  categories: { type: list(S) },
  material: { type: S },
  size: { type: S },
  colour: { type: S },
  images: { type: list(named('object_Product_images')) },
  supplier: { type: S },
  sourceVersion: { type: S },
  syncWorkflowId: { type: S },
};

const RESULT_FIELDS: Record<string, FieldDef> = {
  success: { type: B },
  message: { type: S },
  output: { type: named('object_Product'), args: { defaultLanguage: S } },
};

export const OBJECT_TYPES: Record<string, Record<string, FieldDef>> = {
  Query: {
    getProduct: { type: named('object_Product'), args: { id: I, fullpath: S, defaultLanguage: S } },
    getProductListing: {
      type: named('ProductConnection'),
      args: {
        ids: S,
        fullpaths: S,
        tags: S,
        defaultLanguage: S,
        first: I,
        after: I,
        sortBy: list(S),
        sortOrder: list(S),
        filter: S,
        published: B,
      },
    },
  },
  Mutation: {
    createProduct: {
      type: named('CreateProductResult'),
      args: {
        key: nonNull(S),
        path: S,
        parentId: I,
        defaultLanguage: S,
        published: B,
        omitMandatoryCheck: B,
        userId: I,
        type: S,
        input: named('UpdateProductInput'),
      },
    },
    updateProduct: {
      type: named('UpdateProductResult'),
      args: {
        id: I,
        fullpath: S,
        parentId: I,
        defaultLanguage: S,
        omitMandatoryCheck: B,
        omitVersionCreate: B,
        userId: I,
        input: named('UpdateProductInput'),
      },
    },
  },
  CreateProductResult: RESULT_FIELDS,
  UpdateProductResult: RESULT_FIELDS,
  ProductConnection: { edges: { type: list(named('ProductEdge')) }, totalCount: { type: I } },
  ProductEdge: { cursor: { type: S }, node: { type: named('object_Product') } },
  object_Product: PRODUCT_OUTPUT,
  fieldcollection_ProductImage: { url: { type: S }, alt: { type: S } },
};

export const UNIONS: Record<string, string[]> = { object_Product_images: ['fieldcollection_ProductImage'] };

export function printType(type: TypeRef): string {
  if (type.kind === 'named') return type.name;
  if (type.kind === 'list') return `[${printType(type.of)}]`;
  return `${printType(type.of)}!`;
}

export function namedOf(type: TypeRef): string {
  return type.kind === 'named' ? type.name : namedOf(type.of);
}

export function printValue(value: Value): string {
  switch (value.kind) {
    case 'variable':
      return `$${value.name}`;
    case 'string':
      return JSON.stringify(value.value);
    case 'int':
    case 'float':
      return value.raw;
    case 'boolean':
      return String(value.value);
    case 'null':
      return 'null';
    case 'enum':
      return value.value;
    case 'list':
      return `[${value.values.map(printValue).join(', ')}]`;
    case 'object':
      return `{${value.fields.map((f) => `${f.name}: ${printValue(f.value)}`).join(', ')}}`;
  }
}

interface VariableUsage {
  name: string;
  expected: TypeRef;
  loc: Location;
}

/** The top-level fields one request may carry: Pimcore sets no limit, the sandbox does (see pimcore.ts). */
export function validateOperation(op: Operation, maxRootFields: number): GqlError[] {
  const errors: GqlError[] = [];
  const usages: VariableUsage[] = [];
  const rootType = op.operation === 'query' ? 'Query' : 'Mutation';
  validateSelections(op.selections, rootType, errors, usages);
  const rootFields = op.selections.filter((s) => s.kind === 'field' && s.name !== '__typename').length;
  if (rootFields > maxRootFields)
    errors.push({
      message: `The Pimcore sandbox takes at most ${maxRootFields} top-level fields per request, got ${rootFields}.`,
    });
  validateVariables(op, usages, errors);
  return errors;
}

function validateSelections(
  selections: Selection[],
  typeName: string,
  errors: GqlError[],
  usages: VariableUsage[],
): void {
  const union = UNIONS[typeName];
  for (const selection of selections) {
    if (selection.kind === 'inline') {
      const target = selection.typeCondition;
      if (!(target in OBJECT_TYPES)) {
        errors.push({ message: `Unknown type "${target}".`, locations: [selection.loc] });
        continue;
      }
      if (target !== typeName && !(union ?? []).includes(target)) {
        errors.push({
          message: `Fragment cannot be spread here as objects of type "${typeName}" can never be of type "${target}".`,
          locations: [selection.loc],
        });
        continue;
      }
      validateSelections(selection.selections, target, errors, usages);
      continue;
    }
    if (selection.name === '__typename') {
      if (selection.selections) errors.push(noSubfields(selection, 'String'));
      continue;
    }
    const def = union ? undefined : OBJECT_TYPES[typeName]?.[selection.name];
    if (!def) {
      const hint = union ? ` Did you mean to use an inline fragment on "${union[0]}"?` : '';
      errors.push({
        message: `Cannot query field "${selection.name}" on type "${typeName}".${hint}`,
        locations: [selection.loc],
      });
      continue;
    }
    validateArguments(selection, typeName, def, errors, usages);
    const fieldType = namedOf(def.type);
    const composite = fieldType in OBJECT_TYPES || fieldType in UNIONS;
    if (composite && !selection.selections)
      errors.push({
        message: `Field "${selection.name}" of type "${printType(def.type)}" must have a selection of subfields. Did you mean "${selection.name} { ... }"?`,
        locations: [selection.loc],
      });
    else if (!composite && selection.selections) errors.push(noSubfields(selection, printType(def.type)));
    else if (selection.selections) validateSelections(selection.selections, fieldType, errors, usages);
  }
}

function noSubfields(field: Field, type: string): GqlError {
  return {
    message: `Field "${field.name}" must not have a selection since type "${type}" has no subfields.`,
    locations: [field.loc],
  };
}

function validateArguments(
  field: Field,
  typeName: string,
  def: FieldDef,
  errors: GqlError[],
  usages: VariableUsage[],
): void {
  const declared = def.args ?? {};
  const seen = new Set<string>();
  for (const arg of field.args) {
    if (seen.has(arg.name)) {
      errors.push({ message: `There can be only one argument named "${arg.name}".`, locations: [arg.loc] });
      continue;
    }
    seen.add(arg.name);
    const type = declared[arg.name];
    if (!type) {
      errors.push({
        message: `Unknown argument "${arg.name}" on field "${field.name}" of type "${typeName}".`,
        locations: [arg.loc],
      });
      continue;
    }
    for (const message of literalProblems(arg.value, type, usages))
      errors.push({ message, locations: [arg.value.loc] });
  }
  for (const [name, type] of Object.entries(declared)) {
    if (type.kind === 'nonNull' && !seen.has(name))
      errors.push({
        message: `Field "${field.name}" argument "${name}" of type "${printType(type)}" is required but not provided.`,
        locations: [field.loc],
      });
  }
}

/** ValuesOfCorrectType for a literal; variables are noted for the usage check instead. */
function literalProblems(value: Value, type: TypeRef, usages: VariableUsage[]): string[] {
  if (value.kind === 'variable') {
    usages.push({ name: value.name, expected: type, loc: value.loc });
    return [];
  }
  const expected = () => `Expected value of type "${printType(type)}", found ${printValue(value)}.`;
  if (type.kind === 'nonNull')
    return value.kind === 'null' ? [expected()] : literalProblems(value, type.of, usages);
  if (value.kind === 'null') return [];
  if (type.kind === 'list') {
    const items = value.kind === 'list' ? value.values : [value];
    return items.flatMap((item) => literalProblems(item, type.of, usages));
  }
  const fields = INPUT_OBJECTS[type.name];
  if (fields) {
    if (value.kind !== 'object') return [expected()];
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const field of value.fields) {
      if (seen.has(field.name)) problems.push(`There can be only one input field named "${field.name}".`);
      seen.add(field.name);
      const fieldType = fields[field.name];
      if (!fieldType) problems.push(`Field "${field.name}" is not defined by type "${type.name}".`);
      else problems.push(...literalProblems(field.value, fieldType, usages));
    }
    return problems;
  }
  const ok =
    (type.name === 'String' && value.kind === 'string') ||
    (type.name === 'Int' && value.kind === 'int' && isInt32(value.value)) ||
    (type.name === 'Float' && (value.kind === 'int' || value.kind === 'float')) ||
    (type.name === 'Boolean' && value.kind === 'boolean') ||
    (type.name === 'ID' && (value.kind === 'string' || value.kind === 'int'));
  return ok ? [] : [expected()];
}

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

function validateVariables(op: Operation, usages: VariableUsage[], errors: GqlError[]): void {
  const inOp = op.name ? ` by operation "${op.name}"` : '';
  const defined = new Map<string, TypeRef>();
  for (const def of op.variables) {
    if (defined.has(def.name)) {
      errors.push({ message: `There can be only one variable named "${def.name}".`, locations: [def.loc] });
      continue;
    }
    defined.set(def.name, def.type);
    const typeName = namedOf(def.type);
    if (!SCALARS.has(typeName) && !(typeName in INPUT_OBJECTS)) {
      const message =
        typeName in OBJECT_TYPES
          ? `Variable "$${def.name}" cannot be non-input type "${printType(def.type)}".`
          : `Unknown type "${typeName}".`;
      errors.push({ message, locations: [def.loc] });
    }
  }
  const used = new Set<string>();
  for (const usage of usages) {
    used.add(usage.name);
    const type = defined.get(usage.name);
    if (!type) {
      errors.push({ message: `Variable "$${usage.name}" is not defined${inOp}.`, locations: [usage.loc] });
      continue;
    }
    const def = op.variables.find((d) => d.name === usage.name);
    const effective =
      def?.defaultValue && def.defaultValue.kind !== 'null' && type.kind !== 'nonNull' ? nonNull(type) : type;
    if (!compatible(effective, usage.expected))
      errors.push({
        message: `Variable "$${usage.name}" of type "${printType(type)}" used in position expecting type "${printType(usage.expected)}".`,
        locations: [usage.loc],
      });
  }
  for (const def of op.variables) {
    if (!used.has(def.name))
      errors.push({
        message: `Variable "$${def.name}" is never used${op.name ? ` in operation "${op.name}"` : ''}.`,
        locations: [def.loc],
      });
  }
}

/** isTypeSubTypeOf for input positions: non-null fits nullable, never the other way round. */
function compatible(actual: TypeRef, expected: TypeRef): boolean {
  if (expected.kind === 'nonNull') return actual.kind === 'nonNull' && compatible(actual.of, expected.of);
  if (actual.kind === 'nonNull') return compatible(actual.of, expected);
  if (expected.kind === 'list') return actual.kind === 'list' && compatible(actual.of, expected.of);
  return actual.kind === 'named' && actual.name === expected.name;
}

/**
 * Coerces a variable's JSON value to its declared type, as webonyx does before execution; an
 * error names the variable, the value and where in it the problem is.
 */
export function coerceVariable(
  name: string,
  type: TypeRef,
  json: unknown,
): { value: unknown } | { error: string } {
  try {
    return { value: coerce(json, type, []) };
  } catch (err) {
    if (!(err instanceof CoercionError)) throw err;
    const at = err.path.length > 0 ? ` at "${name}.${err.path.join('.')}"` : '';
    const shown = err.path.length > 0 ? err.value : json;
    return {
      error: `Variable "$${name}" got invalid value ${JSON.stringify(shown) ?? 'undefined'}${at}; ${err.message}`,
    };
  }
}

class CoercionError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
    readonly value: unknown,
  ) {
    super(message);
  }
}

function coerce(json: unknown, type: TypeRef, path: (string | number)[]): unknown {
  if (type.kind === 'nonNull') {
    if (json === null || json === undefined)
      throw new CoercionError(`Expected non-nullable type "${printType(type)}" not to be null.`, path, json);
    return coerce(json, type.of, path);
  }
  if (json === null || json === undefined) return null;
  if (type.kind === 'list')
    return Array.isArray(json)
      ? json.map((item, i) => coerce(item, type.of, [...path, i]))
      : [coerce(json, type.of, path)];
  const fields = INPUT_OBJECTS[type.name];
  if (fields) {
    if (typeof json !== 'object' || Array.isArray(json))
      throw new CoercionError(`Expected type "${type.name}" to be an object.`, path, json);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(json)) {
      const fieldType = fields[key];
      if (!fieldType)
        throw new CoercionError(`Field "${key}" is not defined by type "${type.name}".`, path, json);
      out[key] = coerce(value, fieldType, [...path, key]);
    }
    return out;
  }
  return coerceScalar(json, type.name, path);
}

function coerceScalar(json: unknown, name: string, path: (string | number)[]): unknown {
  const shown = JSON.stringify(json);
  if (name === 'String' && typeof json === 'string') return json;
  if (name === 'Int' && typeof json === 'number' && isInt32(json)) return json;
  if (name === 'Float' && typeof json === 'number' && Number.isFinite(json)) return json;
  if (name === 'Boolean' && typeof json === 'boolean') return json;
  if (name === 'ID' && (typeof json === 'string' || (typeof json === 'number' && Number.isInteger(json))))
    return String(json);
  const reason: Record<string, string> = {
    String: `String cannot represent a non string value: ${shown}`,
    Int: `Int cannot represent non-integer value: ${shown}`,
    Float: `Float cannot represent non numeric value: ${shown}`,
    Boolean: `Boolean cannot represent a non boolean value: ${shown}`,
    ID: `ID cannot represent value: ${shown}`,
  };
  throw new CoercionError(reason[name] ?? `Unknown type "${name}".`, path, json);
}

/** valueFromAST: an argument's JS value, variables already coerced; undefined for an absent variable. */
export function argumentValue(value: Value, variables: Map<string, unknown>): unknown {
  switch (value.kind) {
    case 'variable':
      return variables.get(value.name);
    case 'null':
      return null;
    case 'list':
      return value.values.map((v) => argumentValue(v, variables) ?? null);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const field of value.fields) {
        const v = argumentValue(field.value, variables);
        if (v !== undefined) out[field.name] = v;
      }
      return out;
    }
    case 'enum':
      return value.value;
    default:
      return value.value;
  }
}

/** Wraps a single value in a list where the schema expects one (GraphQL's input list coercion). */
export function listify(type: TypeRef, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const inner = type.kind === 'nonNull' ? type.of : type;
  if (inner.kind === 'list') {
    const items = Array.isArray(value) ? value : [value];
    return items.map((item) => listify(inner.of, item));
  }
  if (
    inner.kind === 'named' &&
    INPUT_OBJECTS[inner.name] &&
    typeof value === 'object' &&
    !Array.isArray(value)
  ) {
    const fields = INPUT_OBJECTS[inner.name];
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>))
      out[key] = fields[key] ? listify(fields[key], v) : v;
    return out;
  }
  return value;
}
