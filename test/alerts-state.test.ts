import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertCondition, AlertPolicy, AlertRule } from '../src/domain/alerts';
import {
  activeAlerts,
  emptyAlertState,
  MAX_TRACKED,
  nextAlertState,
  type AlertWatchState,
} from '../src/workflows/alert-state';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const policy: AlertPolicy = {
  checkIntervalMs: MINUTE,
  repeatIntervalMs: 4 * HOUR,
  maxPerRulePerHour: 3,
  deliveryGiveUpMs: HOUR,
};

function condition(
  rule: AlertRule,
  pipeline: string,
  count = 1,
  key = `${rule}:${pipeline}`,
): AlertCondition {
  return { rule, pipeline, key, count, summary: `${rule} on ${pipeline}: ${count}`, advice: 'do something' };
}

/** Runs checks one after the other, as the workflow does, collecting every notice. */
function watch() {
  let state: AlertWatchState = emptyAlertState();
  return {
    check(conditions: AlertCondition[], at: number, unknownPipelines: string[] = []) {
      const next = nextAlertState(state, { conditions, unknownPipelines, policy }, at);
      state = next.state;
      return next.notices;
    },
    get state() {
      return state;
    },
  };
}

describe('alert state: dedup, repeat interval, resolution', () => {
  it('notifies a new condition once, stays quiet while it persists, reminds after the repeat interval with the new count', () => {
    const alerts = watch();
    const [raised, ...others] = alerts.check([condition('dead-letters', 'accounts', 3)], T0);
    assert.equal(others.length, 0);
    assert.equal(raised.kind, 'raised');
    assert.equal(raised.alert.since, new Date(T0).toISOString());
    assert.equal(raised.alert.count, 3);

    for (let minute = 1; minute < 240; minute += 1) {
      assert.deepEqual(
        alerts.check([condition('dead-letters', 'accounts', 3 + minute)], T0 + minute * MINUTE),
        [],
      );
    }
    const [reminder, ...more] = alerts.check([condition('dead-letters', 'accounts', 250)], T0 + 4 * HOUR);
    assert.equal(more.length, 0);
    assert.equal(reminder.kind, 'reminder');
    assert.equal(reminder.alert.count, 250);
    assert.equal(reminder.previousCount, 3);
    assert.equal(reminder.alert.since, raised.alert.since, 'since is when it was first seen');
    assert.notEqual(reminder.id, raised.id);
  });

  it('sends a resolution notice once when the condition clears, then forgets it', () => {
    const alerts = watch();
    const [raised] = alerts.check([condition('pipeline-paused', 'accounts')], T0);
    const [resolved, ...others] = alerts.check([], T0 + 10 * MINUTE);
    assert.equal(others.length, 0);
    assert.equal(resolved.kind, 'resolved');
    assert.equal(resolved.alert.key, raised.alert.key);
    assert.deepEqual(alerts.check([], T0 + 11 * MINUTE), []);
    assert.deepEqual(activeAlerts(alerts.state), []);

    const [again] = alerts.check([condition('pipeline-paused', 'accounts')], T0 + 20 * MINUTE);
    assert.equal(again.kind, 'raised', 'the same condition coming back is new');
    assert.notEqual(again.id, raised.id);
  });

  it('makes the same notice ids from the same checks (deterministic), all different from each other', () => {
    const run = () => {
      const alerts = watch();
      return [
        ...alerts.check([condition('error-rate', 'accounts'), condition('dead-letters', 'accounts')], T0),
        ...alerts.check([condition('error-rate', 'accounts')], T0 + 5 * HOUR),
        ...alerts.check([], T0 + 6 * HOUR),
      ].map((notice) => notice.id);
    };
    const ids = run();
    assert.deepEqual(run(), ids);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z0-9-]+$/, 'header-safe');
  });

  it('keeps the conditions of a pipeline whose state could not be read: no resolution, no new notice', () => {
    const alerts = watch();
    alerts.check([condition('dead-letters', 'accounts'), condition('dead-letters', 'vendors')], T0);
    const notices = alerts.check([condition('pipeline-paused', 'accounts')], T0 + MINUTE, ['accounts']);
    assert.deepEqual(
      notices.map((notice) => [notice.kind, notice.alert.key]),
      [
        ['raised', 'pipeline-paused:accounts'],
        ['resolved', 'dead-letters:vendors'],
      ],
    );
    assert.deepEqual(
      activeAlerts(alerts.state)
        .map((alert) => alert.key)
        .sort(),
      ['dead-letters:accounts', 'pipeline-paused:accounts'],
    );
  });
});

