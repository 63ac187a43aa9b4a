import {
  arrayOf,
  boolString,
  nullish,
  num,
  object,
  oneOf,
  optional,
  record,
  required,
  str,
  type Shape,
} from './medusa-schema';

/**
 * The Admin API's request bodies, field for field as Medusa v2 declares them
 * (packages/medusa/src/api/admin/products/validators.ts). Strict where Medusa is: the top level of
 * every body (its zodValidator calls .strict()) and variants (declared .strict()). Options,
 * prices, images and id references drop unknown keys without a word.
 */

export const PRODUCT_STATUSES = ['draft', 'proposed', 'published', 'rejected'] as const;

const idRef = object({ id: required(str()) });
const dimensions: Shape = {
  weight: nullish(num()),
  length: nullish(num()),
  height: nullish(num()),
  width: nullish(num()),
};
const customs: Shape = {
  hs_code: nullish(str()),
  mid_code: nullish(str()),
  origin_country: nullish(str()),
  material: nullish(str()),
};
/** Every body of an Admin route that runs a workflow takes `additional_data` for its hooks. */
const additionalData: Shape = { additional_data: nullish(record()) };

const createPrice = object({
  currency_code: required(str()),
  amount: required(num()),
  min_quantity: nullish(num()),
  max_quantity: nullish(num()),
  rules: optional(record(str())),
});

const updatePrice = object({
  id: optional(str()),
  currency_code: optional(str()),
  amount: optional(num()),
  min_quantity: nullish(num()),
  max_quantity: nullish(num()),
  rules: optional(record(str())),
});

const variantCodes: Shape = {
  sku: nullish(str()),
  ean: nullish(str()),
  upc: nullish(str()),
  barcode: nullish(str()),
  hs_code: nullish(str()),
  mid_code: nullish(str()),
};

const createVariantShape: Shape = {
  title: required(str()),
  ...variantCodes,
  allow_backorder: optional(boolString()),
  manage_inventory: optional(boolString()),
  variant_rank: optional(num()),
  ...dimensions,
  origin_country: nullish(str()),
  material: nullish(str()),
  metadata: nullish(record()),
  prices: required(arrayOf(createPrice)),
  options: optional(record(str())),
  inventory_items: optional(
    arrayOf(object({ inventory_item_id: required(str()), required_quantity: required(num()) })),
  ),
};

const updateVariantShape: Shape = {
  id: optional(str()),
  title: optional(str()),
  prices: optional(arrayOf(updatePrice)),
  ...variantCodes,
  allow_backorder: optional(boolString()),
  manage_inventory: optional(boolString()),
  variant_rank: optional(num()),
  ...dimensions,
  origin_country: nullish(str()),
  material: nullish(str()),
  metadata: nullish(record()),
  options: optional(record(str())),
};

const createVariant = object(createVariantShape, true);
const updateVariant = object(updateVariantShape, true);

/** POST /admin/products */
export const CREATE_PRODUCT = object(
  {
    title: required(str()),
    subtitle: nullish(str()),
    description: nullish(str()),
    is_giftcard: optional(boolString()),
    discountable: optional(boolString()),
    images: optional(arrayOf(object({ url: required(str()) }))),
    thumbnail: nullish(str()),
    handle: optional(str()),
    status: nullish(oneOf(PRODUCT_STATUSES)),
    external_id: nullish(str()),
    type_id: nullish(str()),
    collection_id: nullish(str()),
    categories: optional(arrayOf(idRef)),
    tags: optional(arrayOf(idRef)),
    options: optional(arrayOf(object({ title: required(str()), values: required(arrayOf(str())) }))),
    variants: optional(arrayOf(createVariant)),
    sales_channels: optional(arrayOf(idRef)),
    ...dimensions,
    ...customs,
    metadata: nullish(record()),
    ...additionalData,
  },
  true,
);

/** POST /admin/products/:id: every field optional; `variants` is the product's whole variant list. */
export const UPDATE_PRODUCT = object(
  {
    title: optional(str()),
    discountable: optional(boolString()),
    is_giftcard: optional(boolString()),
    options: optional(
      arrayOf(object({ id: optional(str()), title: optional(str()), values: optional(arrayOf(str())) })),
    ),
    variants: optional(arrayOf(updateVariant)),
    status: optional(oneOf(PRODUCT_STATUSES)),
    subtitle: nullish(str()),
    description: nullish(str()),
    images: optional(arrayOf(object({ url: required(str()) }))),
    thumbnail: nullish(str()),
    handle: nullish(str()),
    type_id: nullish(str()),
    external_id: nullish(str()),
    collection_id: nullish(str()),
    categories: optional(arrayOf(idRef)),
    tags: optional(arrayOf(idRef)),
    sales_channels: optional(arrayOf(idRef)),
    ...dimensions,
    ...customs,
    metadata: nullish(record()),
    ...additionalData,
  },
  true,
);

/** POST /admin/products/:id/variants */
export const CREATE_VARIANT = object({ ...createVariantShape, ...additionalData }, true);

/** POST /admin/products/:id/variants/:variant_id */
export const UPDATE_VARIANT = object({ ...updateVariantShape, ...additionalData }, true);

/** POST /admin/products/:id/variants/batch */
export const BATCH_VARIANTS = object(
  {
    create: optional(arrayOf(createVariant)),
    update: optional(arrayOf(object({ ...updateVariantShape, id: required(str()) }, true))),
    delete: optional(arrayOf(str())),
  },
  true,
);

/** Body fields of a product that are stored and rendered as sent (null when absent). */
export const PRODUCT_SCALARS = [
  'title',
  'subtitle',
  'description',
  'handle',
  'status',
  'external_id',
  'is_giftcard',
  'discountable',
  'thumbnail',
  'collection_id',
  'type_id',
  'weight',
  'length',
  'height',
  'width',
  'hs_code',
  'origin_country',
  'mid_code',
  'material',
  'metadata',
] as const;

/** Body fields of a variant that are stored and rendered as sent (null when absent). */
export const VARIANT_SCALARS = [
  'title',
  'sku',
  'ean',
  'upc',
  'barcode',
  'allow_backorder',
  'manage_inventory',
  'hs_code',
  'origin_country',
  'mid_code',
  'material',
  'weight',
  'length',
  'height',
  'width',
  'metadata',
  'variant_rank',
] as const;
