import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { alertSecrets, alertSettingIssues, alertSettings, alertVariables } from './alerts/settings';
import type { EncryptionKey } from './codec/encryption-codec';
import { CONFLICT_POLICIES } from './domain/guarded-write';
import { netsuiteRestBaseUrl } from './connectors/netsuite';
import {
  productSecrets,
  productSettingIssues,
  productSettings,
  productVariables,
} from './pipelines/products/settings';
import type { SyncSettings } from './domain/sync';

/** A duration such as `500ms`, `5s`, `2m` or `1h`, read as milliseconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 500ms, 5s, 2m or 1h')
  .transform((text) => {
    const [, amount, unit] = /^(\d+)(ms|s|m|h)$/.exec(text)!;
    const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
    return Number(amount) * unitMs;
  });

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const decimal = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const httpUrl = z
  .string()
  .trim()
  .url('must be a URL such as https://login.salesforce.com')
  .refine((url) => /^https?:\/\//.test(url), 'must start with http:// or https://')
  .transform((url) => url.replace(/\/+$/, ''));

const secret = z.string().min(1, 'must not be empty');
const customField = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,38}__c$/, 'must be a custom field API name such as Sync_Status__c');
const name = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"');

/**
 * `keyId:base64,keyId:base64,...`: the first key encrypts, every key decrypts (rotation). Issues
 * name entries by position or key id, never by their text, which may be key material.
 */
const encryptionKeys = z.string().transform((text, context): EncryptionKey[] => {
  const keys: EncryptionKey[] = [];
  text.split(',').forEach((entry, index) => {
    const [id, material] = entry.trim().split(':', 2);
    const fail = (message: string) =>
      context.addIssue({ code: 'custom', message: `entry ${index + 1}${message}` });
    if (material === undefined || !/^[A-Za-z0-9_-]+$/.test(id)) {
      return fail(': must be keyId:base64, the key id made of letters, digits, "_" and "-"');
    }
    const key = Buffer.from(material, 'base64');
    // Re-encoding must give the text back: Buffer.from silently skips what is not base64.
    if (key.length !== 32 || key.toString('base64') !== material) {
      return fail(
        ` (key id ${id}): the key must be base64 of exactly 32 bytes, e.g. from \`openssl rand -base64 32\``,
      );
    }
    if (keys.some((known) => known.id === id)) return fail(`: key id ${id} is listed twice`);
    keys.push({ id, key });
  });
  return keys;
});

/** Five cron fields, as Temporal Schedules read them (e.g. `0 2 * * SUN`: Sundays at 02:00). */
const cronExpression = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, 'must be five cron fields such as "0 2 * * SUN" (Sundays at 02:00)');

/** An IANA time zone such as Europe/London. */
const timeZone = z
  .string()
  .trim()
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as UTC or Europe/London');

/**
 * Where the worker serves Prometheus metrics, or `off` (null). An IP address, not a host name: the
 * SDK's exporter binds exactly this socket address.
 */
const metricsAddress = z
  .string()
  .trim()
  .refine((text) => {
    if (text === 'off') return true;
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
    if (!match) return false;
    const [, ipv6, ipv4, port] = match;
    const family = ipv6 !== undefined ? isIP(ipv6) === 6 : isIP(ipv4) === 4;
    return family && Number(port) >= 1 && Number(port) <= 65535;
  }, 'must be an IP address and port such as 127.0.0.1:9464, 0.0.0.0:9464 or [::]:9464, or off')
  .transform((text) => (text === 'off' ? null : text));

/** Where a server listens: host:port, such as 127.0.0.1:8088, 0.0.0.0:8088 or [::1]:8088. */
const listenAddress = z
  .string()
  .trim()
  .regex(
    /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    'must be host:port such as 127.0.0.1:8088, 0.0.0.0:8088 or [::1]:8088',
  )
  .transform((text) => {
    const at = text.lastIndexOf(':');
    return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) };
  })
  .refine(({ port }) => port >= 1 && port <= 65535, 'the port must be 1 to 65535');

