import { posix } from 'node:path';
import type { Row } from '../../connectors/file-drop';
import type { Position } from '../../domain/position';
import { parseFeedRow } from './csv-feed';
import type { ProductIssue } from './issues';
import { parseSupplierProduct, skuOf, type Parsed, type SupplierProduct } from './supplier';

/** A supplier's file: enough to find it again, in the inbox or the archive. */
export interface ProductFile {
  key: string;
  lastModified: string;
  checksum: string;
  supplier: string;
  format: 'json' | 'csv';
}

/** One product of a supplier's file as the engine carries it to its workflow: raw, validated at load. */
export interface ProductRecord {
  file: ProductFile;
  /** 0-based index among the file's products (JSON array elements, CSV data rows). */
  index: number;
  /** Where a person finds it: the JSON element's number (from 1), the CSV line. */
  position: number;
  /** The element as the file has it (JSON), or the row's cells by column (CSV). */
  product: unknown;
  /** The reader's verdict on its shape, e.g. too large to carry. */
  problem?: string;
}

export function isProductRecord(value: unknown): value is ProductRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<ProductRecord>;
  return (
    typeof record.file === 'object' &&
    record.file !== null &&
    typeof record.index === 'number' &&
    'product' in record
  );
}

/**
 * The supplier a file is from: its name up to the first `_`, `-` or `.`, in lower case
 * (`shein_products_2026-11.json` is SHEIN's); null when that is not a plain word.
 */
export function supplierOf(key: string): string | null {
  const [first] = posix.basename(key).split(/[_.-]/);
  const supplier = first.toLowerCase();
  return /^[a-z0-9]{2,40}$/.test(supplier) ? supplier : null;
}

/** Ids go into visibility queries and workflow ids: anything but [A-Za-z0-9_.-] is %-encoded. */
export const idPart = (text: string): string =>
  text.replace(/[^A-Za-z0-9_.-]/g, (c) =>
    [...Buffer.from(c)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );

/** `<supplier>/<sku>`; a product without a SKU is known by its place in the file. */
export function productRecordId(record: ProductRecord): string {
  const sku = skuOf(record.product);
  const where = sku ?? `${posix.basename(record.file.key)}#${record.position}`;
  return `${idPart(record.file.supplier)}/${idPart(where)}`;
}

const INDEX_DIGITS = 10;

/**
 * A file's part of its products' versions: when it was dropped and what it holds. Not its name
 * (the vendor pipeline's versions carry it): a version is part of its record's workflow id, which
 * the PIM keeps in a field of 190 characters for its webhook to name (see pimcore.ts).
 */
export const filePart = (file: { lastModified: string; checksum: string }): string =>
  `${file.lastModified}|${file.checksum}|`;

/** `<last-modified>|<sha256>|<index>`: ordered by file, then by place in it. */
export function productVersion(
  file: Pick<ProductFile, 'lastModified' | 'checksum'>,
  index: number,
): Position {
  return `${filePart(file)}${String(index).padStart(INDEX_DIGITS, '0')}`;
}

export interface ParsedVersion {
  lastModified: string;
  checksum: string;
  index: number;
}

export function parseProductVersion(version: string): ParsedVersion | null {
  const [lastModified, checksum, index, ...rest] = version.split('|');
  if (
    rest.length > 0 ||
    !lastModified ||
    !/^[0-9a-f]{64}$/.test(checksum ?? '') ||
    !/^\d+$/.test(index ?? '')
  ) {
    return null;
  }
  return { lastModified, checksum, index: Number(index) };
}

/**
 * Whether `held` (the version a destination holds) is newer than `version`: a later file, or a
 * later place in the same file. Two files dropped at the same instant are not ordered: neither is
 * newer, and the one loaded last wins, as the source reads them one after the other.
 */
export function isNewerVersion(held: string | null, version: string): boolean {
  const theirs = held === null ? null : parseProductVersion(held);
  const ours = parseProductVersion(version);
  if (!theirs || !ours) return false;
  if (theirs.lastModified !== ours.lastModified) return theirs.lastModified > ours.lastModified;
  return theirs.checksum === ours.checksum && theirs.index > ours.index;
}

/** The supplier product a record carries, or why it carries none. */
export function supplierProductOf(record: unknown): Parsed<SupplierProduct> {
  if (!isProductRecord(record)) {
    return { ok: false, issues: [{ field: 'product', message: 'not a product of a supplier file' }] };
  }
  if (record.problem) return { ok: false, issues: [{ field: 'product', message: record.problem }] };
  return record.file.format === 'csv'
    ? parseFeedRow(record.product as Row)
    : parseSupplierProduct(record.product);
}

/**
 * A person's edit: dotted paths into the element (`salePrice.amount`, `sku_list.2.sku_sale_attr.0.attr_value_name`)
 * or, for a CSV feed, its columns. Each sets the value there (creating objects on the way); it
 * clears the reader's verdict, which the edit is meant to answer.
 */
export function applyProductEdit(record: unknown, edit: Record<string, unknown>): unknown {
  if (!isProductRecord(record)) return record;
  if (record.file.format === 'csv') {
    return { ...record, problem: undefined, product: { ...(record.product as Row), ...edit } };
  }
  const product: unknown = structuredClone(record.product ?? {});
  for (const [field, value] of Object.entries(edit)) setAt(product, field, value);
  return { ...record, problem: undefined, product };
}

function setAt(root: unknown, field: string, value: unknown): void {
  const parts = field.split('.');
  let at = root as Record<string, unknown>;
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1) {
      at[part] = value;
      return;
    }
    const next = at[part];
    if (typeof next !== 'object' || next === null) at[part] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    at = at[part] as Record<string, unknown>;
  }
}

/** Fields an edit may not name: they would reach outside the product. */
export function forbiddenEditFields(edit: Record<string, unknown>): ProductIssue[] {
  return Object.keys(edit)
    .filter((field) =>
      field
        .split('.')
        .some(
          (part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype',
        ),
    )
    .map((field) => ({ field, message: 'is not a field of the product' }));
}
