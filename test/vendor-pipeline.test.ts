import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTemporal } from './harness';
import { SAMPLE_FILES, startVendorEnvironment, type VendorEnvironment } from './vendor-harness';

/** What the three sample files hold (samples/vendor-performance/README.md). */
const SAMPLE = {
  rows: 60,
  /** Rows that fail normalisation or validation: never loaded. */
  invalid: 13,
  /** Rows loaded but outside the 1 bp tolerance: held for a person, FAILED in reconciliation. */
  outsideTolerance: 3,
};
const LOADED = SAMPLE.rows - SAMPLE.invalid;

const count = async (sync: VendorEnvironment, sql: string, params: unknown[] = []) =>
  Number((await sync.db.query<{ n: string }>(sql, params))[0].n);

describe('the vendor-file pipeline (seed 004) on the dev server and PostgreSQL', () => {
  let temporal: TestWorkflowEnvironment;
  before(async () => {
    temporal = await startTemporal();
  });
  after(async () => {
    await temporal?.teardown();
  });

  describe('the three sample files (CSV, Excel, JSON)', () => {
    let sync: VendorEnvironment;
    let stopWorkers: () => Promise<void>;
    before(async () => {
      sync = await startVendorEnvironment(temporal);
      sync.drop(...SAMPLE_FILES);
      stopWorkers = await sync.startWorkers();
      assert.equal(await sync.operations.create(), 'started');
    });
    after(async () => {
      await stopWorkers?.();
      await sync?.teardown();
    });

    it('loads every valid row of each format with one audit row each, and archives the files', async () => {
      const summary = await sync.runSync();
      assert.equal(summary.counts.read, SAMPLE.rows);
      assert.equal(summary.counts.synced, LOADED - SAMPLE.outsideTolerance);
      assert.equal(summary.counts.validationFailed, SAMPLE.invalid + SAMPLE.outsideTolerance);
      assert.equal(await count(sync, 'SELECT count(*) AS n FROM performance_records'), LOADED);
      assert.equal(await count(sync, "SELECT count(*) AS n FROM audit_log WHERE action = 'insert'"), LOADED);
      assert.equal(await count(sync, 'SELECT count(*) AS n FROM audit_log'), LOADED);
      for (const vendor of ['vendor-a', 'vendor-b', 'vendor-c']) {
        assert.ok(
          (await count(sync, 'SELECT count(*) AS n FROM performance_records WHERE vendor = $1', [vendor])) >=
            14,
          `${vendor} loaded`,
        );
      }
      assert.deepEqual(readdirSync(path.join(sync.folder, 'inbox')), []);
      const archived = readdirSync(path.join(sync.folder, 'archive'), { recursive: true }).map(String);
      for (const name of SAMPLE_FILES)
        assert.ok(
          archived.some((entry) => entry.endsWith(name)),
          name,
        );
    });

    it('holds each bad row for a person, named by its column, and each tolerance failure with both figures', async () => {
      const problems = await sync.problemsSettled(SAMPLE.invalid + SAMPLE.outsideTolerance);
      assert.ok(problems.every((p) => p.status === 'VALIDATION_FAILED'));
      const fields = problems.map((p) => p.field).sort();
      for (const column of [
        'Period Start',
        'End MV 2',
        'Account Number',
        'Begin MV 1',
        'To',
        'Cash Flow 2',
        'Ccy',
      ]) {
        assert.ok(fields.includes(column), `a problem names ${column}`);
      }
      const tolerance = problems.filter((p) =>
        ['Reported TWR %', 'TWR', 'reported.twrPercent'].includes(p.field ?? ''),
      );
      const outside = [];
      for (const problem of tolerance) {
        const view = await sync.operations.problems.show(sync.operations.pipeline, problem.recordId);
        if (/time-weighted return/.test(view?.failure.error ?? '')) outside.push(view!.failure.error);
      }
      assert.equal(outside.length, SAMPLE.outsideTolerance);
      for (const error of outside)
        assert.match(error, /reports -?\d+\.\d{4} % but .* is -?\d+\.\d{4} %: \d+\.\d{2} bp apart/);
    });

    it('reconciles each file: PASSED within the tolerance, FAILED outside, shown by status', async () => {
      assert.equal(
        await count(sync, "SELECT count(*) AS n FROM reconciliation_results WHERE status = 'FAILED'"),
        SAMPLE.outsideTolerance,
      );
      assert.equal(
        await count(sync, "SELECT count(*) AS n FROM reconciliation_results WHERE status = 'PASSED'"),
        LOADED - SAMPLE.outsideTolerance,
      );
      const status = await sync.operations.status();
      assert.equal(status.deliveries?.length, 3);
      for (const delivery of status.deliveries ?? []) {
        assert.equal(delivery.status, 'LOADED');
        assert.equal(delivery.counts.rows, 20);
      }
      const failed = (status.deliveries ?? []).reduce((sum, d) => sum + d.counts['reconciliation failed'], 0);
      assert.equal(failed, SAMPLE.outsideTolerance);
      assert.equal(status.problems.VALIDATION_FAILED, SAMPLE.invalid + SAMPLE.outsideTolerance);
    });

    it('never processes a file dropped twice: it is quarantined as a duplicate, nothing written', async () => {
      const audit = await count(sync, 'SELECT count(*) AS n FROM audit_log');
      sync.drop(SAMPLE_FILES[0]);
      const summary = await sync.runSync();
      assert.equal(summary.counts.read, 0);
      assert.equal(await count(sync, 'SELECT count(*) AS n FROM audit_log'), audit);
      const reason = readFileSync(
        path.join(sync.folder, 'quarantine', `${SAMPLE_FILES[0]}.reason.txt`),
        'utf8',
      );
      assert.match(reason, /already processed/);
      const [latest] = (await sync.operations.status()).deliveries ?? [];
      assert.equal(latest.status, 'QUARANTINED');
    });

    it('quarantines a file that fails file-level validation, with a reason file and a problem record', async () => {
      const open = (await sync.openProblems()).length;
      writeFileSync(
        path.join(sync.folder, 'inbox', 'vendor-a-2026-11.csv'),
        'Account,Start,End\nA-1,2026-11-01,2026-11-30\n',
      );
      await sync.runSync();
      const reason = readFileSync(
        path.join(sync.folder, 'quarantine', 'vendor-a-2026-11.csv.reason.txt'),
        'utf8',
      );
      assert.match(reason, /missing columns: Account Number, Period Start/);
      assert.ok(!existsSync(path.join(sync.folder, 'inbox', 'vendor-a-2026-11.csv')));
      const problems = await sync.problemsSettled(open + 1);
      const held = problems.find((p) => p.recordId === 'file:vendor-a-2026-11.csv');
      assert.equal(held?.field, 'file');
    });
  });
});