/** Browser origins, comma-separated, such as http://localhost:8233. */
const origins = z
  .string()
  .transform((text) => text.split(',').map((origin) => origin.trim().replace(/\/+$/, '')))
  .refine(
    (list) => list.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)),
    'must be comma-separated origins such as http://localhost:8233',
  );

/** Every setting, by its environment variable. `.env.example` documents each one. */
const environmentSchema = z
  .object({
    TEMPORAL_ADDRESS: z
      .string()
      .trim()
      .regex(/^[^\s:/]+:\d+$/, 'must be host:port, e.g. localhost:7233')
      .optional(),
    TEMPORAL_NAMESPACE: name.default('default'),
    TEMPORAL_API_KEY: z.string().optional(),
    TEMPORAL_UI_PORT: integer(1, 65535).default(8233),
    RECORD_SYNC_DATA_DIR: z.string().min(1).default('.data'),

    SYNC_PIPELINE: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'may contain only lower-case letters, digits and "-"')
      .default('accounts'),
    SYNC_SCHEDULE_ID: name.optional(),
    SYNC_INTERVAL: duration.default(5 * 60_000).pipe(z.number().min(1_000, 'must be at least 1s')),
    SYNC_TASK_QUEUE: name.default('record-sync'),
    SYNC_PAGE_SIZE: integer(200, 2000).default(200),
    SYNC_WINDOW_SIZE: integer(1, 1000).default(50),
    SYNC_RETRY_INITIAL_INTERVAL: duration.default(5_000),
    SYNC_RETRY_BACKOFF_COEFFICIENT: decimal(1, 100).default(5),
    SYNC_RETRY_MAXIMUM_INTERVAL: duration.default(5 * 60_000),
    SYNC_RETRY_BUDGET: duration.default(60 * 60_000).pipe(z.number().min(1_000, 'must be at least 1s')),
    SYNC_RETRY_MAXIMUM_ATTEMPTS: z
      .undefined({ error: 'is no longer used: retries are bounded by time, set SYNC_RETRY_BUDGET instead' })
      .optional(),
    SYNC_LOOKBACK: duration.default(5 * 60_000),
    SYNC_CONFLICT_POLICY: z.enum(CONFLICT_POLICIES).default('ask'),
    SYNC_RUN_TIMEOUT: duration.default(6 * 60 * 60_000).pipe(z.number().min(60_000, 'must be at least 1m')),

    SALESFORCE_LOGIN_URL: httpUrl.optional(),
    SALESFORCE_API_VERSION: z
      .string()
      .trim()
      .regex(/^\d{2,3}\.0$/, 'must be an API version such as 60.0')
      .default('60.0'),
    SALESFORCE_AUTH_FLOW: z.enum(['client_credentials', 'jwt_bearer']).default('client_credentials'),
    SALESFORCE_CLIENT_ID: secret.optional(),
    SALESFORCE_CLIENT_SECRET: secret.optional(),
    SALESFORCE_USERNAME: z.string().min(1).optional(),
    SALESFORCE_PRIVATE_KEY: z.string().min(1).optional(),
    SALESFORCE_PRIVATE_KEY_FILE: z.string().min(1).optional(),
    SALESFORCE_TIMEOUT: duration.default(30_000),
    SALESFORCE_WRITEBACK_STATUS_FIELD: customField.optional(),
    SALESFORCE_WRITEBACK_ID_FIELD: customField.optional(),
    SALESFORCE_WRITEBACK_TIME_FIELD: customField.optional(),

    NETSUITE_ACCOUNT_ID: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$/,
        'must be a NetSuite account id such as 1234567, 1234567_SB1 or 1234567-sb1',
      )
      // As the OAuth realm needs it (1234567-sb1 -> 1234567_SB1); the host name is derived from it.
      .transform((id) => id.toUpperCase().replace(/-/g, '_'))
      .optional(),
    NETSUITE_BASE_URL: httpUrl.optional(),
    NETSUITE_CONSUMER_KEY: secret.optional(),
    NETSUITE_CONSUMER_SECRET: secret.optional(),
    NETSUITE_TOKEN_ID: secret.optional(),
    NETSUITE_TOKEN_SECRET: secret.optional(),
    NETSUITE_TASK_QUEUE: name.default('record-sync-netsuite'),
    NETSUITE_MAX_CONCURRENT_REQUESTS: integer(1, 1000).default(5),
    NETSUITE_MAX_REQUESTS_PER_SECOND: decimal(0.1, 100_000).optional(),
    NETSUITE_TIMEOUT: duration.default(30_000),
    NETSUITE_SUBSIDIARY: z
      .string()
      .trim()
      .regex(/^\d+$/, 'must be a subsidiary internal id such as 1')
      .optional(),

    VENDOR_FILES_FOLDER: z.string().trim().min(1).optional(),
    VENDOR_FILES_SETTLE: duration.default(2_000),
    VENDOR_FILES_S3_BUCKET: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name such as vendor-drops')
      .optional(),
    VENDOR_FILES_S3_PREFIX: z
      .string()
      .trim()
      .regex(/^([^/].*\/)?$/, 'must be empty or a key prefix ending in "/", such as performance/')
      .default(''),
    VENDOR_FILES_S3_REGION: z.string().trim().min(1).default('us-east-1'),
    VENDOR_FILES_S3_ENDPOINT: httpUrl.optional(),
    VENDOR_FILES_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
    VENDOR_MAPPINGS_FILE: z.string().trim().min(1).optional(),
    VENDOR_TOLERANCE_BPS: decimal(0, 10_000).default(1),
    VENDOR_SYNC_INTERVAL: duration.default(60_000).pipe(z.number().min(1_000, 'must be at least 1s')),
    VENDOR_PIPELINE: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'may contain only lower-case letters, digits and "-"')
      .default('vendor-performance'),
    VENDOR_SCHEDULE_ID: name.optional(),
    VENDOR_PAGE_SIZE: integer(1, 5_000).default(500),
    DATABASE_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL such as postgres://user:password@host:5432/db')
      .optional(),

    RECORD_SYNC_ENCRYPTION_KEYS: encryptionKeys,
    RECORD_SYNC_CODEC_SERVER_PORT: integer(1, 65535).default(8888),
    // It also travels as a URL path segment (see src/codec/http-server.ts), hence the character set.
    RECORD_SYNC_CODEC_SERVER_TOKEN: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{16,}$/, 'must be at least 16 letters, digits, ".", "_", "~" or "-"')
      .optional(),
    RECORD_SYNC_CODEC_SERVER_CORS_ORIGINS: origins.optional(),

    RECONCILIATION_CRON: cronExpression.default('0 2 * * SUN'),
    RECONCILIATION_TIME_ZONE: timeZone.default('UTC'),
    RECONCILIATION_REPAIR: z.enum(['true', 'false']).default('true'),
    RECONCILIATION_REPORTS_DIR: z.string().min(1).optional(),
    RECONCILIATION_REPORTS_KEPT: integer(1, 1000).default(10),

    RECORD_SYNC_METRICS_ADDRESS: metricsAddress.default('127.0.0.1:9464'),

    DASHBOARD_ADDRESS: listenAddress.default({ host: '127.0.0.1', port: 8088 }),
    RECORD_SYNC_WEBHOOK_ADDRESS: z
      .literal('off')
      .or(listenAddress)
      .default({ host: '127.0.0.1', port: 8090 }),
    DASHBOARD_TOKEN: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{16,}$/, 'must be at least 16 letters, digits, ".", "_", "~" or "-"')
      .optional(),

    ...alertVariables({ duration, integer, decimal }),
    ...productVariables({ duration, httpUrl, name }),

    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  })
  .superRefine((env, context) => {
    for (const { variable, message } of [...alertSettingIssues(env), ...productSettingIssues(env)]) {
      context.addIssue({ code: 'custom', path: [variable], message });
    }
    if (!accountsConfigured(env)) return;
    for (const variable of ['SALESFORCE_WRITEBACK_ID_FIELD', 'SALESFORCE_WRITEBACK_TIME_FIELD'] as const) {
      if (env[variable] && !env.SALESFORCE_WRITEBACK_STATUS_FIELD) {
        context.addIssue({
          code: 'custom',
          path: [variable],
          message: 'needs SALESFORCE_WRITEBACK_STATUS_FIELD: the status is what is written back',
        });
      }
    }
    if (env.SALESFORCE_AUTH_FLOW === 'client_credentials' && !env.SALESFORCE_CLIENT_SECRET) {
      context.addIssue({
        code: 'custom',
        path: ['SALESFORCE_CLIENT_SECRET'],
        message: 'is required when SALESFORCE_AUTH_FLOW is client_credentials',
      });
    }
    if (env.SALESFORCE_AUTH_FLOW === 'jwt_bearer') {
      if (!env.SALESFORCE_USERNAME) {
        context.addIssue({
          code: 'custom',
          path: ['SALESFORCE_USERNAME'],
          message: 'is required when SALESFORCE_AUTH_FLOW is jwt_bearer',
        });
      }
      if (!env.SALESFORCE_PRIVATE_KEY && !env.SALESFORCE_PRIVATE_KEY_FILE) {
        context.addIssue({
          code: 'custom',
          path: ['SALESFORCE_PRIVATE_KEY'],
          message: 'or SALESFORCE_PRIVATE_KEY_FILE is required when SALESFORCE_AUTH_FLOW is jwt_bearer',
        });
      }
    }
  });

