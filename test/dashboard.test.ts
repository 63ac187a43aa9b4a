import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { configuredSecrets, parseConfig } from '../src/config';
import { startDashboard, type Dashboard } from '../src/dashboard/server';
import { pipelineFigures } from '../src/dashboard/figures';
import { noRecords, type RunSummary } from '../src/domain/sync';
import type { reconcilePipeline } from '../src/workflows/reconciliation';
import type { SandboxAccount } from '../sandbox/salesforce';
import { startSyncEnvironment, type SyncEnvironment } from './harness';

/** The README's screenshot: `RECORD_SYNC_SCREENSHOT=docs/dashboard.png node --import tsx --test test/dashboard.test.ts`. */
const SCREENSHOT = process.env.RECORD_SYNC_SCREENSHOT && path.resolve(process.env.RECORD_SYNC_SCREENSHOT);
const BROWSER_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TOKEN = 'dashboard-test-token-0123456789';

/** The seed's rule for phones NetSuite rejects: fewer than seven digits. */
const rejectedPhone = (account: SandboxAccount) =>
  account.Phone !== null && account.Phone.replace(/\D/g, '').length < 7;

/** A raw request, so that the Host header and encoded paths go out exactly as given. */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const rowSelector = (recordId: string) => `tr[data-record-id="${recordId}"]`;

