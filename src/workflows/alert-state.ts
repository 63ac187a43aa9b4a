import type {
  ActiveAlert,
  AlertCondition,
  AlertNotice,
  AlertNoticeKind,
  AlertPolicy,
  AlertRule,
} from '../domain/alerts';

/*
 * The alert watch's memory, as pure functions of (state, check, now): what is new, what persists,
 * what cleared, and what the rate limit holds back. The workflow keeps the state and sends the
 * notices; tests drive these functions without a server.
 */

/** One condition the watch knows of. */
export interface TrackedAlert {
  alert: ActiveAlert;
  /** Notices sent about it so far: the next notice's sequence number. */
  sequence: number;
  /** When a notice about it last went out (null: none yet, e.g. held back by the rate limit). */
  notifiedAt: number | null;
  /** Its count in that notice. */
  notifiedCount: number | null;
  /** When a notice was last due, sent or held back: the repeat interval runs from here. */
  dueAt: number;
}

export interface AlertWatchState {
  tracked: Record<string, TrackedAlert>;
  /** Per rule, when its notices of the last hour went out (never more than the hourly limit). */
  sentAt: Partial<Record<AlertRule, number[]>>;
  /** Per rule, the notices held back since its last one went out (said in the next one). */
  heldBack: Partial<Record<AlertRule, number>>;
  /** As the latest check gave it; the default until the first check answers. */
  policy: AlertPolicy;
}

/** The state stays this size whatever happens: rules × pipelines and a capped number of files fit. */
export const MAX_TRACKED = 500;
const HOUR_MS = 3_600_000;

export const DEFAULT_POLICY: AlertPolicy = {
  checkIntervalMs: 60_000,
  repeatIntervalMs: 4 * HOUR_MS,
  maxPerRulePerHour: 10,
  deliveryGiveUpMs: HOUR_MS,
};

export const emptyAlertState = (): AlertWatchState => ({
  tracked: {},
  sentAt: {},
  heldBack: {},
  policy: DEFAULT_POLICY,
});

/** What a check found, as the workflow hands it over. */
export interface CheckFindings {
  conditions: AlertCondition[];
  /** Pipelines whose state could not be read: their tracked conditions are kept as they are. */
  unknownPipelines: string[];
  policy: AlertPolicy;
}

/** A short, stable hash (cyrb53): keys may hold any file name, ids must be header-safe. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Deterministic from (key, since, sequence): a retried delivery, or a replay, makes the same id. */
export function noticeId(alert: ActiveAlert, sequence: number): string {
  return `${alert.rule}-${alert.pipeline}-${hash(alert.key)}-${Date.parse(alert.since).toString(36)}-${sequence}`;
}

/**
 * The next state and the notices to send: a new condition is notified at once; one that persists
 * again after the repeat interval; one that cleared gets a resolution notice if people were told
 * of it. Raised and reminder notices count against their rule's hourly limit; those over it are
 * held back and counted in the rule's next notice. Conditions of unknown pipelines stay as they are.
 */
export function nextAlertState(
  previous: AlertWatchState,
  findings: CheckFindings,
  now: number,
): { state: AlertWatchState; notices: AlertNotice[] } {
  const policy = findings.policy;
  const at = new Date(now).toISOString();
  const state: AlertWatchState = {
    tracked: {},
    sentAt: Object.fromEntries(
      Object.entries(previous.sentAt).map(([rule, times]) => [rule, times.filter((t) => now - t < HOUR_MS)]),
    ),
    heldBack: { ...previous.heldBack },
    policy,
  };
  const notices: AlertNotice[] = [];
  const due: { tracked: TrackedAlert; kind: AlertNoticeKind }[] = [];

  let size = 0;
  for (const condition of findings.conditions) {
    if (state.tracked[condition.key]) continue;
    const known = previous.tracked[condition.key];
    if (!known && size >= MAX_TRACKED) continue;
    size += 1;
    const tracked: TrackedAlert = known
      ? { ...known, alert: { ...condition, since: known.alert.since } }
      : {
          alert: { ...condition, since: at },
          sequence: 0,
          notifiedAt: null,
          notifiedCount: null,
          dueAt: now,
        };
    state.tracked[condition.key] = tracked;
    if (!known) due.push({ tracked, kind: 'raised' });
    else if (now - known.dueAt >= policy.repeatIntervalMs) {
      due.push({ tracked, kind: known.notifiedAt === null ? 'raised' : 'reminder' });
    }
  }

  // New conditions first: when the hourly limit bites, what people have not heard of goes out.
  due.sort((a, b) => Number(a.kind !== 'raised') - Number(b.kind !== 'raised'));
  for (const { tracked, kind } of due) {
    const { rule } = tracked.alert;
    tracked.dueAt = now;
    const sent = (state.sentAt[rule] ??= []);
    if (sent.length >= policy.maxPerRulePerHour) {
      state.heldBack[rule] = (state.heldBack[rule] ?? 0) + 1;
      continue;
    }
    sent.push(now);
    const heldBack = state.heldBack[rule] ?? 0;
    delete state.heldBack[rule];
    notices.push({
      id: noticeId(tracked.alert, tracked.sequence),
      kind,
      at,
      alert: tracked.alert,
      ...(kind === 'reminder' && tracked.notifiedCount !== null
        ? { previousCount: tracked.notifiedCount }
        : {}),
      ...(heldBack > 0 ? { heldBack } : {}),
    });
    tracked.sequence += 1;
    tracked.notifiedAt = now;
    tracked.notifiedCount = tracked.alert.count;
  }

  const unknown = new Set(findings.unknownPipelines);
  for (const [key, tracked] of Object.entries(previous.tracked)) {
    if (state.tracked[key]) continue;
    if (unknown.has(tracked.alert.pipeline)) {
      state.tracked[key] = tracked;
      continue;
    }
    // One resolution per condition people were told of: bounded by the notices that went out.
    if (tracked.notifiedAt !== null) {
      notices.push({
        id: noticeId(tracked.alert, tracked.sequence),
        kind: 'resolved',
        at,
        alert: tracked.alert,
      });
    }
  }
  return { state, notices };
}

/** What the dashboard's banner shows: every condition that holds, the oldest first. */
export function activeAlerts(state: AlertWatchState): ActiveAlert[] {
  return Object.values(state.tracked)
    .map((tracked) => tracked.alert)
    .sort((a, b) => a.since.localeCompare(b.since) || a.key.localeCompare(b.key));
}