type Environment = z.infer<typeof environmentSchema>;

/** Every one of these is needed once any Salesforce or NetSuite setting is set. */
const ACCOUNTS_REQUIRED = [
  'SALESFORCE_LOGIN_URL',
  'SALESFORCE_CLIENT_ID',
  'NETSUITE_ACCOUNT_ID',
  'NETSUITE_CONSUMER_KEY',
  'NETSUITE_CONSUMER_SECRET',
  'NETSUITE_TOKEN_ID',
  'NETSUITE_TOKEN_SECRET',
] as const;

function accountsConfigured(
  env: Partial<Record<(typeof ACCOUNTS_REQUIRED)[number] | 'NETSUITE_BASE_URL', unknown>>,
) {
  return [...ACCOUNTS_REQUIRED, 'NETSUITE_BASE_URL' as const].some((variable) => env[variable] !== undefined);
}

/** Salesforce and NetSuite, for the accounts pipeline; called once all of ACCOUNTS_REQUIRED are set. */
function accountsConnections(e: Environment) {
  const accountId = e.NETSUITE_ACCOUNT_ID!;
  return {
    salesforce: {
      loginUrl: e.SALESFORCE_LOGIN_URL!,
      apiVersion: e.SALESFORCE_API_VERSION,
      authFlow: e.SALESFORCE_AUTH_FLOW,
      clientId: e.SALESFORCE_CLIENT_ID!,
      clientSecret: e.SALESFORCE_CLIENT_SECRET ?? '',
      username: e.SALESFORCE_USERNAME,
      privateKey: readPrivateKey(e),
      timeoutMs: e.SALESFORCE_TIMEOUT,
      pageSize: e.SYNC_PAGE_SIZE,
      extraFields: [
        e.SALESFORCE_WRITEBACK_STATUS_FIELD,
        e.SALESFORCE_WRITEBACK_ID_FIELD,
        e.SALESFORCE_WRITEBACK_TIME_FIELD,
      ].filter((field): field is string => field !== undefined),
    },
    /** Where the sync status is written back onto the account; null when it is not. */
    writeBack: e.SALESFORCE_WRITEBACK_STATUS_FIELD
      ? {
          statusField: e.SALESFORCE_WRITEBACK_STATUS_FIELD,
          idField: e.SALESFORCE_WRITEBACK_ID_FIELD,
          timeField: e.SALESFORCE_WRITEBACK_TIME_FIELD,
        }
      : null,
    netsuite: {
      accountId,
      baseUrl: e.NETSUITE_BASE_URL ?? netsuiteRestBaseUrl(accountId),
      consumerKey: e.NETSUITE_CONSUMER_KEY!,
      consumerSecret: e.NETSUITE_CONSUMER_SECRET!,
      tokenId: e.NETSUITE_TOKEN_ID!,
      tokenSecret: e.NETSUITE_TOKEN_SECRET!,
      timeoutMs: e.NETSUITE_TIMEOUT,
      maxConcurrentRequests: e.NETSUITE_MAX_CONCURRENT_REQUESTS,
      maxRequestsPerSecond: e.NETSUITE_MAX_REQUESTS_PER_SECOND,
      subsidiary: e.NETSUITE_SUBSIDIARY,
    },
  };
}

