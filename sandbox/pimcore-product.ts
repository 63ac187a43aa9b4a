/**
 * The sandbox's Pimcore class `Product`, as a marketplace PIM would define it, and Pimcore's
 * validation of its fields on save (messages as Pimcore's data types word them).
 *
 * Variants are what Pimcore calls object variants: child objects of the same class with type
 * `variant` (class option "Allow variants", which needs inheritance). A variant inherits every
 * field it leaves empty from its parent product, except `sku`, which each object carries itself
 * (the sandbox's simplification: a variant inheriting its parent's SKU would break uniqueness).
 *
 * Pimcore checks mandatory fields only when the object is (or becomes) published: an unpublished
 * product saves without a name, and publishing it later fails. Every other check (length, minimum,
 * regex, select options) applies to every save.
 *
 * Field kinds follow the Datahub mutation data types: Input/Textarea/Select -> String, Numeric ->
 * Float, Multiselect -> [String], Fieldcollections (images: ProductImage items) -> an input with
 * `replace` and `items`.
 */

export interface ProductImage {
  url: string | null;
  alt: string | null;
}

/** A Product object's own field values; null means empty (and, for a variant, inherited). */
export interface ProductData {
  sku: string | null;
  name: string | null;
  description: string | null;
  price: number | null;
  currency: string | null;
  categories: string[] | null;
  material: string | null;
  size: string | null;
  colour: string | null;
  images: ProductImage[] | null;
  supplier: string | null;
  /** The supplier file's version of the record, written by record-sync for its version guard. */
  sourceVersion: string | null;
  /** The record-sync workflow that last wrote the product, so the publish webhook can name it. */
  syncWorkflowId: string | null;
}

export type FieldName = keyof ProductData;

type FieldKind = 'input' | 'textarea' | 'numeric' | 'select' | 'multiselect' | 'images';

interface FieldDef {
  kind: FieldKind;
  /** The field's title in the class definition: the webhook payload's keys are "Title (name)". */
  title: string;
  mandatory?: boolean;
  /** Input: Pimcore's default column length is 190. */
  maxLength?: number;
  regex?: string;
  minValue?: number;
  /** Numeric: stored rounded to this many decimals (a DECIMAL column). */
  decimalPrecision?: number;
}

export const PRODUCT_FIELDS: Record<FieldName, FieldDef> = {
  sku: {
    kind: 'input',
    title: 'SKU',
    mandatory: true,
    maxLength: 190,
    regex: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  },
  name: { kind: 'input', title: 'Name', mandatory: true, maxLength: 190 },
  description: { kind: 'textarea', title: 'Description' },
  price: { kind: 'numeric', title: 'Price', mandatory: true, minValue: 0, decimalPrecision: 2 },
  currency: { kind: 'select', title: 'Currency', mandatory: true },
  categories: { kind: 'multiselect', title: 'Categories' },
  material: { kind: 'input', title: 'Material', maxLength: 190 },
  size: { kind: 'input', title: 'Size', maxLength: 190 },
  colour: { kind: 'input', title: 'Colour', maxLength: 190 },
  images: { kind: 'images', title: 'Images' },
  supplier: { kind: 'input', title: 'Supplier', maxLength: 190 },
  sourceVersion: { kind: 'input', title: 'Source version', maxLength: 190 },
  syncWorkflowId: { kind: 'input', title: 'Sync workflow id', maxLength: 190 },
};

export const FIELD_NAMES = Object.keys(PRODUCT_FIELDS) as FieldName[];

/** The Select's options: ISO 4217 codes a marketplace takes. */
export const DEFAULT_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK'];

export function emptyProduct(): ProductData {
  const data = {} as Record<FieldName, null>;
  for (const name of FIELD_NAMES) data[name] = null;
  return data as ProductData;
}

export interface ClassOptions {
  currencies: string[];
  /** The Multiselect's options; undefined accepts any category. */
  categories?: string[];
}

/**
 * Pimcore's checkValidity for every field of an object about to be saved, on the values it will
 * have (inherited ones included for a variant). Mandatory checks only when `checkMandatory`.
 */
export function validateProduct(
  effective: ProductData,
  checkMandatory: boolean,
  options: ClassOptions,
): string[] {
  const problems: string[] = [];
  for (const name of FIELD_NAMES) {
    const def = PRODUCT_FIELDS[name];
    const value = effective[name];
    const empty = value === null || (Array.isArray(value) && value.length === 0) || value === '';
    if (empty) {
      if (checkMandatory && def.mandatory) problems.push(`Empty mandatory field [ ${name} ]`);
      continue;
    }
    if (typeof value === 'string') {
      if (def.maxLength !== undefined && value.length > def.maxLength)
        problems.push(`Value in field [ ${name} ] longer than max length of '${def.maxLength}'`);
      if (def.regex !== undefined && !new RegExp(def.regex).test(value))
        problems.push(`Value in field [ ${name} ] doesn't match input validation '${def.regex}'`);
      if (def.kind === 'select' && name === 'currency' && !options.currencies.includes(value))
        problems.push(`Invalid option in field [ ${name} ]: '${value}'`);
    }
    if (typeof value === 'number' && def.minValue !== undefined && value < def.minValue)
      problems.push(`Value in field [ ${name} ] is not at least ${def.minValue}`);
    if (name === 'categories' && options.categories) {
      for (const category of value as string[]) {
        if (!options.categories.includes(category))
          problems.push(`Invalid option in field [ categories ]: '${category}'`);
      }
    }
    if (name === 'images') problems.push(...validateImages(value as ProductImage[], checkMandatory));
  }
  return problems;
}

function validateImages(images: ProductImage[], checkMandatory: boolean): string[] {
  const problems: string[] = [];
  for (const image of images) {
    if (image.url === null || image.url === '') {
      if (checkMandatory) problems.push('Empty mandatory field [ url ]');
    } else if (!/^https?:\/\/\S+$/.test(image.url)) {
      problems.push(`Value in field [ url ] doesn't match input validation '^https?://\\S+$'`);
    }
  }
  return problems;
}

/** Numeric fields are stored at their decimal precision, as a DECIMAL column rounds them. */
export function roundForStorage(value: number, precision = 2): number {
  const factor = 10 ** precision;
  return Math.round(value * factor) / factor;
}

/**
 * DataObject\Service::getValidKey: Pimcore does not refuse an awkward key, it rewrites it
 * (slashes and control characters become dashes, surrounding space goes, at most 255 characters).
 */
export function validKey(key: string): string {
  const replaced = [...key].map((ch) =>
    ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127 || ch === '/' || ch === '\\' ? '-' : ch,
  );
  return replaced.join('').trim().slice(0, 255);
}
