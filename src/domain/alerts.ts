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
