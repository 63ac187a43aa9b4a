import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeConditions, MAX_FILE_CONDITIONS, type RuleSettings } from '../src/alerts/rules';
import type { AlertCondition } from '../src/domain/alerts';
import { noRecords, type DeliveryReport, type RunSummary } from '../src/domain/sync';
import type { PipelineHealth } from '../src/monitoring/health';
import type { PipelineOverview } from '../src/operations';

const MINUTE = 60_000;
const NOW = Date.parse('2026-03-02T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const settings: RuleSettings = {
  thresholds: {
    deadLettersOver: 0,
    problemRecordsOver: 100,
    conflictWaitingOverMs: 24 * 60 * MINUTE,
    errorRateOverPercent: 10,
    noSuccessIntervals: 3,
    quarantineWindowMs: 24 * 60 * MINUTE,
  },
  links: { temporalUi: 'http://localhost:8233', namespace: 'default', dashboard: undefined },
};

function run(
  overrides: Omit<Partial<RunSummary>, 'counts'> & { counts?: Partial<RunSummary['counts']> } = {},
): RunSummary {
  return {
    runId: 'sync-accounts-run-2026-03-02T11:55:00Z',
    startedAt: ago(5 * MINUTE),
    finishedAt: ago(4 * MINUTE),
    pages: 1,
    checkpoint: null,
    ...overrides,
    counts: { ...noRecords(), ...overrides.counts },
  };
}

function health(
  overview: Partial<PipelineOverview> = {},
  extra: Partial<PipelineHealth> = {},
): PipelineHealth {
  const lastRun = run({ counts: { read: 200, synced: 200 } });
  return {
    pipeline: 'accounts',
    scheduleId: 'sync-accounts',
    intervalMs: 5 * MINUTE,
    taskQueue: 'record-sync',
    conflictsWaiting: 0,
    overview: {
      pipeline: 'accounts',
      checkpoint: null,
      checkpointGeneration: 0,
      currentRun: null,
      lastRun,
      recentRuns: [lastRun],
      paused: null,
      problems: { VALIDATION_FAILED: 0, VERSION_CONFLICT: 0, DEAD_LETTER: 0, ORPHANED: 0 },
      schedule: { paused: false },
      ...overview,
    },
    ...extra,
  };
}

const rulesOf = (conditions: AlertCondition[]) => conditions.map((condition) => condition.rule).sort();
const only = (conditions: AlertCondition[]) => {
  assert.equal(conditions.length, 1, JSON.stringify(conditions, null, 2));
  return conditions[0];
};

