/**
 * Writes the sample supplier product files in samples/products/: a SHEIN-style JSON export of 300
 * products and a simple CSV feed of 40, with the bad products samples/products/README.md lists.
 * Deterministic: a fixed seed, so re-running it changes nothing.
 *
 *   npx tsx scripts/sample-product-files.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { base62, createPrng, pick, type Prng } from '../sandbox/prng';

const OUTPUT = path.resolve(__dirname, '../samples/products');
const JSON_PRODUCTS = 300;
const CSV_PRODUCTS = 40;

interface Kind {
  category: string;
  nouns: string[];
  sizes: string[];
  /** How the SKUs of a product differ. */
  varyBy: 'size' | 'colour' | 'none';
  price: [number, number];
  materials: string[];
}

const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const KINDS: Kind[] = [
  {
    category: 'Women Dresses',
    nouns: ['Midi Dress', 'Wrap Dress', 'Slip Dress', 'Shirt Dress'],
    sizes: APPAREL_SIZES,
    varyBy: 'size',
    price: [12, 38],
    materials: ['Polyester', 'Viscose', 'Cotton'],
  },
  {
    category: 'Women Tops',
    nouns: ['Blouse', 'Cami Top', 'Crop Top', 'Knit Top'],
    sizes: APPAREL_SIZES,
    varyBy: 'size',
    price: [6, 22],
    materials: ['Polyester', 'Cotton', 'Rayon'],
  },
  {
    category: 'Women Jeans',
    nouns: ['Straight Jeans', 'Wide Leg Jeans', 'Mom Jeans'],
    sizes: ['24', '25', '26', '27', '28', '29', '30'],
    varyBy: 'size',
    price: [18, 36],
    materials: ['Denim'],
  },
  {
    category: 'Men T-Shirts',
    nouns: ['Crew Tee', 'Graphic Tee', 'Pocket Tee'],
    sizes: APPAREL_SIZES,
    varyBy: 'size',
    price: [5, 15],
    materials: ['Cotton', 'Cotton Blend'],
  },
  {
    category: 'Men Hoodies & Sweatshirts',
    nouns: ['Zip Hoodie', 'Pullover Hoodie', 'Sweatshirt'],
    sizes: APPAREL_SIZES,
    varyBy: 'size',
    price: [16, 40],
    materials: ['Polyester', 'Fleece'],
  },
  {
    category: 'Kids Rompers',
    nouns: ['Romper', 'Jumpsuit'],
    sizes: ['3-4Y', '5-6Y', '7-8Y', '9-10Y'],
    varyBy: 'size',
    price: [8, 20],
    materials: ['Cotton'],
  },
  {
    category: 'Shoes > Sneakers',
    nouns: ['Low Top Sneakers', 'Chunky Sneakers', 'Slip-On Sneakers'],
    sizes: ['EUR36', 'EUR37', 'EUR38', 'EUR39', 'EUR40', 'EUR41', 'EUR42'],
    varyBy: 'size',
    price: [20, 45],
    materials: ['PU Leather', 'Canvas'],
  },
  {
    category: 'Bags',
    nouns: ['Tote Bag', 'Crossbody Bag', 'Shoulder Bag'],
    sizes: [],
    varyBy: 'colour',
    price: [9, 30],
    materials: ['PU Leather', 'Nylon'],
  },
  {
    category: 'Home Textiles',
    nouns: ['Throw Blanket', 'Cushion Cover', 'Duvet Cover Set'],
    sizes: [],
    varyBy: 'none',
    price: [7, 35],
    materials: ['Polyester', 'Cotton', 'Linen'],
  },
];
const ADJECTIVES = [
  'Floral',
  'Ribbed',
  'Solid',
  'Striped',
  'Plaid',
  'Ruched',
  'Oversized',
  'Cropped',
  'Vintage',
  'Minimalist',
  'Ditsy Print',
  'Tie Front',
];
const COLOURS = [
  'Black',
  'White',
  'Beige',
  'Navy Blue',
  'Burgundy',
  'Khaki',
  'Dusty Pink',
  'Sage Green',
  'Grey',
];

