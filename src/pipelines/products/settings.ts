import path from 'node:path';
import { z } from 'zod';
import type { FolderDropSettings, S3DropSettings } from '../../connectors/file-drop';
import type { RetrySettings, SyncSettings } from '../../domain/sync';
import { isCurrencyCode } from './currency';
import { LIVE, PIM_UPSERTED, PUBLISHED } from './stages';

/** How config.ts reads durations and URLs; passed in so both read them alike (and no import cycle). */
interface Parsers {
  duration: z.ZodType<number, string>;
  httpUrl: z.ZodType<string, string>;
  name: z.ZodType<string, string>;
}

const pipelineName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'may contain only lower-case letters, digits and "-"');

const currencyCode = z
  .string()
  .trim()
  .transform((code) => code.toUpperCase())
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code such as EUR');

/** The products pipeline's settings (issue #13), by environment variable; `.env.example` documents each one. */
export function productVariables({ duration, httpUrl, name }: Parsers) {
  return {
    PRODUCT_FILES_FOLDER: z.string().trim().min(1).optional(),
    PRODUCT_FILES_SETTLE: duration.default(2_000),
    PRODUCT_FILES_S3_BUCKET: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name such as supplier-drops')
      .optional(),
    PRODUCT_FILES_S3_PREFIX: z
      .string()
      .trim()
      .regex(/^([^/].*\/)?$/, 'must be empty or a key prefix ending in "/", such as products/')
      .default(''),
    PRODUCT_FILES_S3_REGION: z.string().trim().min(1).default('us-east-1'),
    PRODUCT_FILES_S3_ENDPOINT: httpUrl.optional(),
    PRODUCT_FILES_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
    PRODUCTS_PIPELINE: pipelineName.default('products'),
    PRODUCTS_SCHEDULE_ID: name.optional(),
    PRODUCTS_SYNC_INTERVAL: duration.default(60_000).pipe(z.number().min(1_000, 'must be at least 1s')),
    PRODUCTS_RETRY_INITIAL_INTERVAL: duration
      .default(10_000)
      .pipe(z.number().min(10, 'must be at least 10ms').max(600_000, 'must be at most 10m')),
    PIMCORE_URL: httpUrl.optional(),
    PIMCORE_GRAPHQL_ENDPOINT: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]+$/, 'must be the Datahub configuration name, such as recordsync')
      .optional(),
    PIMCORE_API_KEY: z.string().min(1, 'must not be empty').optional(),
    PIMCORE_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    PIMCORE_PRODUCTS_FOLDER: z
      .string()
      .trim()
      .regex(/^(\/[^/\s]+)+$/, 'must be a Pimcore folder path such as /Products')
      .default('/Products'),
    MEDUSA_URL: httpUrl.optional(),
    MEDUSA_SECRET_API_KEY: z
      .string()
      .regex(/^sk_\S+$/, 'must be a Medusa secret API key (it starts with sk_)')
      .optional(),
    MEDUSA_SALES_CHANNEL_ID: z
      .string()
      .trim()
      .regex(/^sc_[A-Za-z0-9]+$/, 'must be a Medusa sales channel id such as sc_01J…')
      .optional(),
    STORE_CURRENCY: currencyCode.optional(),
    /** Unset: the project's config/currency-rates.json. */
    PRODUCT_CURRENCY_RATES_FILE: z.string().trim().min(1).optional(),
    /** Unset: the project's config/product-categories.json. */
    PRODUCT_CATEGORIES_FILE: z.string().trim().min(1).optional(),
    PRODUCT_PUBLISH_DEADLINE: duration
      .default(24 * 3_600_000)
      .pipe(z.number().min(1_000, 'must be at least 1s')),
    PRODUCT_PUBLISH_REMINDER: duration.default(3_600_000).pipe(z.number().min(1_000, 'must be at least 1s')),
  };
}

type ProductVariables = ReturnType<typeof productVariables>;
type ProductEnvironment = z.output<z.ZodObject<ProductVariables>>;

/** Setting any of these asks for the products pipeline: then every one of REQUIRED must be set. */
const WANTS_PRODUCTS = [
  'PRODUCT_FILES_FOLDER',
  'PRODUCT_FILES_S3_BUCKET',
  'PIMCORE_URL',
  'PIMCORE_GRAPHQL_ENDPOINT',
  'PIMCORE_API_KEY',
  'PIMCORE_WEBHOOK_SECRET',
  'MEDUSA_URL',
  'MEDUSA_SECRET_API_KEY',
  'STORE_CURRENCY',
] as const;
const REQUIRED = WANTS_PRODUCTS.filter(
  (variable) => variable !== 'PRODUCT_FILES_FOLDER' && variable !== 'PRODUCT_FILES_S3_BUCKET',
);

/** Settings that only make sense together; each issue names the variable to fix. */
export function productSettingIssues(
  env: Partial<Record<keyof ProductVariables, unknown>>,
): { variable: keyof ProductVariables; message: string }[] {
  if (!WANTS_PRODUCTS.some((variable) => env[variable] !== undefined)) return [];
  const message =
    'is required for the products pipeline (other PRODUCT_, PIMCORE_ or MEDUSA_ settings are set)';
  const issues: { variable: keyof ProductVariables; message: string }[] = REQUIRED.filter(
    (variable) => env[variable] === undefined,
  ).map((variable) => ({ variable, message }));
  if (env.PRODUCT_FILES_FOLDER === undefined && env.PRODUCT_FILES_S3_BUCKET === undefined) {
    issues.push({ variable: 'PRODUCT_FILES_FOLDER', message: `or PRODUCT_FILES_S3_BUCKET ${message}` });
  }
  if (
    typeof env.PRODUCT_PUBLISH_REMINDER === 'number' &&
    typeof env.PRODUCT_PUBLISH_DEADLINE === 'number' &&
    env.PRODUCT_PUBLISH_REMINDER >= env.PRODUCT_PUBLISH_DEADLINE
  ) {
    issues.push({
      variable: 'PRODUCT_PUBLISH_REMINDER',
      message: 'must be shorter than PRODUCT_PUBLISH_DEADLINE (the reminder comes before the deadline)',
    });
  }
  return issues;
}

