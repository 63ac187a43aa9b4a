import type { Row } from '../../connectors/file-drop';
import type { ProductIssue } from './issues';
import { parseSupplierProduct, type Parsed, type SupplierProduct } from './supplier';

/**
 * A simple feed as CSV: one row per product (so a page boundary never splits a product), its
 * columns named as the JSON export's fields where they exist:
 *
 *   goods_sn,goods_name,goods_desc,cat_id,cat_name,currency,sale_price,retail_price,material,colours,sizes,images
 *
 * `colours`, `sizes` and `images` list values separated by `|`. An attribute with several values
 * makes variants: every combination of the listed colours and sizes is one, at the product's
 * price, its SKU `<goods_sn>-<colour>-<size>` (the varying ones, upper case, other characters as
 * `-`); an attribute with one value is the product's own. The row becomes the supplier product
 * the JSON export would carry, and problems name the row's columns.
 */

export const CSV_REQUIRED_COLUMNS = ['goods_sn', 'goods_name', 'currency'] as const;
/** Columns of which the feed needs at least one. */
export const CSV_ONE_OF_COLUMNS = [
  ['cat_name', 'cat_id'],
  ['sale_price', 'retail_price'],
] as const;

/** The columns a feed's header lacks, worded for the quarantine reason; empty when it has them all. */
export function missingColumns(header: string[]): string[] {
  const present = new Set(header.map((name) => name.trim().toLowerCase()));
  return [
    ...CSV_REQUIRED_COLUMNS.filter((column) => !present.has(column)),
    ...CSV_ONE_OF_COLUMNS.filter((either) => !either.some((column) => present.has(column))).map((either) =>
      either.join(' or '),
    ),
  ];
}

/** The row's cells by lower-case column name, blank cells left out. */
function cells(row: Row): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(row)) {
    const text = value === null ? '' : String(value).trim();
    if (text !== '') out[name.trim().toLowerCase()] = text;
  }
  return out;
}

const list = (text: string | undefined) =>
  [...new Set((text ?? '').split('|').map((value) => value.trim()))].filter(Boolean);
const skuPart = (value: string) =>
  value
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The supplier product a feed row stands for. */
export function rowAsSupplierProduct(row: Row): Record<string, unknown> {
  const c = cells(row);
  const price = (amount: string | undefined) =>
    amount === undefined ? undefined : { amount, currency: c.currency ?? '' };
  const colours = list(c.colours);
  const sizes = list(c.sizes);
  const varying = [
    ...(colours.length > 1 ? [{ name: 'Color', values: colours }] : []),
    ...(sizes.length > 1 ? [{ name: 'Size', values: sizes }] : []),
  ];
  const combinations = varying.reduce<{ attr_name: string; attr_value_name: string }[][]>(
    (all, { name, values }) =>
      all.flatMap((partial) =>
        values.map((value) => [...partial, { attr_name: name, attr_value_name: value }]),
      ),
    [[]],
  );
  const details = [
    ...(c.material ? [{ attr_name: 'Material', attr_value: c.material }] : []),
    ...(colours.length === 1 ? [{ attr_name: 'Color', attr_value: colours[0] }] : []),
    ...(sizes.length === 1 ? [{ attr_name: 'Size', attr_value: sizes[0] }] : []),
  ];
  const images = list(c.images);
  return {
    goods_sn: c.goods_sn,
    goods_name: c.goods_name,
    goods_desc: c.goods_desc,
    cat_id: c.cat_id,
    cat_name: c.cat_name,
    salePrice: price(c.sale_price),
    retailPrice: price(c.retail_price),
    productDetails: details,
    sku_list:
      varying.length === 0
        ? []
        : combinations.map((attributes) => ({
            sku_code: [c.goods_sn ?? '', ...attributes.map((a) => skuPart(a.attr_value_name))].join('-'),
            sku_sale_attr: attributes,
          })),
    goods_img: images[0],
    detail_image: images.slice(1),
  };
}

/** The column a problem with the converted product is about. */
export function columnOf(field: string, row: Row): string {
  const [head, , part] = field.split('.');
  const c = cells(row);
  if (head === 'salePrice' || head === 'retailPrice') {
    if (field.endsWith('.currency')) return 'currency';
    return head === 'salePrice' ? 'sale_price' : 'retail_price';
  }
  if (head === 'goods_img' || head === 'detail_image') return 'images';
  if (head === 'productDetails') return 'material';
  if (head === 'sku_list') {
    if (part === 'sku_code') return 'goods_sn';
    return list(c.sizes).length > 1 ? 'sizes' : 'colours';
  }
  return head;
}

export function parseFeedRow(row: Row): Parsed<SupplierProduct> {
  const parsed = parseSupplierProduct(rowAsSupplierProduct(row));
  if (parsed.ok) return parsed;
  return { ok: false, issues: parsed.issues.map((issue) => inColumns(issue, row)) };
}

export function inColumns(issue: ProductIssue, row: Row): ProductIssue {
  return { ...issue, field: columnOf(issue.field, row) };
}
