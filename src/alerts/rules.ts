import type { AlertCondition, AlertRule } from '../domain/alerts';
import type { RunSummary } from '../domain/sync';
import type { PipelineHealth } from '../monitoring/health';
import { problemQueryText } from '../problem-records';
import { temporalUiQuery, temporalUiSchedule, whereToLook, workflowIdQuery } from './links';
import type { AlertLinks, AlertThresholds } from './settings';
import { counted, spoken } from './wording';

export interface RuleSettings {
  thresholds: AlertThresholds;
  links: AlertLinks;
}

/** Files are many where a vendor drops many; past this, the dashboard and `status` list them. */
export const MAX_FILE_CONDITIONS = 50;

type Overview = NonNullable<PipelineHealth['overview']>;
type Found = Omit<AlertCondition, 'rule' | 'pipeline' | 'key'> & { key?: string };

/**
 * The conditions that hold now, one per rule and pipeline (a quarantined file: one per file), each
 * saying what happened, how many, where to look and what to do. Pure: the alert watch decides
 * what is new, what persists and what cleared.
 */
export function activeConditions(
  health: PipelineHealth[],
  settings: RuleSettings,
  now: number,
): AlertCondition[] {
  const conditions = health.flatMap((pipeline) => pipelineConditions(pipeline, settings, now));
  const files = conditions.filter((condition) => condition.rule === 'file-quarantined');
  const dropped = new Set(files.slice(MAX_FILE_CONDITIONS));
  return conditions.filter((condition) => !dropped.has(condition));
}

function pipelineConditions(health: PipelineHealth, settings: RuleSettings, now: number): AlertCondition[] {
  const { pipeline } = health;
  const found: [AlertRule, Found | null][] = [];
  const ui = (query: string) => whereToLook(settings.links, pipeline, temporalUiQuery(settings.links, query));
  if (!health.overview) {
    found.push(['pipeline-paused', unreadable(health, settings)]);
  } else {
    const overview = health.overview;
    const { thresholds } = settings;
    found.push(
      ['pipeline-paused', paused(overview, ui)],
      ['no-successful-run', overview.paused ? null : noSuccess(health, overview, settings, now)],
      ['error-rate', errorRate(overview, thresholds.errorRateOverPercent, ui)],
      ['dead-letters', deadLetters(overview, thresholds.deadLettersOver, ui)],
      ['problem-records', problemRecords(overview, thresholds.problemRecordsOver, ui)],
      ['conflict-waiting', conflictsWaiting(health, settings, now, ui)],
      ['records-awaiting', recordsAwaiting(health, ui)],
      ['reconciliation-differences', reconciliation(overview, ui)],
      ...quarantinedFiles(overview, thresholds.quarantineWindowMs, now, ui).map(
        (file): [AlertRule, Found] => ['file-quarantined', file],
      ),
    );
  }
  return found.flatMap(([rule, condition]) =>
    condition ? [{ ...condition, rule, pipeline, key: condition.key ?? `${rule}:${pipeline}` }] : [],
  );
}

/** Folded into pipeline-paused: a pipeline whose owner is gone or does not answer does not run. */
function unreadable(health: PipelineHealth, { links }: RuleSettings): Found {
  const { pipeline, taskQueue } = health;
  const owner = whereToLook(
    links,
    pipeline,
    temporalUiQuery(links, `WorkflowId = "record-sync-pipeline-${pipeline}"`),
  );
  if (health.ownerGone) {
    const { workflowId, status } = health.ownerGone;
    return {
      summary:
        status === 'missing'
          ? `Pipeline ${pipeline} cannot run: it has no owner workflow (${workflowId}) to hold its checkpoint.`
          : `Pipeline ${pipeline} cannot run: its owner workflow ${workflowId}, which holds its checkpoint, is ${status}.`,
      count: 1,
      link: owner,
      advice:
        status === 'missing'
          ? `Create it: \`npx record-sync schedule create --pipeline ${pipeline}\` (npm start does).`
          : `Recover it: \`npx record-sync pipeline recover --pipeline ${pipeline} --checkpoint <ISO time>\` ` +
            `(the next run reads every record changed at or after that time), then ` +
            `\`npx record-sync schedule unpause --pipeline ${pipeline}\`.`,
    };
  }
  return {
    summary: `The state of pipeline ${pipeline} cannot be read (${health.unreadable}): whether it runs is unknown.`,
    count: 1,
    link: owner,
    advice:
      `Check that a record-sync worker polls task queue ${taskQueue} and that Temporal answers: ` +
      `\`npx record-sync status --pipeline ${pipeline}\`.`,
  };
}

