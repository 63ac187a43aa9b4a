import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from '../src/config';
import { instantOf } from '../src/domain/position';
import { PROBLEM_STATUSES, type RunSummary } from '../src/domain/sync';
import { exportedName, METRICS, RECORD_OUTCOMES } from '../src/monitoring/metrics';
import { demoSecrets } from '../sandbox/settings';
import { eventually, startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

const monitoring = path.resolve(__dirname, '..', 'monitoring');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  samples: Sample[];
  /** Metric families by name, as `# TYPE` declares them (a histogram's series add suffixes). */
  types: Map<string, string>;
}

/** The Prometheus text format, as the SDK's exporter writes it. */
function parseScrape(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!sample) continue;
    const labels: Record<string, string> = {};
    for (const [, label, value] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label] = value;
    }
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

/** The metric families of a scrape: series names, with a histogram's suffixes taken off. */
function familiesOf({ samples, types }: Scrape): Set<string> {
  const families = new Set(samples.map((s) => s.name));
  for (const [name, type] of types) if (type === 'histogram') families.add(name);
  return families;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: its identifiers that are not functions, keywords,
 * label names (in `{...}`, `by (...)`, `on (...)`) or durations. A histogram's `_bucket`, `_sum`
 * and `_count` series are read as their family.
 */
export function metricNamesIn(expr: string, histograms: Set<string>): Set<string> {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || PROMQL_WORDS.has(name.toLowerCase())) continue;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    names.add(family !== name && histograms.has(family) ? family : name);
  }
  return names;
}

interface DashboardPanel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: DashboardPanel[];
}

/** The PromQL of the dashboard's panels, and of its variables (`label_values(metric, label)`). */
function dashboardExpressions(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(path.join(monitoring, 'grafana-dashboard.json'), 'utf8'));
  const panels = (dashboard.panels as DashboardPanel[]).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const variables = (dashboard.templating.list as { name: string; query?: { query?: string } }[]).flatMap(
    ({ name, query }) => {
      const metric = /^label_values\((.+),\s*\w+\)$/.exec(query?.query ?? '')?.[1];
      return metric ? [{ panel: `variable ${name}`, expr: metric }] : [];
    },
  );
  return [
    ...panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) =>
        target.expr ? [{ panel: panel.title ?? '(untitled)', expr: target.expr }] : [],
      ),
    ),
    ...variables,
  ];
}

interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function ruleExpressions(): AlertingRule[] {
  const rules = parseYaml(readFileSync(path.join(monitoring, 'prometheus-rules.yml'), 'utf8'));
  return (rules.groups as { rules: AlertingRule[] }[]).flatMap((group) => group.rules);
}