const between = (random: Prng, low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const money = (value: number) => value.toFixed(2);

function image(random: Prng): string {
  return `//img.ltwebstatic.com/images3_pi/2026/11/${between(random, 10, 28)}/${base62(random, 24).toLowerCase()}_thumbnail_900x.jpg`;
}

/** A SHEIN-style goods entry, with USD prices mostly (some EUR, a few GBP). */
function product(random: Prng, index: number): Record<string, unknown> {
  const kind = KINDS[index % KINDS.length];
  const colour = pick(random, COLOURS);
  const material = pick(random, kind.materials);
  const name = `${pick(random, ADJECTIVES)} ${kind.nouns[index % kind.nouns.length]}`;
  const currency = index % 20 === 7 ? 'GBP' : index % 7 === 3 ? 'EUR' : 'USD';
  const retail = between(random, kind.price[0] * 100, kind.price[1] * 100) / 100;
  const sale = Math.round(retail * (0.6 + random() * 0.35) * 100) / 100;
  const goodsSn = `sw2611${String(between(random, 1e9, 9e9))}`;
  const skuCode = () => `I${base62(random, 11)}`;
  let skus: Record<string, unknown>[] = [];
  if (kind.varyBy === 'size') {
    const first = between(random, 0, Math.max(0, kind.sizes.length - 4));
    const sizes = kind.sizes.slice(first, first + between(random, 3, 4));
    // One product in five charges more for its largest size.
    const dearer = index % 5 === 0;
    skus = sizes.map((size, at) => ({
      sku_code: skuCode(),
      sku_sale_attr: [{ attr_id: 87, attr_name: 'Size', attr_value_name: size }],
      stock: between(random, 0, 80),
      ...(dearer && at === sizes.length - 1
        ? {
            salePrice: { amount: money(sale + 2), currency },
            retailPrice: { amount: money(retail + 2), currency },
          }
        : {}),
    }));
  } else if (kind.varyBy === 'colour') {
    const colours = [...new Set([colour, pick(random, COLOURS), pick(random, COLOURS)])];
    skus = colours.map((value) => ({
      sku_code: skuCode(),
      sku_sale_attr: [{ attr_id: 27, attr_name: 'Color', attr_value_name: value }],
      stock: between(random, 0, 80),
    }));
  }
  return {
    goods_id: between(random, 10_000_000, 39_999_999),
    goods_sn: goodsSn,
    goods_name: `SHEIN ${name}`,
    goods_desc: `${name} in ${colour.toLowerCase()}, ${material.toLowerCase()}.`,
    cat_id: String(1700 + (index % KINDS.length)),
    cat_name: kind.category,
    retailPrice: {
      amount: money(retail),
      amountWithSymbol: `${currency === 'USD' ? '$' : ''}${money(retail)}`,
      currency,
    },
    salePrice: {
      amount: money(sale),
      amountWithSymbol: `${currency === 'USD' ? '$' : ''}${money(sale)}`,
      currency,
    },
    productDetails: [
      { attr_name: 'Color', attr_value: kind.varyBy === 'colour' ? 'Multicolor' : colour },
      { attr_name: 'Material', attr_value: material },
      { attr_name: 'Pattern Type', attr_value: pick(random, ['Plain', 'Floral', 'Striped', 'Graphic']) },
    ].filter((detail) => !(kind.varyBy === 'colour' && detail.attr_name === 'Color')),
    sku_list: skus,
    goods_img: image(random),
    detail_image: [image(random), image(random)],
  };
}

/** The bad products, by index (0-based) in the JSON array; samples/products/README.md lists them. */
const JSON_BAD: Record<number, (p: Record<string, unknown>) => unknown> = {
  16: (p) => {
    delete p.salePrice;
    delete p.retailPrice;
    for (const sku of p.sku_list as Record<string, unknown>[]) delete sku.salePrice;
    return p;
  },
  40: (p) => ({ ...p, salePrice: { ...(p.salePrice as object), currency: 'USX' } }),
  57: (p) => ({
    ...p,
    salePrice: { ...(p.salePrice as object), currency: 'BRL' },
    retailPrice: { ...(p.retailPrice as object), currency: 'BRL' },
  }),
  75: (p) => ({ ...p, cat_id: '2901', cat_name: 'Pet Supplies' }),
  92: (p) => {
    (p.sku_list as { sku_sale_attr: unknown[] }[])[1].sku_sale_attr = [];
    return p;
  },
  111: (p) => {
    const skus = p.sku_list as { sku_sale_attr: { attr_value_name: string }[] }[];
    skus[2].sku_sale_attr = structuredClone(skus[1].sku_sale_attr);
    return p;
  },
  134: (p) => {
    delete p.goods_sn;
    return p;
  },
  150: () => 'discontinued',
  169: (p) => ({ ...p, salePrice: { ...(p.salePrice as object), amount: '0.00' } }),
  187: (p) => {
    (p.sku_list as { sku_sale_attr: unknown[] }[])[0].sku_sale_attr.push({
      attr_name: 'Style',
      attr_value_name: 'Casual',
    });
    return p;
  },
  203: (p) => ({ ...p, goods_img: 'img.ltwebstatic.com/images3_pi/2026/11/12/missing-scheme.jpg' }),
  221: (p) => ({ ...p, goods_sn: 'SW 2611 4471' }),
  246: (p) => ({ ...p, salePrice: { ...(p.salePrice as object), amount: '$19.99' } }),
};

function jsonFile(): string {
  const random = createPrng(20261120);
  const products = Array.from({ length: JSON_PRODUCTS }, (_, index) => {
    const made = product(random, index);
    return JSON_BAD[index] ? JSON_BAD[index](made) : made;
  });
  return `${JSON.stringify({ info: { site: 'shein', exported: '2026-11-20T06:00:00Z', products: JSON_PRODUCTS }, products }, null, 2)}\n`;
}

const CSV_HEADER =
  'goods_sn,goods_name,goods_desc,cat_name,currency,sale_price,retail_price,material,colours,sizes,images';
const quoted = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A simple feed: home textiles and bags, one row a product, colours and sizes listed with `|`. */
function csvFile(): string {
  const random = createPrng(20261121);
  const rows = Array.from({ length: CSV_PRODUCTS }, (_, index) => {
    const bags = index % 2 === 0;
    const noun = bags
      ? pick(random, ['Canvas Tote', 'Market Basket', 'Laptop Sleeve'])
      : pick(random, ['Linen Napkin Set', 'Waffle Towel', 'Cushion Cover']);
    const colours = [...new Set([pick(random, COLOURS), pick(random, COLOURS)])];
    const sizes = bags ? [] : ['40x40cm', '45x45cm', '50x50cm'].slice(0, between(random, 1, 3));
    const retail = between(random, 800, 4500) / 100;
    const cells = [
      `ACME-${String(4100 + index)}`,
      `${pick(random, ADJECTIVES)} ${noun}`,
      `${noun}, made to last.`,
      bags ? 'Bags' : 'Home Textiles',
      'EUR',
      money(Math.round(retail * 0.85 * 100) / 100),
      money(retail),
      pick(random, ['Cotton', 'Linen', 'Jute']),
      colours.join('|'),
      sizes.join('|'),
      `https://cdn.acme.example/products/${4100 + index}.jpg`,
    ];
    if (index === 9) cells[5] = cells[6] = '';
    if (index === 21) cells[3] = 'Garden Furniture';
    if (index === 33) cells[4] = 'XYZ';
    return cells.map(quoted).join(',');
  });
  return `${[CSV_HEADER, ...rows].join('\n')}\n`;
}

mkdirSync(OUTPUT, { recursive: true });
writeFileSync(path.join(OUTPUT, 'shein_products_2026-11.json'), jsonFile());
writeFileSync(path.join(OUTPUT, 'acme_feed_2026-11.csv'), csvFile());
console.log(`wrote ${OUTPUT}`);
