import { invalidData, type MedusaError } from './medusa-errors';

/**
 * A small stand-in for the zod 3 schemas Medusa validates request bodies with, reporting problems
 * in Medusa's words (@medusajs/framework zod/zod-helpers.ts): `Invalid request: ` and the first
 * three issues joined by `; `, each naming its field as a path joined by `, ` (`variants, 0,
 * prices`). Only the top-level object and the objects declared strict refuse unknown keys; other
 * nested objects drop them silently, as zod does unless told otherwise. The project's zod is v4,
 * whose issues and messages differ from the v3 Medusa uses, hence this instead of it.
 */

type Kind =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  /** Medusa's booleanString(): a boolean, or "true"/"false" in any case. */
  | { kind: 'booleanString' }
  | { kind: 'enum'; values: readonly string[] }
  /** z.record(of), or z.record(z.unknown()) without `of`. */
  | { kind: 'record'; of?: Schema }
  | { kind: 'array'; of: Schema }
  | { kind: 'object'; shape: Shape; strict: boolean };

export type Schema = Kind;
export type Presence = 'required' | 'optional' | 'nullish';
export interface Field {
  schema: Schema;
  presence: Presence;
}
export type Shape = Record<string, Field>;

export const str = (): Schema => ({ kind: 'string' });
export const num = (): Schema => ({ kind: 'number' });
export const boolString = (): Schema => ({ kind: 'booleanString' });
export const oneOf = (values: readonly string[]): Schema => ({ kind: 'enum', values });
export const record = (of?: Schema): Schema => ({ kind: 'record', of });
export const arrayOf = (of: Schema): Schema => ({ kind: 'array', of });
export const object = (shape: Shape, strict = false): Schema => ({ kind: 'object', shape, strict });
export const required = (schema: Schema): Field => ({ schema, presence: 'required' });
export const optional = (schema: Schema): Field => ({ schema, presence: 'optional' });
export const nullish = (schema: Schema): Field => ({ schema, presence: 'nullish' });

type Path = (string | number)[];

/** zod 3's name for the type of a received value. */
function received(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'nan';
  return typeof value;
}

function expected(schema: Schema): string {
  if (schema.kind === 'record' || schema.kind === 'object') return 'object';
  if (schema.kind === 'booleanString') return 'boolean, string';
  if (schema.kind === 'enum') return 'string';
  return schema.kind;
}

const at = (path: Path) => path.join(', ');
const wrongType = (schema: Schema, path: Path, value: unknown) =>
  `Expected type: '${expected(schema)}' for field '${at(path)}', got: '${received(value)}'`;

function check(value: unknown, schema: Schema, path: Path, issues: string[]): void {
  switch (schema.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      if (received(value) !== schema.kind) issues.push(wrongType(schema, path, value));
      return;
    case 'booleanString':
      if (typeof value === 'string' && !['true', 'false'].includes(value.toLowerCase()))
        issues.push('Invalid input'); // the refine's default message: no field named
      else if (typeof value !== 'string' && typeof value !== 'boolean')
        issues.push(wrongType(schema, path, value));
      return;
    case 'enum':
      if (typeof value !== 'string' || !schema.values.includes(value))
        issues.push(
          `Expected: '${schema.values.join(', ')}' for field '${at(path)}', but got: '${String(value)}'`,
        );
      return;
    case 'record':
    case 'object':
    case 'array':
      return checkComposite(value, schema, path, issues);
  }
}

function checkComposite(value: unknown, schema: Schema, path: Path, issues: string[]): void {
  if (received(value) !== expected(schema)) {
    issues.push(wrongType(schema, path, value));
    return;
  }
  if (schema.kind === 'array') {
    (value as unknown[]).forEach((item, i) => check(item, schema.of, [...path, i], issues));
    return;
  }
  const entries = value as Record<string, unknown>;
  if (schema.kind === 'record') {
    if (schema.of)
      for (const [key, item] of Object.entries(entries)) check(item, schema.of, [...path, key], issues);
    return;
  }
  if (schema.kind !== 'object') return;
  for (const [key, field] of Object.entries(schema.shape)) {
    const item = entries[key];
    if (item === undefined) {
      if (field.presence === 'required') issues.push(`Field '${at([...path, key])}' is required`);
    } else if (item !== null || field.presence !== 'nullish')
      check(item, field.schema, [...path, key], issues);
  }
  // zod reports unknown keys after the declared ones, and without a path.
  const unknown = Object.keys(entries).filter((key) => !(key in schema.shape));
  if (schema.strict && unknown.length > 0) issues.push(`Unrecognized fields: '${unknown.join(', ')}'`);
}

/** The first problem with `body` as Medusa reports it, or undefined when it is valid. */
export function validate(body: unknown, schema: Schema): MedusaError | undefined {
  const issues: string[] = [];
  check(body, schema, [], issues);
  return issues.length === 0 ? undefined : invalidData(`Invalid request: ${issues.slice(0, 3).join('; ')}`);
}