describe('alert rules', () => {
  it('a healthy pipeline raises nothing', () => {
    assert.deepEqual(activeConditions([health()], settings, NOW), []);
  });

  it('a paused pipeline: one condition whatever the number of records, counting the runs stopped in a row, with the reason and what to do', () => {
    const stopped = (minutes: number) =>
      run({
        runId: `run-${minutes}`,
        startedAt: ago(minutes * MINUTE),
        finishedAt: ago(minutes * MINUTE),
        stoppedBy: 'authentication failed (401 INVALID_LOGIN)',
        counts: { read: 50 },
      });
    const recentRuns = [stopped(1), stopped(6), stopped(11), run({ finishedAt: ago(3 * 60 * MINUTE) })];
    const condition = only(
      activeConditions(
        [
          health({
            recentRuns,
            lastRun: recentRuns[0],
            paused: { reason: 'authentication failed (401 INVALID_LOGIN)', runId: 'run-1', at: ago(MINUTE) },
            schedule: { paused: true, note: 'record-sync paused' },
          }),
        ],
        settings,
        NOW,
      ),
    );
    assert.equal(condition.rule, 'pipeline-paused', 'no-successful-run is not raised for the same cause');
    assert.equal(condition.key, 'pipeline-paused:accounts');
    assert.equal(condition.count, 3);
    assert.match(condition.summary, /Pipeline accounts is paused since .*authentication failed/);
    assert.match(condition.summary, /3 runs in a row stopped on it, the last one after reading 50 records\./);
    assert.match(condition.advice, /npx record-sync resume --pipeline accounts/);
    assert.equal(
      condition.link,
      `http://localhost:8233/namespaces/default/workflows?query=${encodeURIComponent('WorkflowId = "run-1"')}`,
    );
  });

  it('an owner that is gone or does not answer is folded into pipeline-paused', () => {
    const gone = only(
      activeConditions(
        [
          health(
            {},
            {
              overview: null,
              ownerGone: { workflowId: 'record-sync-pipeline-accounts', status: 'terminated' },
            },
          ),
        ],
        settings,
        NOW,
      ),
    );
    assert.equal(gone.rule, 'pipeline-paused');
    assert.match(gone.summary, /cannot run: its owner workflow .* is terminated/);
    assert.match(gone.advice, /pipeline recover --pipeline accounts/);
    const missing = only(
      activeConditions(
        [
          health(
            {},
            { overview: null, ownerGone: { workflowId: 'record-sync-pipeline-accounts', status: 'missing' } },
          ),
        ],
        settings,
        NOW,
      ),
    );
    assert.match(missing.summary, /cannot run: it has no owner workflow/);
    assert.match(missing.advice, /schedule create --pipeline accounts/);
    const silent = only(
      activeConditions([health({}, { overview: null, unreadable: 'query timed out' })], settings, NOW),
    );
    assert.match(silent.summary, /cannot be read \(query timed out\)/);
    assert.match(silent.advice, /polls task queue record-sync/);
  });

  it('dead letters over the threshold, and problem records over N, say how many and how to replay', () => {
    const problems = {
      VALIDATION_FAILED: 95,
      VERSION_CONFLICT: 4,
      DEAD_LETTER: 2,
    } as PipelineOverview['problems'];
    const conditions = activeConditions([health({ problems })], settings, NOW);
    assert.deepEqual(rulesOf(conditions), ['dead-letters', 'problem-records']);
    const dead = conditions.find((condition) => condition.rule === 'dead-letters')!;
    assert.equal(dead.count, 2);
    assert.match(dead.summary, /holds 2 dead-lettered records/);
    assert.match(dead.advice, /problems list --pipeline accounts --status DEAD_LETTER/);
    assert.match(decodeURIComponent(dead.link!), /RecordSyncStatus = "DEAD_LETTER"/);
    const all = conditions.find((condition) => condition.rule === 'problem-records')!;
    assert.equal(all.count, 101);
    assert.match(all.summary, /95 VALIDATION_FAILED, 4 VERSION_CONFLICT, 2 DEAD_LETTER/);

    const fewer = {
      VALIDATION_FAILED: 100,
      VERSION_CONFLICT: 0,
      DEAD_LETTER: 0,
    } as PipelineOverview['problems'];
    assert.deepEqual(
      activeConditions([health({ problems: fewer })], settings, NOW),
      [],
      'at the threshold: not over it',
    );
  });

  it('conflicts waiting longer than T link to exactly those', () => {
    const condition = only(activeConditions([health({}, { conflictsWaiting: 7 })], settings, NOW));
    assert.equal(condition.rule, 'conflict-waiting');
    assert.equal(condition.count, 7);
    assert.match(condition.summary, /7 version conflicts waiting for a person's decision longer than 24 h/);
    assert.match(
      decodeURIComponent(condition.link!),
      new RegExp(`RecordSyncStatus = "VERSION_CONFLICT" AND RecordSyncFailedAt < "${ago(24 * 60 * MINUTE)}"`),
    );
  });

  it("a finished run's error rate over X %; a stopped run's cancelled records do not count", () => {
    const failing = run({ counts: { read: 200, synced: 170, validationFailed: 20, deadLettered: 10 } });
    const condition = only(
      activeConditions([health({ recentRuns: [failing], lastRun: failing })], settings, NOW),
    );
    assert.equal(condition.rule, 'error-rate');
    assert.equal(condition.count, 30);
    assert.match(condition.summary, /failed 30 of 200 records \(15\.0 %, over 10 %\)/);

    const stopped = run({ stoppedBy: 'permission denied', counts: { read: 50 } });
    const conditions = activeConditions(
      [health({ recentRuns: [stopped, run({ counts: { read: 10, synced: 10 } })] })],
      settings,
      NOW,
    );
    assert.deepEqual(conditions, []);
  });

  it('no successful run in N intervals, but a pipeline with no run on record is not late', () => {
    const old = run({
      startedAt: ago(21 * MINUTE),
      finishedAt: ago(20 * MINUTE),
      counts: { read: 1, synced: 1 },
    });
    const condition = only(
      activeConditions(
        [health({ recentRuns: [old], lastRun: old, currentRunEnded: 'TIMED_OUT' })],
        settings,
        NOW,
      ),
    );
    assert.equal(condition.rule, 'no-successful-run');
    assert.equal(condition.count, 4);
    assert.match(condition.summary, /no successful run for 20 min \(4 intervals of 5 min/);
    assert.match(condition.summary, /ended as TIMED_OUT/);
    assert.equal(condition.link, 'http://localhost:8233/namespaces/default/schedules/sync-accounts');
    assert.deepEqual(activeConditions([health({ recentRuns: [], lastRun: null })], settings, NOW), []);
  });

  it('reconciliation differences that still need a person; none when a repair synced them all', () => {
    const summary = {
      runId: 'reconcile-accounts-1',
      startedAt: ago(60 * MINUTE),
      finishedAt: ago(50 * MINUTE),
      matching: 990,
      differences: { VERSION_DRIFT: 3, DATA_MISMATCH: 2, MISSING: 4, ORPHANED: 1 },
      repair: false,
      repaired: { resynced: 0, conflicts: 0, orphans: 0 },
      report: '/data/reports/reconcile-accounts-1/report.html',
    };
    const condition = only(activeConditions([health({ reconciliations: [summary] })], settings, NOW));
    assert.equal(condition.rule, 'reconciliation-differences');
    assert.equal(condition.count, 10);
    assert.match(
      condition.summary,
      /found 10 differences .*3 VERSION_DRIFT, 2 DATA_MISMATCH, 4 MISSING, 1 ORPHANED.*nothing was repaired/,
    );
    assert.match(condition.advice, /report\.html/);
    const repaired = { ...summary, repair: true, repaired: { resynced: 10, conflicts: 0, orphans: 0 } };
    assert.deepEqual(activeConditions([health({ reconciliations: [repaired] })], settings, NOW), []);
  });

  it('one condition per file quarantined within the window and not loaded since; capped', () => {
    const deliveries: DeliveryReport[] = [
      {
        name: 'vendor-a-2026-03.csv',
        status: 'QUARANTINED',
        at: ago(10 * MINUTE),
        counts: {},
        note: 'missing columns: NAV',
      },
      { name: 'vendor-b-2026-03.xlsx', status: 'LOADED', at: ago(20 * MINUTE), counts: { rows: 10 } },
      { name: 'vendor-b-2026-03.xlsx', status: 'QUARANTINED', at: ago(30 * MINUTE), counts: {} },
      { name: 'vendor-c-2026-01.json', status: 'QUARANTINED', at: ago(3 * 24 * 60 * MINUTE), counts: {} },
    ];
    const condition = only(activeConditions([health({ deliveries })], settings, NOW));
    assert.equal(condition.rule, 'file-quarantined');
    assert.equal(condition.key, 'file-quarantined:accounts:vendor-a-2026-03.csv');
    assert.match(condition.summary, /File vendor-a-2026-03\.csv .* quarantined .*: missing columns: NAV/);
    assert.match(condition.advice, /drop it in inbox\/ again/);

    const many = Array.from({ length: 80 }, (_, i) => ({
      name: `file-${i}.csv`,
      status: 'QUARANTINED',
      at: ago(MINUTE),
      counts: {},
    }));
    assert.equal(activeConditions([health({ deliveries: many })], settings, NOW).length, MAX_FILE_CONDITIONS);
  });

  it('links to the dashboard when DASHBOARD_URL is set', () => {
    const problems = {
      VALIDATION_FAILED: 0,
      VERSION_CONFLICT: 0,
      DEAD_LETTER: 1,
    } as PipelineOverview['problems'];
    const condition = only(
      activeConditions(
        [health({ problems })],
        { ...settings, links: { ...settings.links, dashboard: 'https://sync.example.com' } },
        NOW,
      ),
    );
    assert.equal(condition.link, 'https://sync.example.com/?pipeline=accounts');
  });
});