/** A port nothing listens on, for this test's metrics endpoint. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('RECORD_SYNC_METRICS_ADDRESS', () => {
  it('defaults to this machine only, takes an IP address and port or off, and names itself when wrong', () => {
    assert.equal(parseConfig(demoSecrets()).metrics.address, '127.0.0.1:9464');
    const address = (value: string) =>
      parseConfig({ ...demoSecrets(), RECORD_SYNC_METRICS_ADDRESS: value }).metrics.address;
    assert.equal(address('0.0.0.0:9100'), '0.0.0.0:9100');
    assert.equal(address('[::]:9464'), '[::]:9464');
    assert.equal(address('off'), null);
    for (const wrong of ['localhost:9464', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '300.1.1.1:9464']) {
      assert.throws(
        () => address(wrong),
        (error: Error) =>
          error instanceof ConfigError &&
          /RECORD_SYNC_METRICS_ADDRESS: must be an IP address/.test(error.message),
        wrong,
      );
    }
  });
});

describe('monitoring/', () => {
  it('has alerting rules each with a severity and a summary, and a dashboard on a chosen Prometheus', () => {
    const rules = ruleExpressions();
    assert.ok(rules.length >= 8);
    for (const rule of rules) {
      assert.match(rule.alert, /^[A-Z][A-Za-z]+$/);
      assert.ok(['critical', 'warning', 'info'].includes(rule.labels?.severity ?? ''), rule.alert);
      assert.ok(rule.annotations?.summary, rule.alert);
    }
    assert.equal(new Set(rules.map((rule) => rule.alert)).size, rules.length, 'an alert name is used twice');
    const dashboard = JSON.parse(readFileSync(path.join(monitoring, 'grafana-dashboard.json'), 'utf8'));
    assert.ok(dashboard.templating.list.some((v: { type: string }) => v.type === 'datasource'));
    for (const panel of dashboard.panels as (DashboardPanel & { datasource?: { uid: string } })[]) {
      if (panel.type !== 'row') assert.equal(panel.datasource?.uid, '${datasource}', panel.title);
    }
  });
});

describe('the metrics a worker serves', () => {
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  let worker: WorkerProcess;
  let endpoint: string;
  let summary: RunSummary;
  before(async () => {
    temporal = await startTemporal();
    sync = await startSyncEnvironment({ temporal, seedCount: 60 });
    endpoint = `127.0.0.1:${await freePort()}`;
    worker = startWorkerProcess({ ...sync.environment, RECORD_SYNC_METRICS_ADDRESS: endpoint });
    await eventually(
      async () => (/record-sync worker polling/.test(worker.output()) ? true : undefined),
      60_000,
    );
  });
  after(async () => {
    await worker?.kill();
    await sync?.teardown();
    await temporal?.teardown();
  });

  const scrape = async () => parseScrape(await (await fetch(`http://${endpoint}/metrics`)).text());

  it("serves record-sync's metrics beside the SDK's after a sync, and every metric the dashboard and the rules use", async () => {
    summary = await sync.runSync();
    const pipeline = sync.config.pipeline.name;
    assert.ok(summary.counts.synced > 0 && summary.counts.validationFailed > 0, 'the seed has bad phones');

    const ofPipeline = (metric: Sample[], name: string) =>
      metric.filter((s) => s.name === name && s.labels.pipeline === pipeline);
    const sum = (samples: Sample[]) => samples.reduce((total, s) => total + s.value, 0);
    const records = (samples: Sample[], status: string) =>
      sum(ofPipeline(samples, exportedName(METRICS.records)).filter((s) => s.labels.status === status));
    // Workflow metrics leave the sandbox after their activation: a moment after the run's result.
    const scraped = await eventually(async () => {
      const now = await scrape();
      return records(now.samples, 'SYNCED') === summary.counts.synced ? now : undefined;
    }, 10_000);
    const { samples } = scraped;

    assert.equal(records(samples, 'VALIDATION_FAILED'), summary.counts.validationFailed);
    for (const status of RECORD_OUTCOMES) {
      assert.ok(
        ofPipeline(samples, exportedName(METRICS.records)).some((s) => s.labels.status === status),
        `no record_sync_records series for ${status}`,
      );
    }
    assert.equal(records(samples, 'DEAD_LETTER'), 0);
    assert.equal(
      sum(
        ofPipeline(samples, `${METRICS.runDuration.name}_count`).filter(
          (s) => s.labels.outcome === 'completed',
        ),
      ),
      1,
    );
    assert.equal(
      sum(ofPipeline(samples, `${METRICS.readToWriteLatency.name}_count`)),
      summary.counts.synced,
      'one latency per record synced',
    );
    // The sandbox's accounts changed long ago: the lag is their age when the checkpoint moved.
    const lag = ofPipeline(samples, METRICS.checkpointLag.name);
    assert.equal(lag.length, 1);
    const age = (Date.now() - Date.parse(instantOf(summary.checkpoint!))) / 1000;
    assert.ok(lag[0].value <= age && lag[0].value > age - 60, `checkpoint lag ${lag[0].value}, age ${age}`);
    assert.deepEqual(
      ofPipeline(samples, METRICS.problemRecordsOpen.name)
        .map((s) => s.labels.status)
        .sort(),
      [...PROBLEM_STATUSES].sort(),
    );

    const families = familiesOf(scraped);
    const histograms = new Set([...scraped.types].filter(([, type]) => type === 'histogram').map(([n]) => n));
    const used = [
      ...dashboardExpressions().map(({ panel, expr }) => ({ where: `dashboard panel "${panel}"`, expr })),
      ...ruleExpressions().map(({ alert, expr }) => ({ where: `rule ${alert}`, expr })),
    ];
    // `up` is Prometheus' own, one per scrape target: no exporter serves it.
    const missing = used.flatMap(({ where, expr }) =>
      [...metricNamesIn(expr, histograms)]
        .filter((name) => name !== 'up' && !families.has(name))
        .map((name) => `${name} (${where})`),
    );
    assert.deepEqual(missing, [], 'metrics the dashboard or the rules use that the worker does not serve');

    const onDashboard = new Set(
      dashboardExpressions().flatMap(({ expr }) => [...metricNamesIn(expr, histograms)]),
    );
    for (const metric of Object.values(METRICS)) {
      assert.ok(families.has(exportedName(metric)), `the worker does not serve ${exportedName(metric)}`);
      assert.ok(onDashboard.has(exportedName(metric)), `no dashboard panel shows ${exportedName(metric)}`);
    }
  });

  it('counts the open problem records every 30 s', async () => {
    const held = (await sync.problemsSettled(summary.counts.validationFailed)).length;
    assert.ok(held > 0);
    // The worker counted at its start (none then); its next count sees them.
    await eventually(async () => {
      const open = (await scrape()).samples.find(
        (s) =>
          s.name === METRICS.problemRecordsOpen.name &&
          s.labels.pipeline === sync.config.pipeline.name &&
          s.labels.status === 'VALIDATION_FAILED',
      );
      return open?.value === held ? true : undefined;
    }, 45_000);
  });
});