/** The vendor-file pipeline of seed 004: where files are dropped, where they load, how they are checked. */
function vendorPerformanceSettings(
  e: Environment,
  engine: { taskQueue: string; retry: SyncSettings['retry'] },
) {
  const drop = e.VENDOR_FILES_S3_BUCKET
    ? {
        kind: 's3' as const,
        bucket: e.VENDOR_FILES_S3_BUCKET,
        prefix: e.VENDOR_FILES_S3_PREFIX,
        region: e.VENDOR_FILES_S3_REGION,
        endpoint: e.VENDOR_FILES_S3_ENDPOINT,
        forcePathStyle: e.VENDOR_FILES_S3_FORCE_PATH_STYLE === 'true',
      }
    : e.VENDOR_FILES_FOLDER
      ? {
          kind: 'folder' as const,
          path: path.resolve(e.VENDOR_FILES_FOLDER),
          settleMs: e.VENDOR_FILES_SETTLE,
        }
      : null;
  if (!drop) return null;
  return {
    name: e.VENDOR_PIPELINE,
    scheduleId: e.VENDOR_SCHEDULE_ID ?? `sync-${e.VENDOR_PIPELINE}`,
    intervalMs: e.VENDOR_SYNC_INTERVAL,
    runTimeoutMs: e.SYNC_RUN_TIMEOUT,
    drop,
    /** PostgreSQL from DATABASE_URL, else an embedded PostgreSQL (PGlite) in the data directory. */
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL }
      : { kind: 'embedded' as const, dataDir: path.resolve(e.RECORD_SYNC_DATA_DIR, 'vendor-performance-db') },
    /** Unset: the mappings the project ships (config/vendor-mappings.json). */
    mappingsFile: e.VENDOR_MAPPINGS_FILE && path.resolve(e.VENDOR_MAPPINGS_FILE),
    toleranceBps: e.VENDOR_TOLERANCE_BPS,
    settings: {
      taskQueue: engine.taskQueue,
      destinationTaskQueue: engine.taskQueue,
      pageSize: e.VENDOR_PAGE_SIZE,
      windowSize: e.SYNC_WINDOW_SIZE,
      retry: engine.retry,
      destinationTimeoutMs: 30_000,
      // Files are not edited in place: nothing commits late behind the checkpoint.
      lookbackMs: 0,
      // Each row is written and checked in one database transaction.
      verifiesWrites: false,
    } satisfies SyncSettings,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function describeIssues(error: z.ZodError | undefined, env: Record<string, string | undefined>): string {
  // Checked apart from the schema, so that they are named even when other settings are wrong too.
  const partAccounts = accountsConfigured(env)
    ? ACCOUNTS_REQUIRED.filter((variable) => env[variable] === undefined).map(
        (variable) =>
          `  ${variable}: is required but not set (the accounts pipeline needs it: other Salesforce or NetSuite settings are set)`,
      )
    : [];
  const issues = (error?.issues ?? []).filter(
    (issue) => !partAccounts.some((line) => line.startsWith(`  ${String(issue.path[0])}:`)),
  );
  const lines = issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'configuration');
    const value = env[variable];
    const missing = value === undefined || value === '';
    return missing && issue.code === 'invalid_type'
      ? `  ${variable}: is required but not set`
      : `  ${variable}: ${issue.message}`;
  });
  return `Invalid configuration (see .env.example):\n${[...lines, ...partAccounts].join('\n')}`;
}