describe('the dashboard (dev server + sandboxes + headless Chromium)', () => {
  let sync: SyncEnvironment;
  let stopWorkers: () => Promise<void>;
  let dashboard: Dashboard;
  let browser: Browser | undefined;
  let page: Page;
  let reportsDir: string;
  /** The browser's own fresh profile. */
  let profile: string | undefined;
  const pageErrors: string[] = [];
  /** The record ids of the problem records table, in its order. */
  const shownRecords = () =>
    page.$$eval('tr[data-record-id]', (rows) => rows.map((row) => row.getAttribute('data-record-id')));

  before(async () => {
    // Named as `npm start` names it: the test's screenshot is the README's.
    reportsDir = mkdtempSync(path.join(tmpdir(), 'record-sync-reports-'));
    sync = await startSyncEnvironment({
      seedCount: 60,
      overrides: { SYNC_PIPELINE: 'accounts', RECONCILIATION_REPORTS_DIR: reportsDir },
    });
    stopWorkers = await sync.startWorkers();
    const accounts = sync.salesforce.accounts();
    const valid = accounts.filter((account) => !rejectedPhone(account));
    // Three runs of different sizes for the chart; three problem records (one seeded, two made).
    sync.salesforce.updateAccount(valid[0].Id, { Phone: '12' });
    await sync.runSync();
    sync.salesforce.touchAccounts(
      valid.slice(10, 25).map((a) => a.Id),
      { Website: 'https://moved.example.com' },
    );
    await sync.runSync();
    // A customer a person changed in NetSuite, then its account in Salesforce: a version conflict.
    // (A name in Latin script: the screenshot's machine may have no CJK fonts.)
    const conflicting = valid.slice(10, 25).find((a) => /^[\x20-\x7e]+$/.test(a.Name ?? ''))!;
    sync.netsuite.editAsUser(conflicting.Id, { phone: '+1 212 555 0000' });
    sync.salesforce.updateAccount(conflicting.Id, { Name: 'Conflicting Name Ltd' });
    sync.salesforce.touchAccounts(
      valid.slice(25, 50).map((a) => a.Id),
      { Website: 'https://renamed.example.com' },
    );
    sync.salesforce.updateAccount(valid[30].Id, { Phone: 'n/a' });
    await sync.runSync();
    await sync.problemsSettled(4);

    // A real reconciliation, report only, after a change the sync has not seen yet: one drift.
    sync.salesforce.updateAccount(valid[55].Id, { Name: 'Drifted Since Ltd' });
    await sync.client.workflow.execute<typeof reconcilePipeline>('reconcilePipeline', {
      workflowId: 'reconcile-1',
      taskQueue: sync.config.pipeline.taskQueue,
      args: [{ pipeline: sync.config.pipeline.name, repair: false }],
    });

    dashboard = await startDashboard({
      client: sync.client,
      config: sync.config,
      host: '127.0.0.1',
      port: 0,
      reportsDir,
      // Two pages of problem records, to page through.
      problemsPerPage: 3,
    });
    browser = await puppeteer.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: BROWSER_ARGS,
      userDataDir: (profile = mkdtempSync(path.join(tmpdir(), 'record-sync-chromium-'))),
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await dashboard?.close();
      await stopWorkers?.();
      await sync?.teardown();
      for (const dir of [reportsDir, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows each figure as the pipeline's status has it, the chart, top errors and links to the Temporal UI", async () => {
    const name = sync.config.pipeline.name;
    const status = await sync.operations.status();
    const problems = await sync.openProblems();
    const card = `section.pipeline[data-pipeline="${name}"]`;
    await page.goto(dashboard.url);
    await page.waitForSelector(`${card} ${rowSelector(problems[0].recordId)}`, { timeout: 15_000 });

    const figure = (key: string) =>
      page.$eval(`${card} [data-figure="${key}"]`, (element) => element.getAttribute('data-value'));
    assert.equal(Number(await figure('last-run-synced')), status.lastRun!.counts.synced);
    const open = Object.values(status.problems).reduce((sum, n) => sum + n, 0);
    assert.deepEqual([status.problems.VALIDATION_FAILED, status.problems.VERSION_CONFLICT], [3, 1]);
    assert.equal(Number(await figure('open-problems')), open);
    const runs = status.recentRuns!;
    const total = (key: keyof (typeof runs)[number]['counts']) =>
      runs.reduce((sum, run) => sum + run.counts[key], 0);
    const synced = total('synced');
    assert.equal(
      Number(await figure('success-rate')),
      (synced + total('skipped')) / (total('read') - total('alreadyProcessed')),
    );
    assert.equal(
      Number(await page.$eval(`${card} .legend [data-status="synced"] strong`, (e) => e.dataset.value)),
      synced,
    );

    assert.equal(await page.$$eval(`${card} svg.runs-chart g[data-run]`, (bars) => bars.length), runs.length);
    assert.ok((await page.$$(`${card} svg.runs-chart rect.bar`)).length >= runs.length);
    const topError = await page.$eval(`${card} table.top-errors tbody tr`, (row) => ({
      count: row.querySelector('td')?.dataset.value,
      text: row.textContent ?? '',
    }));
    assert.equal(topError.count, '3');
    assert.match(topError.text, /seven digits/);
    assert.equal((await page.$$(`${card} table.top-errors tbody tr`)).length, 2);

    const { uiPort, namespace } = sync.config.temporal;
    const linksTo = async (problem: (typeof problems)[number]) =>
      assert.equal(
        await page.$eval(`${card} ${rowSelector(problem.recordId)} th a`, (a) => a.href),
        `http://localhost:${uiPort}/namespaces/${namespace}/workflows/${problem.workflowId}`,
      );
    assert.deepEqual(
      await shownRecords(),
      problems.slice(0, 3).map((p) => p.recordId),
    );
    for (const problem of problems.slice(0, 3)) await linksTo(problem);
    const reportHref = await page.$eval(`${card} a[href^="/reports/"]`, (a) => a.getAttribute('href'));
    assert.equal(reportHref, `/reports/${name}/reconcile-1/report.html`);
    if (SCREENSHOT) {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT as `${string}.png` });
    }

    await page.click(`${card} button[data-page="next"]`);
    await page.waitForSelector(`${card} ${rowSelector(problems[3].recordId)}`);
    assert.deepEqual(await shownRecords(), [problems[3].recordId]);
    await linksTo(problems[3]);
    await page.click(`${card} button[data-page="previous"]`);
    await page.waitForSelector(`${card} ${rowSelector(problems[0].recordId)}`);
    assert.deepEqual(pageErrors, []);
  });

  it('discards a problem record with the reason given, replays one fixed at the source, decides a conflict', async () => {
    const pipeline = sync.config.pipeline.name;
    const open = await sync.openProblems();
    const failed = open.filter((p) => p.status === 'VALIDATION_FAILED');
    const shown = new Set(await shownRecords());
    // One of the first page's; once it is gone, the other three fit on the page.
    const discarded = failed.find((p) => shown.has(p.recordId))!;
    const replayed = failed.find((p) => p !== discarded)!;
    const conflict = open.find((p) => p.status === 'VERSION_CONFLICT')!;
    await page.click(`${rowSelector(discarded.recordId)} button[data-action="discard"]`);
    await page.waitForSelector('#discard-dialog[open]');
    await page.type('#discard-reason', 'Closed account: never to be synced');
    await page.click('#discard-dialog button[value="discard"]');
    await page.waitForSelector(rowSelector(discarded.recordId), { hidden: true, timeout: 15_000 });
    const view = await sync.operations.problems.show(pipeline, discarded.recordId);
    assert.equal(view?.status, 'DISCARDED');
    assert.equal(view?.resolution?.reason, 'Closed account: never to be synced');
    assert.equal(view?.resolution?.by, 'record-sync dashboard');

    sync.salesforce.updateAccount(replayed.recordId, { Phone: '+1 415 555 0100' });
    await page.waitForSelector(rowSelector(replayed.recordId));
    await page.click(`${rowSelector(replayed.recordId)} button[data-action="replay"]`);
    // A string: the test's types have no DOM, the page has.
    const answered = JSON.stringify(`Replay of ${replayed.recordId}: SYNCED`);
    await page.waitForFunction(`document.getElementById('announcer').textContent.includes(${answered})`, {
      timeout: 15_000,
    });
    await page.waitForSelector(rowSelector(replayed.recordId), { hidden: true, timeout: 15_000 });
    assert.equal((await sync.operations.problems.show(pipeline, replayed.recordId))?.status, 'SYNCED');
    assert.equal(sync.netsuite.customerByExternalId(replayed.recordId)?.phone, '+1 415 555 0100');

    await page.waitForSelector(rowSelector(conflict.recordId));
    await page.click(`${rowSelector(conflict.recordId)} button[data-action="use-source"]`);
    await page.waitForSelector(rowSelector(conflict.recordId), { hidden: true, timeout: 15_000 });
    assert.equal((await sync.operations.problems.show(pipeline, conflict.recordId))?.status, 'SYNCED');
    assert.equal(sync.netsuite.customerByExternalId(conflict.recordId)?.companyName, 'Conflicting Name Ltd');

    // These tests run syncs themselves: with no schedule to trigger, the page says how to make one.
    await page.click(`section.pipeline[data-pipeline="${pipeline}"] > header button`);
    await page.waitForFunction(
      `document.getElementById('announcer').textContent.includes('npx record-sync schedule create')`,
    );
    assert.deepEqual(
      pageErrors.filter((error) => !/409/.test(error)),
      [],
    );
  });

  it('refuses cross-site actions, other host names and paths outside the reports directory; sends no secret', async () => {
    const name = sync.config.pipeline.name;
    const [problem] = await sync.openProblems();
    assert.equal(problem.status, 'VALIDATION_FAILED');
    const action = `/api/pipelines/${name}/problems/${problem.recordId}/discard`;
    const json = { 'Content-Type': 'application/json' };
    const body = JSON.stringify({ reason: 'forged' });
    for (const headers of [
      { ...json, 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      { ...json, Origin: 'https://evil.example' },
      { 'Content-Type': 'text/plain' },
    ]) {
      const answer = await rawRequest(dashboard.url, { method: 'POST', path: action, headers, body });
      assert.ok([403, 415].includes(answer.status), `${JSON.stringify(headers)} answered ${answer.status}`);
    }
    assert.equal((await sync.operations.problems.show(name, problem.recordId))?.status, 'VALIDATION_FAILED');
    const rebound = await rawRequest(dashboard.url, {
      path: '/api/pipelines',
      headers: { Host: 'evil.example' },
    });
    assert.equal(rebound.status, 403);

    const report = await rawRequest(dashboard.url, { path: `/reports/${name}/reconcile-1/report.html` });
    assert.equal(report.status, 200);
    assert.match(String(report.headers['content-security-policy']), /sandbox/);
    for (const outside of [
      '/reports/../package.json',
      '/reports/%2e%2e/package.json',
      '/reports/..%2Fpackage.json',
    ]) {
      assert.equal((await rawRequest(dashboard.url, { path: outside })).status, 404, outside);
    }

    const answers = await Promise.all(
      ['/api/pipelines', `/api/pipelines/${name}`].map((url) => rawRequest(dashboard.url, { path: url })),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      for (const secret of configuredSecrets(sync.config)) assert.ok(!answer.body.includes(secret));
    }
  });

  it('with DASHBOARD_TOKEN, asks for it and reads nothing until it is given', async () => {
    const guarded = await startDashboard({
      client: sync.client,
      config: sync.config,
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      reportsDir,
    });
    try {
      assert.equal((await rawRequest(guarded.url, { path: '/api/pipelines' })).status, 401);
      const bearer = { Authorization: `Bearer ${TOKEN}` };
      assert.equal((await rawRequest(guarded.url, { path: '/api/pipelines', headers: bearer })).status, 200);

      pageErrors.length = 0;
      await page.goto(guarded.url);
      await page.waitForSelector('#login:not([hidden])');
      await page.type('#token', TOKEN);
      await page.click('#login button');
      await page.waitForSelector(`section.pipeline[data-pipeline="${sync.config.pipeline.name}"]`);
      assert.deepEqual(
        pageErrors.filter((error) => !/401/.test(error)),
        [],
      );
    } finally {
      await guarded.close();
    }
  });
});

describe("the dashboard's figures and settings", () => {
  const run = (counts: Partial<RunSummary['counts']>, ms: number | null): RunSummary => ({
    runId: `run-${Math.random()}`,
    startedAt: new Date(0).toISOString(),
    finishedAt: ms === null ? null : new Date(ms).toISOString(),
    pages: 1,
    checkpoint: null,
    counts: { ...noRecords(), ...counts },
  });

  it("counts skipped records as done, leaves earlier runs' records out, and idle runs out of the speed", () => {
    const figures = pipelineFigures([
      run({ read: 12, synced: 6, skipped: 2, alreadyProcessed: 2, validationFailed: 2 }, 60_000),
      run({ read: 0 }, 60_000),
      run({ read: 5, synced: 5 }, null),
    ]);
    assert.equal(figures.runs, 2);
    assert.equal(figures.successRate, 0.8);
    assert.equal(figures.recordsPerMinute, 12);
    assert.equal(pipelineFigures([]).successRate, null);
  });

  it('reads DASHBOARD_ADDRESS as host and port, and names a wrong one', () => {
    const environment = { RECORD_SYNC_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
    assert.deepEqual(parseConfig(environment).dashboard, { host: '127.0.0.1', port: 8088, token: undefined });
    assert.deepEqual(parseConfig({ ...environment, DASHBOARD_ADDRESS: '[::1]:9000' }).dashboard.host, '::1');
    assert.throws(
      () => parseConfig({ ...environment, DASHBOARD_ADDRESS: 'localhost' }),
      /DASHBOARD_ADDRESS: must be host:port/,
    );
    assert.throws(
      () => parseConfig({ ...environment, DASHBOARD_TOKEN: 'short' }),
      /DASHBOARD_TOKEN: must be/,
    );
  });
});