/**
 * Seed 002: "three attempts with exponential backoff", then a problem record and an alert. The
 * engine retries within a time budget rather than a count, so the budget is chosen to allow
 * exactly three: with initial interval I and coefficient 3 the attempts start at 0, I and 4I
 * after the first failure, and a fourth would start at 13I; a budget of 8.5I lets the second and
 * third attempts each take up to 4.5I (45 s at the default I of 10 s, more than a request's
 * timeout) and still forbids the fourth, however fast the attempts fail.
 */
export function productRetry(initialIntervalMs: number): RetrySettings {
  const coefficient = 3;
  return {
    initialIntervalMs,
    backoffCoefficient: coefficient,
    maximumIntervalMs: initialIntervalMs * coefficient ** 2,
    budgetMs: initialIntervalMs * (1 + coefficient + coefficient ** 2 / 2),
  };
}

/** Products a page of the file holds at most (pages are bounded in bytes too: see source.ts). */
const PAGE_PRODUCTS = 100;

/** Every connection and file of the products pipeline; null when it is not configured. */
export function productSettings(
  e: ProductEnvironment,
  engine: { taskQueue: string; windowSize: number; runTimeoutMs: number },
) {
  const drop: FolderDropSettings | S3DropSettings | null = e.PRODUCT_FILES_S3_BUCKET
    ? {
        kind: 's3',
        bucket: e.PRODUCT_FILES_S3_BUCKET,
        prefix: e.PRODUCT_FILES_S3_PREFIX,
        region: e.PRODUCT_FILES_S3_REGION,
        endpoint: e.PRODUCT_FILES_S3_ENDPOINT,
        forcePathStyle: e.PRODUCT_FILES_S3_FORCE_PATH_STYLE === 'true',
      }
    : e.PRODUCT_FILES_FOLDER
      ? { kind: 'folder', path: path.resolve(e.PRODUCT_FILES_FOLDER), settleMs: e.PRODUCT_FILES_SETTLE }
      : null;
  // productSettingIssues has made sure the rest is there once a drop is.
  if (!drop || !e.PIMCORE_URL || !e.MEDUSA_URL || !e.STORE_CURRENCY) return null;
  return {
    name: e.PRODUCTS_PIPELINE,
    scheduleId: e.PRODUCTS_SCHEDULE_ID ?? `sync-${e.PRODUCTS_PIPELINE}`,
    intervalMs: e.PRODUCTS_SYNC_INTERVAL,
    runTimeoutMs: engine.runTimeoutMs,
    drop,
    pimcore: {
      graphqlUrl: `${e.PIMCORE_URL}/pimcore-graphql-webservices/${e.PIMCORE_GRAPHQL_ENDPOINT!}`,
      apiKey: e.PIMCORE_API_KEY!,
      webhookSecret: e.PIMCORE_WEBHOOK_SECRET!,
      productsFolder: e.PIMCORE_PRODUCTS_FOLDER,
    },
    medusa: {
      url: e.MEDUSA_URL,
      secretApiKey: e.MEDUSA_SECRET_API_KEY!,
      salesChannelId: e.MEDUSA_SALES_CHANNEL_ID,
    },
    storeCurrency: e.STORE_CURRENCY,
    /** Unset: the files the project ships (config/). */
    ratesFile: e.PRODUCT_CURRENCY_RATES_FILE && path.resolve(e.PRODUCT_CURRENCY_RATES_FILE),
    categoriesFile: e.PRODUCT_CATEGORIES_FILE && path.resolve(e.PRODUCT_CATEGORIES_FILE),
    settings: {
      taskQueue: engine.taskQueue,
      destinationTaskQueue: engine.taskQueue,
      pageSize: PAGE_PRODUCTS,
      windowSize: engine.windowSize,
      retry: productRetry(e.PRODUCTS_RETRY_INITIAL_INTERVAL),
      destinationTimeoutMs: DESTINATION_TIMEOUT_MS,
      // Files are not edited in place: nothing commits late behind the checkpoint.
      lookbackMs: 0,
      // Each write's outcome is read from the answer to it (Pimcore's per-mutation result, Medusa's product).
      verifiesWrites: false,
      awaiting: {
        stage: PIM_UPSERTED,
        stages: [PIM_UPSERTED, PUBLISHED, LIVE],
        deadlineMs: e.PRODUCT_PUBLISH_DEADLINE,
        reminderMs: e.PRODUCT_PUBLISH_REMINDER,
      },
    } satisfies SyncSettings,
  };
}

/**
 * A stage's time, within which its local activity must answer: the PIM's batch (a listing and a
 * write) or the storefront's lookup, write and, after a lost answer, lookup again, each request
 * at most REQUEST_TIMEOUT_MS.
 */
export const DESTINATION_TIMEOUT_MS = 30_000;
export const REQUEST_TIMEOUT_MS = 10_000;

export type ProductSettings = NonNullable<ReturnType<typeof productSettings>>;

/** The settings that are secrets, so logs and tests can check none of them leaks. */
export function productSecrets(settings: ProductSettings | null): string[] {
  if (!settings) return [];
  return [settings.pimcore.apiKey, settings.pimcore.webhookSecret, settings.medusa.secretApiKey];
}
