import { z } from 'zod';

/** How config.ts reads numbers from text; passed in so both read them alike (and no import cycle). */
type NumberFromText = z.ZodType<number, string>;
interface NumberParsers {
  duration: NumberFromText;
  integer: (min: number, max: number) => NumberFromText;
  decimal: (min: number, max: number) => NumberFromText;
}

// A webhook's path may matter to the last character (trailing slash included): kept as given.
const webhookUrl = z
  .string()
  .trim()
  .url('must be a URL such as https://hooks.slack.com/services/…')
  .refine((url) => /^https?:\/\//.test(url), 'must start with http:// or https://');

const address = /^[^@\s,<>]+@[^@\s,<>]+$/;
const emailList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .refine(
    (list) => list.length > 0 && list.every((entry) => address.test(entry)),
    'must be comma-separated addresses such as ops@example.com, oncall@example.com',
  );

/** The alert settings, by environment variable; `.env.example` documents each one. */
export function alertVariables({ duration, integer, decimal }: NumberParsers) {
  return {
    ALERT_SLACK_WEBHOOK_URL: webhookUrl.optional(),
    ALERT_WEBHOOK_URL: webhookUrl.optional(),
    ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    ALERT_SMTP_HOST: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/, 'must be a host name such as smtp.example.com')
      .optional(),
    ALERT_SMTP_PORT: integer(1, 65535).default(587),
    ALERT_SMTP_TLS: z.enum(['starttls', 'implicit', 'none']).default('starttls'),
    ALERT_SMTP_USER: z.string().min(1).optional(),
    ALERT_SMTP_PASSWORD: z.string().min(1).optional(),
    ALERT_EMAIL_FROM: z
      .string()
      .trim()
      .regex(address, 'must be an address such as record-sync@example.com')
      .optional(),
    ALERT_EMAIL_TO: emailList.optional(),

    ALERT_CHECK_INTERVAL: duration.default(60_000).pipe(z.number().min(1_000, 'must be at least 1s')),
    ALERT_REPEAT_INTERVAL: duration
      .default(4 * 3_600_000)
      .pipe(z.number().min(60_000, 'must be at least 1m')),
    ALERT_MAX_PER_RULE_PER_HOUR: integer(1, 10_000).default(10),
    ALERT_DELIVERY_GIVE_UP: duration.default(3_600_000).pipe(z.number().min(10_000, 'must be at least 10s')),

    ALERT_DEAD_LETTERS_OVER: integer(0, 100_000_000).default(0),
    ALERT_PROBLEM_RECORDS_OVER: integer(0, 100_000_000).default(100),
    ALERT_CONFLICT_WAITING_OVER: duration.default(24 * 3_600_000),
    ALERT_ERROR_RATE_OVER: decimal(0, 100).default(10),
    ALERT_NO_SUCCESS_INTERVALS: integer(1, 10_000).default(3),
    ALERT_QUARANTINE_WINDOW: duration.default(24 * 3_600_000),

    TEMPORAL_UI_URL: webhookUrl.transform((url) => url.replace(/\/+$/, '')).optional(),
    DASHBOARD_URL: webhookUrl.transform((url) => url.replace(/\/+$/, '')).optional(),
  };
}

type AlertVariables = ReturnType<typeof alertVariables>;
type AlertEnvironment = z.output<z.ZodObject<AlertVariables>>;

/** Settings that only make sense together; each issue names the variable to fix. */
export function alertSettingIssues(
  env: Partial<Record<keyof AlertVariables, unknown>>,
): { variable: keyof AlertVariables; message: string }[] {
  const issues: { variable: keyof AlertVariables; message: string }[] = [];
  const need = (variable: keyof AlertVariables, when: boolean, message: string) => {
    if (when && env[variable] === undefined) issues.push({ variable, message });
  };
  need(
    'ALERT_WEBHOOK_SECRET',
    env.ALERT_WEBHOOK_URL !== undefined,
    'is required with ALERT_WEBHOOK_URL (it signs each notice)',
  );
  const email = ['ALERT_SMTP_HOST', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO'] as const;
  const emailWanted = email.some((variable) => env[variable] !== undefined);
  for (const variable of email)
    need(
      variable,
      emailWanted,
      'is required for alerts by email (ALERT_SMTP_HOST, ALERT_EMAIL_FROM, ALERT_EMAIL_TO)',
    );
  need('ALERT_SMTP_PASSWORD', env.ALERT_SMTP_USER !== undefined, 'is required with ALERT_SMTP_USER');
  need('ALERT_SMTP_USER', env.ALERT_SMTP_PASSWORD !== undefined, 'is required with ALERT_SMTP_PASSWORD');
  return issues;
}

/** The alert watch's configuration: the channels (with their secrets: worker only), rules and links. */
export function alertSettings(
  e: AlertEnvironment & { TEMPORAL_UI_PORT: number; TEMPORAL_NAMESPACE: string },
) {
  return {
    channels: {
      slack: e.ALERT_SLACK_WEBHOOK_URL ? { url: e.ALERT_SLACK_WEBHOOK_URL } : null,
      webhook:
        e.ALERT_WEBHOOK_URL && e.ALERT_WEBHOOK_SECRET
          ? { url: e.ALERT_WEBHOOK_URL, secret: e.ALERT_WEBHOOK_SECRET }
          : null,
      email:
        e.ALERT_SMTP_HOST && e.ALERT_EMAIL_FROM && e.ALERT_EMAIL_TO
          ? {
              host: e.ALERT_SMTP_HOST,
              port: e.ALERT_SMTP_PORT,
              tls: e.ALERT_SMTP_TLS,
              auth:
                e.ALERT_SMTP_USER && e.ALERT_SMTP_PASSWORD
                  ? { user: e.ALERT_SMTP_USER, password: e.ALERT_SMTP_PASSWORD }
                  : null,
              from: e.ALERT_EMAIL_FROM,
              to: e.ALERT_EMAIL_TO,
            }
          : null,
    },
    policy: {
      checkIntervalMs: e.ALERT_CHECK_INTERVAL,
      repeatIntervalMs: e.ALERT_REPEAT_INTERVAL,
      maxPerRulePerHour: e.ALERT_MAX_PER_RULE_PER_HOUR,
      deliveryGiveUpMs: e.ALERT_DELIVERY_GIVE_UP,
    },
    thresholds: {
      deadLettersOver: e.ALERT_DEAD_LETTERS_OVER,
      problemRecordsOver: e.ALERT_PROBLEM_RECORDS_OVER,
      conflictWaitingOverMs: e.ALERT_CONFLICT_WAITING_OVER,
      errorRateOverPercent: e.ALERT_ERROR_RATE_OVER,
      noSuccessIntervals: e.ALERT_NO_SUCCESS_INTERVALS,
      quarantineWindowMs: e.ALERT_QUARANTINE_WINDOW,
    },
    links: {
      temporalUi: e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      dashboard: e.DASHBOARD_URL,
    },
  };
}

export type AlertSettings = ReturnType<typeof alertSettings>;
export type AlertThresholds = AlertSettings['thresholds'];
export type AlertLinks = AlertSettings['links'];

/** The alert settings that are secrets: a webhook URL carries its token in its path. */
export function alertSecrets({ channels }: AlertSettings): string[] {
  return [
    channels.slack?.url ?? '',
    channels.webhook?.url ?? '',
    channels.webhook?.secret ?? '',
    channels.email?.auth?.password ?? '',
  ];
}
