import type { z } from 'zod';

/** What is wrong with a product, named by its field as the supplier's file names it (a dotted path). */
export interface ProductIssue {
  field: string;
  message: string;
  /** The offending value as a person should see it. */
  value?: string;
}

/** A person needs to see the value that failed; a long one is cut. */
export function shown(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The value at a dotted path (`sku_list.2.sku_code`), or undefined. */
export function valueAt(root: unknown, field: string): unknown {
  let at: unknown = root;
  for (const part of field.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** zod's issues as the product's: the path dotted, a missing field said so. */
export function zodIssues(error: z.ZodError, input: unknown): ProductIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || 'product';
    const value = valueAt(input, field);
    const message = value === undefined ? 'is required' : issue.message;
    return { field, message, ...(value === undefined ? {} : { value: shown(value) }) };
  });
}
