import { z } from 'zod';

/**
 * Supplier categories to the store's (PRODUCT_CATEGORIES_FILE): each key is a supplier category
 * id (`cat_id`) or name (`cat_name`; case, spacing and the separators of a path do not matter),
 * each value the store category: its handle (what the PIM's Categories field holds) and the
 * storefront's category id (Medusa's `pcat_…`).
 *
 *   {"categories": {"Women Dresses": {"handle": "dresses", "medusaCategoryId": "pcat_01…"}}}
 */

const storeCategorySchema = z.strictObject({
  handle: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a category handle such as womens-dresses'),
  medusaCategoryId: z.string().regex(/^pcat_[A-Za-z0-9]+$/, 'must be a Medusa category id such as pcat_01J…'),
});

const categoriesFileSchema = z.strictObject({
  categories: z.record(z.string().min(1), storeCategorySchema),
});

export type StoreCategory = z.output<typeof storeCategorySchema>;

export interface CategoryMapping {
  /** The store category of a supplier category, by its id first, then its name; undefined: unmapped. */
  storeCategory(supplier: { id?: string; name?: string }): StoreCategory | undefined;
  /** Every store category the mapping names, for the storefront's set-up. */
  storeCategories(): StoreCategory[];
}

/** `Women > Dresses`, `women  dresses` and `WOMEN/DRESSES` are one name. */
const normalised = (name: string) =>
  name
    .toLowerCase()
    .split(/[\s>/|,]+/)
    .filter(Boolean)
    .join(' ');

/** The mapping file, checked; a bad one stops start-up naming the file and the entry. */
export function parseCategoryMapping(json: unknown, file: string): CategoryMapping {
  const parsed = categoriesFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`PRODUCT_CATEGORIES_FILE ${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  const byKey = new Map<string, StoreCategory>();
  for (const [key, category] of Object.entries(parsed.data.categories)) {
    const normal = normalised(key);
    if (byKey.has(normal)) {
      throw new Error(`PRODUCT_CATEGORIES_FILE ${file}: categories.${key}: names a supplier category twice`);
    }
    byKey.set(normal, category);
  }
  return {
    storeCategory: ({ id, name }) =>
      (id !== undefined ? byKey.get(normalised(id)) : undefined) ??
      (name !== undefined ? byKey.get(normalised(name)) : undefined),
    storeCategories: () => [...new Map([...byKey.values()].map((c) => [c.handle, c])).values()],
  };
}