/** Runs newest first; those begun before the owner kept a list show as the last run only. */
const runsOf = (overview: Overview): RunSummary[] =>
  overview.recentRuns?.length ? overview.recentRuns : overview.lastRun ? [overview.lastRun] : [];

function paused(overview: Overview, ui: (query: string) => string): Found | null {
  const pause = overview.paused;
  if (!pause) return null;
  const { pipeline } = overview;
  const recent = runsOf(overview);
  const firstGood = recent.findIndex((run) => !run.stoppedBy);
  const stopped = Math.max(1, firstGood === -1 ? recent.length : firstGood);
  const last = recent.find((run) => run.runId === pause.runId) ?? recent[0];
  const read = last ? ` after reading ${counted(last.counts.read, 'record')}` : '';
  const runs =
    stopped === 1
      ? `The run that met it stopped${read}.`
      : `${stopped} runs in a row stopped on it, the last one${read}.`;
  return {
    summary:
      `Pipeline ${pipeline} is paused since ${pause.at}: ${pause.reason.replace(/\.$/, '')}. ${runs} ` +
      'Every change since its checkpoint waits: nothing is lost, nothing is dead-lettered.',
    count: stopped,
    link: ui(workflowIdQuery(pause.runId) ?? `WorkflowId = "record-sync-pipeline-${pipeline}"`),
    advice:
      `Fix the cause above (credentials, permissions, the system being down), then run ` +
      `\`npx record-sync resume --pipeline ${pipeline}\`: the pipeline goes on from its checkpoint.`,
  };
}

function noSuccess(
  health: PipelineHealth,
  overview: Overview,
  settings: RuleSettings,
  now: number,
): Found | null {
  const runs = runsOf(overview);
  const success = runs.find((run) => !run.stoppedBy && run.finishedAt);
  // With no run on record, how long it has gone without one is unknown: a new pipeline is not late.
  const since = success?.finishedAt ?? runs.at(-1)?.startedAt;
  if (!since) return null;
  const elapsed = now - Date.parse(since);
  const missed = Math.floor(elapsed / health.intervalMs);
  if (missed < settings.thresholds.noSuccessIntervals) return null;
  const { pipeline } = health;
  const notes = [
    overview.currentRunEnded ? ` Its last run ended as ${overview.currentRunEnded} without finishing.` : '',
    overview.currentRun ? ` A run has been going since ${overview.currentRun.startedAt}.` : '',
    overview.schedule?.paused
      ? ` Its schedule is paused${overview.schedule.note ? `: ${overview.schedule.note}` : ''}.`
      : '',
    overview.schedule === null ? ' It has no schedule.' : '',
  ].join('');
  return {
    summary:
      `Pipeline ${pipeline} has had no successful run for ${spoken(elapsed)} ` +
      `(${counted(missed, 'interval')} of ${spoken(health.intervalMs)}; ` +
      `${success ? `last success ${success.finishedAt}` : 'no success on record'}).${notes}`,
    count: missed,
    link: whereToLook(settings.links, pipeline, temporalUiSchedule(settings.links, health.scheduleId)),
    advice:
      `Run \`npx record-sync status --pipeline ${pipeline}\`: check that a worker is running, that the ` +
      `schedule is not paused (\`npx record-sync schedule unpause --pipeline ${pipeline}\`) and why the last runs ended.`,
  };
}

