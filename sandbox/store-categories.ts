import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxCategory } from './medusa';

/** The Medusa categories the shipped category mapping (config/product-categories.json) names. */
export function sampleStoreCategories(): SandboxCategory[] {
  const file = path.resolve(__dirname, '..', 'config', 'product-categories.json');
  const { categories } = JSON.parse(readFileSync(file, 'utf8')) as {
    categories: Record<string, { handle: string; medusaCategoryId: string }>;
  };
  const byId = new Map(
    Object.values(categories).map((c) => [
      c.medusaCategoryId,
      { id: c.medusaCategoryId, name: c.handle, handle: c.handle },
    ]),
  );
  return [...byId.values()];
}