describe('alert state: the hourly limit per rule', () => {
  const files = (names: string[]) =>
    names.map((name) => condition('file-quarantined', 'vendors', 1, `file-quarantined:vendors:${name}`));

  it('sends at most the limit per rule in an hour, holds back the rest and says so in the next notice', () => {
    const alerts = watch();
    const first = alerts.check(
      [...files(['a', 'b', 'c', 'd', 'e']), condition('pipeline-paused', 'accounts')],
      T0,
    );
    assert.equal(first.filter((notice) => notice.alert.rule === 'file-quarantined').length, 3);
    assert.equal(
      first.filter((notice) => notice.alert.rule === 'pipeline-paused').length,
      1,
      'other rules are not held back',
    );
    assert.equal(activeAlerts(alerts.state).length, 6, 'held back, still active (the dashboard shows them)');

    const paused = condition('pipeline-paused', 'accounts');
    // Within the hour, a further file is held back too.
    assert.deepEqual(alerts.check([...files(['a', 'b', 'c', 'd', 'e', 'f']), paused], T0 + 30 * MINUTE), []);
    // An hour after the first notices, the next one goes out, saying how many were held back.
    const [next, ...others] = alerts.check(
      [...files(['a', 'b', 'c', 'd', 'e', 'f', 'g']), paused],
      T0 + HOUR,
    );
    assert.equal(others.length, 0);
    assert.equal(next.alert.key, 'file-quarantined:vendors:g');
    assert.equal(next.heldBack, 3, 'd, e and f');
  });

  it('holds back notices of a 10,000-file storm: a few notices, never one per file', () => {
    const alerts = watch();
    const names = Array.from({ length: 10_000 }, (_, i) => `file-${i}.csv`);
    const storm = files(names);
    const hours = 6;
    let sent = 0;
    for (let minute = 0; minute < hours * 60; minute += 1)
      sent += alerts.check(storm, T0 + minute * MINUTE).length;
    assert.ok(sent > 0 && sent <= hours * policy.maxPerRulePerHour, `${sent} notices in ${hours} h`);
    assert.ok(Object.keys(alerts.state.tracked).length <= MAX_TRACKED, 'the state stays bounded');
  });

  it('notifies a held-back condition after the repeat interval as new (it was never told)', () => {
    const alerts = watch();
    alerts.check(files(['a', 'b', 'c', 'd']), T0);
    const later = alerts.check(files(['a', 'b', 'c', 'd']), T0 + 4 * HOUR);
    const d = later.find((notice) => notice.alert.key.endsWith(':d'));
    assert.equal(d?.kind, 'raised');
    assert.equal(d?.heldBack, 1);
  });

  it('resolves only what people were told of; resolutions are not held back', () => {
    const alerts = watch();
    alerts.check(files(['a', 'b', 'c', 'd']), T0);
    const resolved = alerts.check([], T0 + MINUTE);
    assert.deepEqual(
      resolved.map((notice) => [notice.kind, notice.alert.key]),
      [
        ['resolved', 'file-quarantined:vendors:a'],
        ['resolved', 'file-quarantined:vendors:b'],
        ['resolved', 'file-quarantined:vendors:c'],
      ],
    );
  });
});