function errorRate(overview: Overview, overPercent: number, ui: (query: string) => string): Found | null {
  // A stopped run's records were cancelled, not failed: pipeline-paused says why it stopped.
  const run = runsOf(overview).find((candidate) => !candidate.stoppedBy && candidate.finishedAt);
  if (!run) return null;
  const { synced, skipped, validationFailed, conflicts, deadLettered } = run.counts;
  const failed = validationFailed + conflicts + deadLettered;
  const done = synced + skipped + failed;
  const percent = done === 0 ? 0 : (failed / done) * 100;
  if (percent <= overPercent) return null;
  const { pipeline } = overview;
  return {
    summary:
      `The latest run of pipeline ${pipeline} (${run.runId}, finished ${run.finishedAt}) failed ` +
      `${failed} of ${counted(done, 'record')} (${percent.toFixed(1)} %, over ${overPercent} %): ` +
      `${validationFailed} failed validation, ${conflicts} in conflict, ${deadLettered} dead-lettered.`,
    count: failed,
    link: ui(workflowIdQuery(run.runId) ?? problemQueryText(pipeline, { since: run.startedAt })),
    advice:
      `See which records and why: \`npx record-sync problems list --pipeline ${pipeline} --since ${run.startedAt}\`. ` +
      'Many at once usually means a field, picklist or rule changed at the source or the destination: ' +
      `fix it, then \`npx record-sync problems replay --pipeline ${pipeline} --since ${run.startedAt}\`.`,
  };
}

function deadLetters(overview: Overview, over: number, ui: (query: string) => string): Found | null {
  const count = overview.problems.DEAD_LETTER ?? 0;
  if (count <= over) return null;
  const { pipeline } = overview;
  return {
    summary:
      `Pipeline ${pipeline} holds ${counted(count, 'dead-lettered record')}: each kept failing past its ` +
      'retry budget while the destination synced other records.',
    count,
    link: ui(problemQueryText(pipeline, { status: 'DEAD_LETTER' })),
    advice:
      `Open the problem records in the dashboard or run \`npx record-sync problems list --pipeline ${pipeline} ` +
      `--status DEAD_LETTER\` (each shows its error); fix the cause, then replay them: ` +
      `\`npx record-sync problems replay --pipeline ${pipeline} --status DEAD_LETTER\`.`,
  };
}

function problemRecords(overview: Overview, over: number, ui: (query: string) => string): Found | null {
  const byStatus = Object.entries(overview.problems).filter(([, n]) => n > 0);
  const count = byStatus.reduce((sum, [, n]) => sum + n, 0);
  if (count <= over) return null;
  const { pipeline } = overview;
  return {
    summary:
      `Pipeline ${pipeline} holds ${counted(count, 'problem record')} waiting for a person (over ${over}): ` +
      `${byStatus.map(([status, n]) => `${n} ${status}`).join(', ')}.`,
    count,
    link: ui(problemQueryText(pipeline)),
    advice:
      `Open them in the dashboard or run \`npx record-sync problems list --pipeline ${pipeline} --status <status>\`; ` +
      'fix the data at the source and replay them, decide the conflicts, or discard with a reason.',
  };
}

/** A reminder: records that reached their waiting stage long ago and still wait (a lost webhook?). */
function recordsAwaiting(health: PipelineHealth, ui: (query: string) => string): Found | null {
  const waits = health.awaiting;
  if (!waits || waits.overdue === 0) return null;
  const { pipeline } = health;
  return {
    summary:
      `Pipeline ${pipeline} has ${counted(waits.overdue, 'record')} in ${waits.stage} for longer than ` +
      `${spoken(waits.reminderMs)}: the destination has not said it published them (or its webhook was lost).`,
    count: waits.overdue,
    link: ui(waits.query),
    advice:
      'Check that they are published in the destination and that its webhook reaches record-sync ' +
      '(RECORD_SYNC_WEBHOOK_ADDRESS); a record still waiting at its deadline becomes a DEAD_LETTER problem record to replay.',
  };
}

