/** The conditions record-sync alerts on (issue #12); thresholds are configuration. */
export const ALERT_RULES = [
  'dead-letters',
  'problem-records',
  'conflict-waiting',
  'error-rate',
  'no-successful-run',
  'pipeline-paused',
  'reconciliation-differences',
  'file-quarantined',
  'records-awaiting',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** A condition that holds now: one alert while it lasts, a resolution notice when it clears. */
export interface ActiveAlert {
  rule: AlertRule;
  pipeline: string;
  /** Identifies the condition across checks (rule, pipeline and, e.g., the file quarantined). */
  key: string;
  /** What happened, in a sentence. */
  summary: string;
  /** How many (records, files, runs…), as of the latest check. */
  count: number;
  /** Where to look: the Temporal UI or the dashboard. */
  link?: string;
  /** What a person should do. */
  advice: string;
  /** ISO-8601: when the condition was first seen. */
  since: string;
}

/** The alert watch's workflow id and query: the dashboard's banner shows what it answers. */
export const ALERT_WATCH_WORKFLOW_ID = 'record-sync-alerts';
export const ACTIVE_ALERTS_QUERY = 'activeAlerts';

/** A condition as a check finds it; the alert watch adds `since` when it first sees it. */
export type AlertCondition = Omit<ActiveAlert, 'since'>;

/**
 * What a check of every pipeline found, as the worker's activity returns it: bounded (rules ×
 * pipelines, and a capped number of quarantined files), and without secrets: channels by name.
 */
export interface AlertCheck {
  checkedAt: string;
  conditions: AlertCondition[];
  /** Pipelines whose state could not be read: their earlier conditions neither clear nor change. */
  unknownPipelines: string[];
  policy: AlertPolicy;
  /** The configured channels' names (slack, webhook, email); none: alerts are only shown. */
  channels: string[];
}

/** How often the watch checks, re-notifies and may notify; from configuration, via each check. */
export interface AlertPolicy {
  checkIntervalMs: number;
  /** A condition that persists is notified again after this long. */
  repeatIntervalMs: number;
  /** Notices beyond this, per rule in any hour, are held back (and counted in the next one). */
  maxPerRulePerHour: number;
  /** A notice a channel has not taken by then is given up on (and logged). */
  deliveryGiveUpMs: number;
}

/** raised: first seen; reminder: still holds after the repeat interval; resolved: cleared. */
export type AlertNoticeKind = 'raised' | 'reminder' | 'resolved';

/** One message to people about one condition; each channel gets it once (retries included). */
export interface AlertNotice {
  /** Deterministic from the condition's key, since and sequence: a retried delivery has the same id. */
  id: string;
  kind: AlertNoticeKind;
  /** ISO-8601: when the watch made the notice. */
  at: string;
  alert: ActiveAlert;
  /** A reminder's count at the previous notice. */
  previousCount?: number;
  /** Notices of this rule the rate limit held back since its last notice went out. */
  heldBack?: number;
}

/** The type of a delivery failure no retry can fix (a channel refused the notice: its settings are wrong). */
export const ALERT_CHANNEL_REFUSED = 'AlertChannelRefused';
