import Decimal from 'decimal.js';
import { extractAttributes, type AttributeName, type AttributeValues } from './attributes';
import type { CategoryMapping } from './categories';
import { convert, type CurrencyRates } from './currency';
import type { ProductIssue } from './issues';
import type { Parsed, SupplierPrice, SupplierProduct } from './supplier';

/**
 * The canonical product (seed 002's Step Functions stage): one shape for every supplier and feed,
 * in the store's terms. Names are the pipeline's, not the supplier's; prices are decimal strings
 * in the store's currency; the category is the store's; size, colour and material are structured
 * as the product's own attributes, or as options its variants give a value of each.
 */

export interface Money {
  /** A decimal string at the currency's minor unit, e.g. "17.35". */
  amount: string;
  /** ISO 4217, upper case. */
  currency: string;
}

export interface CanonicalVariant {
  sku: string;
  /** "M / Black": the option values in the product's option order; "Default" without options. */
  title: string;
  options: AttributeValues;
  price: Money;
  /** The supplier's price, before conversion. */
  supplierPrice: Money;
}

export interface CanonicalProduct {
  supplier: string;
  sku: string;
  name: string;
  description: string | null;
  category: { handle: string; medusaCategoryId: string; supplier: string };
  attributes: AttributeValues;
  options: { name: AttributeName; values: string[] }[];
  variants: CanonicalVariant[];
  /** The product's price: its own, else its cheapest variant's. */
  price: Money;
  images: string[];
  /** The day of the exchange rates the prices were converted at. */
  ratesDate: string;
}

export interface TransformSettings {
  storeCurrency: string;
  rates: CurrencyRates;
  categories: CategoryMapping;
}

const tidy = (text: string) => text.trim().replace(/\s+/g, ' ');

/** What the supplier asks for a product or SKU: its sale price, else its list price. */
function askedPrice(
  owner: { salePrice?: SupplierPrice; retailPrice?: SupplierPrice },
  path: string,
): { price: SupplierPrice; field: string } | undefined {
  if (owner.salePrice) return { price: owner.salePrice, field: `${path}salePrice` };
  if (owner.retailPrice) return { price: owner.retailPrice, field: `${path}retailPrice` };
  return undefined;
}

/** A protocol-relative URL (SHEIN's `//img.ltwebstatic.com/…`) is an https one. */
function imageUrl(url: string): string | null {
  const absolute = url.startsWith('//') ? `https:${url}` : url;
  return /^https?:\/\/\S+$/.test(absolute) ? absolute : null;
}

export function toCanonical(
  product: SupplierProduct,
  supplier: string,
  settings: TransformSettings,
): Parsed<CanonicalProduct> {
  const issues: ProductIssue[] = [];
  const { storeCurrency, rates } = settings;

  const category = settings.categories.storeCategory({ id: product.cat_id, name: product.cat_name });
  if (!category) {
    const field = product.cat_name !== undefined ? 'cat_name' : 'cat_id';
    const named = product.cat_name ?? product.cat_id;
    issues.push({
      field,
      value: named,
      message: `the supplier category '${named}' is mapped to no store category (PRODUCT_CATEGORIES_FILE)`,
    });
  }

  const converted = (asked: { price: SupplierPrice; field: string }): Money | undefined => {
    const currency = asked.price.currency.toUpperCase();
    const result = convert(asked.price.amount, currency, storeCurrency, rates);
    if (!result.ok) {
      issues.push({ field: `${asked.field}.currency`, value: asked.price.currency, message: result.message });
      return undefined;
    }
    if (new Decimal(result.amount).lte(0)) {
      issues.push({
        field: `${asked.field}.amount`,
        value: asked.price.amount,
        message: 'must be more than 0',
      });
      return undefined;
    }
    return { amount: result.amount, currency: storeCurrency };
  };

  const productAsk = askedPrice(product, '');
  const productPrice = productAsk && converted(productAsk);
  const extracted = extractAttributes(product);
  if (!extracted.ok) issues.push(...extracted.issues);

  const variants: CanonicalVariant[] = [];
  const unpriced: string[] = [];
  for (const variant of extracted.ok ? extracted.value.variants : []) {
    const sku = variant.index === null ? undefined : product.sku_list[variant.index];
    const ask = (sku && askedPrice(sku, `sku_list.${variant.index}.`)) ?? productAsk;
    if (!ask) {
      if (variant.index !== null) unpriced.push(`sku_list.${variant.index}`);
      continue;
    }
    const price = ask === productAsk ? productPrice : converted(ask);
    if (!price) continue;
    const names = extracted.ok ? extracted.value.options.map((option) => option.name) : [];
    variants.push({
      sku: variant.sku,
      title: names.map((name) => variant.values[name]).join(' / ') || 'Default',
      options: variant.values,
      price,
      supplierPrice: { amount: ask.price.amount, currency: ask.price.currency.toUpperCase() },
    });
  }

  if (!productAsk && (unpriced.length > 0 || variants.length === 0)) {
    const which = unpriced.length > 0 ? ` and ${unpriced.join(', ')} none of their own` : '';
    issues.push({
      field: 'salePrice',
      message: `is required (or retailPrice): the product has no price${which}`,
    });
  }

  const images: string[] = [];
  const sources = [
    ...(product.goods_img ? [{ url: product.goods_img, field: 'goods_img' }] : []),
    ...product.detail_image.map((url, index) => ({ url, field: `detail_image.${index}` })),
  ];
  for (const { url, field } of sources) {
    const absolute = imageUrl(url);
    if (absolute === null) issues.push({ field, value: url, message: 'must be an http(s) URL' });
    else if (!images.includes(absolute)) images.push(absolute);
  }

  if (issues.length > 0 || !category || !extracted.ok) return { ok: false, issues };
  const cheapest = variants.reduce(
    (low, v) => (new Decimal(v.price.amount).lt(low.amount) ? v.price : low),
    variants[0].price,
  );
  return {
    ok: true,
    value: {
      supplier,
      sku: product.goods_sn,
      name: tidy(product.goods_name),
      description: product.goods_desc ? product.goods_desc.trim() : null,
      category: { ...category, supplier: product.cat_name ?? product.cat_id! },
      attributes: extracted.value.attributes,
      options: extracted.value.options,
      variants,
      price: productPrice ?? cheapest,
      images,
      ratesDate: rates.date,
    },
  };
}