function conflictsWaiting(
  health: PipelineHealth,
  { thresholds }: RuleSettings,
  now: number,
  ui: (query: string) => string,
): Found | null {
  const count = health.conflictsWaiting;
  if (count === 0) return null;
  const { pipeline } = health;
  const until = new Date(now - thresholds.conflictWaitingOverMs).toISOString();
  return {
    summary:
      `Pipeline ${pipeline} has ${counted(count, 'version conflict')} waiting for a person's decision ` +
      `longer than ${spoken(thresholds.conflictWaitingOverMs)}: NetSuite was changed since record-sync wrote them.`,
    count,
    link: ui(problemQueryText(pipeline, { status: 'VERSION_CONFLICT', until })),
    advice:
      `Decide each: \`npx record-sync problems list --pipeline ${pipeline} --status VERSION_CONFLICT\`, then ` +
      `\`npx record-sync problems resolve <id> --pipeline ${pipeline} --use source|destination|merge\`.`,
  };
}

/**
 * The latest reconciliation's differences that still need a person: all of them when it only
 * reports, those it could not sync again when it repairs (conflicts and orphans are problem records).
 */
function reconciliation(overview: Overview, ui: (query: string) => string): Found | null {
  const latest = overview.reconciliations?.[0];
  if (!latest) return null;
  const found = Object.values(latest.differences).reduce((sum, n) => sum + n, 0);
  const left = latest.repair ? Math.max(0, found - latest.repaired.resynced) : found;
  if (left === 0) return null;
  const { pipeline } = overview;
  const kinds = Object.entries(latest.differences)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const repaired = latest.repair
    ? ` It synced ${latest.repaired.resynced} again; ${latest.repaired.conflicts} conflicts and ` +
      `${latest.repaired.orphans} orphans wait for a person as problem records.`
    : ' It only reports (RECONCILIATION_REPAIR=false): nothing was repaired.';
  const stopped = latest.stoppedBy ? ` It stopped early: ${latest.stoppedBy}.` : '';
  return {
    summary:
      `The reconciliation of pipeline ${pipeline} (finished ${latest.finishedAt}) found ` +
      `${counted(found, 'difference')} between source and destination (${kinds}).${repaired}${stopped}`,
    count: left,
    link: ui(workflowIdQuery(latest.runId) ?? problemQueryText(pipeline)),
    advice:
      `Read the report${latest.report ? ` (${latest.report})` : ''}; decide the conflicts and orphans ` +
      `(\`npx record-sync problems list --pipeline ${pipeline}\`), and find why records drifted before they drift again.`,
  };
}

/** One condition per file whose latest delivery, within the window, was quarantined. */
function quarantinedFiles(
  overview: Overview,
  windowMs: number,
  now: number,
  ui: (query: string) => string,
): Found[] {
  const latest = new Map<string, NonNullable<Overview['deliveries']>[number]>();
  for (const delivery of overview.deliveries ?? [])
    if (!latest.has(delivery.name)) latest.set(delivery.name, delivery);
  const { pipeline } = overview;
  return [...latest.values()]
    .filter((delivery) => delivery.status === 'QUARANTINED' && now - Date.parse(delivery.at) <= windowMs)
    .map((file) => ({
      key: `file-quarantined:${pipeline}:${file.name}`,
      summary:
        `File ${file.name} of pipeline ${pipeline} was quarantined at ${file.at}` +
        `${file.note ? `: ${file.note}` : ''}. None of its rows were loaded.`,
      count: 1,
      link: ui(problemQueryText(pipeline)),
      advice:
        `It was moved to quarantine/ with ${file.name}.reason.txt beside it. Correct the file (or ask the ` +
        'vendor for a corrected one) and drop it in inbox/ again; the same bytes dropped again are quarantined again.',
    }));
}