function readPrivateKey(env: Environment): string | undefined {
  if (env.SALESFORCE_PRIVATE_KEY) return env.SALESFORCE_PRIVATE_KEY.replace(/\\n/g, '\n');
  if (!env.SALESFORCE_PRIVATE_KEY_FILE) return undefined;
  try {
    return readFileSync(env.SALESFORCE_PRIVATE_KEY_FILE, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  SALESFORCE_PRIVATE_KEY_FILE: cannot be read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

/** Parses and checks every setting; throws a ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>) {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = environmentSchema.safeParse(blankAsUnset);
  const partAccounts =
    accountsConfigured(blankAsUnset) && ACCOUNTS_REQUIRED.some((variable) => !blankAsUnset[variable]);
  if (!parsed.success || partAccounts) {
    throw new ConfigError(describeIssues(parsed.success ? undefined : parsed.error, blankAsUnset));
  }
  const e = parsed.data;
  const pipeline = {
    name: e.SYNC_PIPELINE,
    scheduleId: e.SYNC_SCHEDULE_ID ?? `sync-${e.SYNC_PIPELINE}`,
    intervalMs: e.SYNC_INTERVAL,
    taskQueue: e.SYNC_TASK_QUEUE,
    destinationTaskQueue: e.NETSUITE_TASK_QUEUE,
    pageSize: e.SYNC_PAGE_SIZE,
    windowSize: e.SYNC_WINDOW_SIZE,
    retry: {
      initialIntervalMs: e.SYNC_RETRY_INITIAL_INTERVAL,
      backoffCoefficient: e.SYNC_RETRY_BACKOFF_COEFFICIENT,
      maximumIntervalMs: e.SYNC_RETRY_MAXIMUM_INTERVAL,
      budgetMs: e.SYNC_RETRY_BUDGET,
    },
    lookbackMs: e.SYNC_LOOKBACK,
    conflictPolicy: e.SYNC_CONFLICT_POLICY,
    runTimeoutMs: e.SYNC_RUN_TIMEOUT,
    destinationTimeoutMs: e.NETSUITE_TIMEOUT,
  };
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      apiKey: e.TEMPORAL_API_KEY,
      uiPort: e.TEMPORAL_UI_PORT,
      dataDir: path.resolve(e.RECORD_SYNC_DATA_DIR),
    },
    /** The accounts pipeline's run settings (SYNC_*), also the defaults of the engine's task queue. */
    pipeline,
    /** The accounts pipeline's connections; null when no Salesforce or NetSuite is configured. */
    accounts: accountsConfigured(e) ? accountsConnections(e) : null,
    /** Seed 004's pipeline; null unless a vendor file drop (folder or bucket) is configured. */
    vendorPerformance: vendorPerformanceSettings(e, pipeline),
    /** Issue #13's products pipeline (files → Pimcore → Medusa); null unless its settings are there. */
    products: productSettings(e, {
      taskQueue: pipeline.taskQueue,
      windowSize: pipeline.windowSize,
      runTimeoutMs: pipeline.runTimeoutMs,
    }),
    /** Payload encryption: the first key encrypts, all of them decrypt. */
    encryption: { keys: e.RECORD_SYNC_ENCRYPTION_KEYS },
    codecServer: {
      port: e.RECORD_SYNC_CODEC_SERVER_PORT,
      /** Unset with real accounts: the worker does not need it, only `npm run codec-server` does. */
      token: e.RECORD_SYNC_CODEC_SERVER_TOKEN,
      corsOrigins: e.RECORD_SYNC_CODEC_SERVER_CORS_ORIGINS ?? [`http://localhost:${e.TEMPORAL_UI_PORT}`],
    },
    /** Every pipeline's reconciliation: when, whether it repairs, where its reports go. */
    reconciliation: {
      cron: e.RECONCILIATION_CRON,
      timeZone: e.RECONCILIATION_TIME_ZONE,
      repair: e.RECONCILIATION_REPAIR === 'true',
      reportsDir: path.resolve(e.RECONCILIATION_REPORTS_DIR ?? path.join(e.RECORD_SYNC_DATA_DIR, 'reports')),
      reportsKept: e.RECONCILIATION_REPORTS_KEPT,
    },
    /** Where the worker serves Prometheus metrics (the SDK's and record-sync's); null: off. */
    metrics: { address: e.RECORD_SYNC_METRICS_ADDRESS },
    /** The dashboard (`npm start`, `npm run dashboard`); with a token, its data and actions need it. */
    dashboard: { ...e.DASHBOARD_ADDRESS, token: e.DASHBOARD_TOKEN },
    /** Where destinations' webhooks (a PIM's product.published) reach the worker; null: off. */
    webhooks: e.RECORD_SYNC_WEBHOOK_ADDRESS === 'off' ? null : e.RECORD_SYNC_WEBHOOK_ADDRESS,
    /** Alerts (issue #12): channels with their secrets (worker only), thresholds, links. */
    alerts: alertSettings(e),
    logLevel: e.LOG_LEVEL,
  };
}

export type Config = ReturnType<typeof parseConfig>;

/**
 * Reads the configuration once, at the edge: `.env` (if present) fills in what the environment
 * does not set, so the Temporal SDK's own environment settings (TLS, API key) see it too.
 */
export function loadConfig(envFile = path.resolve('.env')): Config {
  loadEnvFile(envFile);
  loadEnvFile(standInsFile());
  return parseConfig(process.env);
}

/**
 * Where `npm start`, with nothing configured, writes the settings of the stand-ins it started (the
 * sandboxes, the sample file drop), so that the command line in another terminal finds them. The
 * environment and `.env` win over it; `npm start` removes it once something is configured.
 */
export function standInsFile(): string {
  return path.resolve(process.env.RECORD_SYNC_DATA_DIR || '.data', 'stand-ins.env');
}

/** `.env`, where present, fills in what the environment does not set. */
export function loadEnvFile(envFile = path.resolve('.env')): void {
  if (!existsSync(envFile)) return;
  for (const [key, value] of Object.entries(parseDotenv(readFileSync(envFile)))) {
    process.env[key] ??= value;
  }
}

/** The settings a sync run works with: no secrets, safe to carry in workflow history. */
export function syncSettings(config: Config): SyncSettings {
  const { taskQueue, destinationTaskQueue, pageSize, windowSize, retry, destinationTimeoutMs, lookbackMs } =
    config.pipeline;
  return { taskQueue, destinationTaskQueue, pageSize, windowSize, retry, destinationTimeoutMs, lookbackMs };
}

/** How the destination decides a write: the conflict policy, the subsidiary of new customers. */
export function destinationSettings(config: Config) {
  return { conflictPolicy: config.pipeline.conflictPolicy, subsidiary: config.accounts?.netsuite.subsidiary };
}

function passwordOf(database: { kind: string; url?: string } | undefined): string {
  if (!database?.url) return '';
  return decodeURIComponent(new URL(database.url).password);
}

/** Every configured secret, so logs and tests can check none of them leaks. */
export function configuredSecrets(config: Config): string[] {
  return [
    config.accounts?.salesforce.clientSecret ?? '',
    config.accounts?.salesforce.privateKey ?? '',
    config.accounts?.netsuite.consumerSecret ?? '',
    config.accounts?.netsuite.tokenId ?? '',
    config.accounts?.netsuite.tokenSecret ?? '',
    passwordOf(config.vendorPerformance?.database),
    config.temporal.apiKey ?? '',
    ...config.encryption.keys.map(({ key }) => key.toString('base64')),
    config.codecServer.token ?? '',
    config.dashboard.token ?? '',
    ...alertSecrets(config.alerts),
    ...productSecrets(config.products),
  ].filter((value) => value.length >= 6);
}
