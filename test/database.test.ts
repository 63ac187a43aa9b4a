import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { connectPostgres, openEmbedded, type Database } from '../src/connectors/database';
import { freshDatabase } from './postgres';
import { PermanentError } from '../src/connectors/errors';
import { migrate } from '../src/connectors/migrations';
import type { PerformanceRecord } from '../src/pipelines/vendor-performance/record';
import {
  createPerformanceStore,
  performanceContentHash,
  type Lineage,
  type PerformanceStore,
} from '../src/pipelines/vendor-performance/store';

const MIGRATIONS = path.resolve(__dirname, '..', 'migrations');
const MIGRATION_NAMES = ['001_vendor_performance.sql', '002_reconciliation.sql'];

/** A database for one suite, and how to throw it away. */
interface Backend {
  name: string;
  open(): Promise<{ db: Database; drop(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'PostgreSQL',
    open: freshDatabase,
  },
  {
    name: 'PGlite',
    async open() {
      const db = await openEmbedded('memory');
      return { db, drop: () => db.close() };
    },
  },
];

const record = (fields: Partial<PerformanceRecord> = {}): PerformanceRecord => ({
  vendor: 'vendor-a',
  accountId: 'ACC-1',
  periodStart: '2026-09-30',
  periodEnd: '2026-10-31',
  currency: 'USD',
  subPeriods: [
    { begin: '1000.00', end: '1250.00', flow: '0' },
    { begin: '1250.00', end: '1262.50', flow: '-250.00' },
  ],
  reportedReturn: '0.0100',
  ...fields,
});

const version = (row: number) =>
  `2026-10-31T09:00:00.000Z|inbox/vendor-a.csv|${String(row).padStart(9, '0')}`;

const lineage = (row: number, fields: Partial<Lineage> = {}): Lineage => ({
  pipeline: 'vendor-performance',
  runId: 'run-1',
  fileKey: 'inbox/vendor-a.csv',
  fileChecksum: 'checksum-a',
  row,
  sourceVersion: version(row),
  ...fields,
});

interface AuditRow {
  action: string;
  row_number: number;
  file_checksum: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

for (const backend of backends) {
  describe(`vendor performance store on ${backend.name}`, () => {
    let db: Database;
    let drop: (() => Promise<void>) | undefined;
    let store: PerformanceStore;
    let firstMigrations: string[][];

    before(async () => {
      // No skipping: `.ci/run` makes sure the machine's PostgreSQL is up.
      ({ db, drop } = await backend.open());
      firstMigrations = await Promise.all([migrate(db, MIGRATIONS), migrate(db, MIGRATIONS)]);
      store = createPerformanceStore(db);
    });
    after(() => drop?.());

    /** A test that needs the database, skipped (with the reason) when the server is not running. */
    const test = (name: string, body: (t: TestContext) => Promise<void>) => it(name, (t) => body(t));

    const auditRows = (accountId: string) =>
      db.query<AuditRow>(
        `SELECT action, row_number, file_checksum, before, after FROM audit_log
         WHERE vendor = 'vendor-a' AND account_id = $1 ORDER BY id`,
        [accountId],
      );

    test('applies each migration once, even to two workers starting together', async () => {
      const names = firstMigrations.flat();
      assert.deepEqual(names, MIGRATION_NAMES);
      assert.deepEqual(await migrate(db, MIGRATIONS), []);
      const recorded = await db.query<{ name: string }>('SELECT name FROM schema_migrations');
      assert.deepEqual(
        recorded.map((row) => row.name),
        MIGRATION_NAMES,
      );
    });

    test('applies migrations in file-name order, each with its record in its own transaction', async () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'record-sync-migrations-'));
      try {
        writeFileSync(path.join(folder, '102_b.sql'), 'ALTER TABLE test_a ADD COLUMN b int;');
        writeFileSync(
          path.join(folder, '101_a.sql'),
          'CREATE TABLE test_a (a int); INSERT INTO test_a VALUES (1);',
        );
        writeFileSync(
          path.join(folder, '103_c.sql'),
          'CREATE TABLE test_c (c int); SELECT no_such_function();',
        );
        writeFileSync(path.join(folder, 'README.md'), 'not a migration');
        await assert.rejects(migrate(db, folder), /no_such_function/);
        const recorded = await db.query<{ name: string }>(
          "SELECT name FROM schema_migrations WHERE name LIKE '10%' ORDER BY name",
        );
        assert.deepEqual(
          recorded.map((row) => row.name),
          ['101_a.sql', '102_b.sql'],
        );
        assert.deepEqual(await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'test_c'"), []);
        assert.deepEqual(await db.query('SELECT a, b FROM test_a'), [{ a: 1, b: null }]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    test('inserts a new record with one audit row and its lineage', async () => {
      const result = await store.upsertPerformance(record(), '0.0100', lineage(1));
      assert.deepEqual(result, { status: 'SYNCED', action: 'insert' });

      const [stored] = await db.query<Record<string, unknown>>(
        `SELECT period_start, currency, begin_value, end_value, net_flows, reported_return, computed_return,
                source_version, pipeline, run_id, file_key, file_checksum, row_number
         FROM performance_records WHERE vendor = 'vendor-a' AND account_id = 'ACC-1'`,
      );
      assert.deepEqual(stored, {
        period_start: '2026-09-30',
        currency: 'USD',
        begin_value: '1000.00',
        end_value: '1262.50',
        net_flows: '-250.00',
        reported_return: '0.0100',
        computed_return: '0.0100',
        source_version: version(1),
        pipeline: 'vendor-performance',
        run_id: 'run-1',
        file_key: 'inbox/vendor-a.csv',
        file_checksum: 'checksum-a',
        row_number: 1,
      });
      const audit = await auditRows('ACC-1');
      assert.equal(audit.length, 1);
      assert.equal(audit[0].action, 'insert');
      assert.equal(audit[0].before, null);
      assert.equal(audit[0].after.reportedReturn, '0.0100');
      assert.equal(audit[0].after.sourceVersion, version(1));
    });

    test('skips the same content, retried or newer, without an audit row', async () => {
      const retried = await store.upsertPerformance(record(), '0.0100', lineage(1));
      assert.equal(retried.status, 'SKIPPED');
      assert.match(JSON.stringify(retried), /already holds this content/);

      const sameFiguresLater = await store.upsertPerformance(record(), '0.0100', lineage(2));
      assert.equal(sameFiguresLater.status, 'SKIPPED');
      assert.equal((await auditRows('ACC-1')).length, 1);
      // The version still moves on: an older version with other figures must not replace it.
      const states = await store.storedStates([record()]);
      assert.equal(states.get('vendor-a/ACC-1/2026-09-30/2026-10-31')?.sourceVersion, version(2));
    });

    test('updates to a newer version with its before and after in the audit row', async () => {
      const newer = record({ reportedReturn: '0.0125' });
      const result = await store.upsertPerformance(newer, '0.0100', lineage(3, { runId: 'run-2' }));
      assert.deepEqual(result, { status: 'SYNCED', action: 'update' });

      const audit = await auditRows('ACC-1');
      assert.equal(audit.length, 2);
      assert.equal(audit[1].action, 'update');
      assert.equal(audit[1].row_number, 3);
      assert.equal(audit[1].before?.reportedReturn, '0.0100');
      assert.equal(audit[1].before?.sourceVersion, version(2));
      assert.equal(audit[1].after.reportedReturn, '0.0125');
      assert.equal(audit[1].after.sourceVersion, version(3));
      const states = await store.storedStates([newer]);
      assert.deepEqual(states.get('vendor-a/ACC-1/2026-09-30/2026-10-31'), {
        sourceVersion: version(3),
        contentHash: performanceContentHash(newer, '0.0100'),
      });
    });

    test('skips an older version', async () => {
      const result = await store.upsertPerformance(
        record({ reportedReturn: '0.0200' }),
        '0.0100',
        lineage(2),
      );
      assert.deepEqual(result, { status: 'SKIPPED', reason: `a newer version is stored: ${version(3)}` });
      assert.equal((await auditRows('ACC-1')).length, 2);
    });

    test('keeps the highest of 20 concurrent versions, with one audit row per applied change', async () => {
      const rows = Array.from({ length: 20 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
      const results = await Promise.all(
        rows.map((row) =>
          store.upsertPerformance(
            record({ accountId: 'ACC-RACE', reportedReturn: `0.01${String(row).padStart(2, '0')}` }),
            '0.0100',
            lineage(row),
          ),
        ),
      );
      const applied = results.filter((result) => result.status === 'SYNCED');
      assert.equal(applied.filter((result) => result.action === 'insert').length, 1);

      const audit = await auditRows('ACC-RACE');
      assert.equal(audit.length, applied.length);
      assert.equal(audit[0].action, 'insert');
      // Every change moved the record forward, so the audit trail reads in version order.
      const versions = audit.map((row) => String(row.after.sourceVersion));
      assert.deepEqual(versions, [...versions].sort());
      const [stored] = await db.query<{ source_version: string; reported_return: string }>(
        "SELECT source_version, reported_return FROM performance_records WHERE account_id = 'ACC-RACE'",
      );
      assert.deepEqual(stored, { source_version: version(20), reported_return: '0.0120' });

      // The same write run ten times at once (a retried activity) changes the record once.
      const twice = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.upsertPerformance(record({ accountId: 'ACC-TWICE' }), '0.0100', lineage(1)),
        ),
      );
      assert.equal(twice.filter((result) => result.status === 'SYNCED').length, 1);
      assert.equal((await auditRows('ACC-TWICE')).length, 1);
    });

    test('rejects an invalid record as permanent, writing nothing', async () => {
      const invalid = record({ accountId: 'ACC-BAD', periodEnd: '2026-09-01' });
      await assert.rejects(store.upsertPerformance(invalid, '0.0100', lineage(1)), PermanentError);
      assert.equal((await store.storedStates([invalid])).size, 0);
      assert.equal((await auditRows('ACC-BAD')).length, 0);
    });

    test('reads the stored states of a page of keys in one call', async () => {
      const states = await store.storedStates([
        record(),
        record({ accountId: 'ACC-RACE' }),
        record({ accountId: 'ACC-NEVER' }),
        record({ periodStart: '2026-08-31', periodEnd: '2026-09-30' }),
      ]);
      assert.deepEqual([...states.keys()].sort(), [
        'vendor-a/ACC-1/2026-09-30/2026-10-31',
        'vendor-a/ACC-RACE/2026-09-30/2026-10-31',
      ]);
      assert.equal((await store.storedStates([])).size, 0);
    });

    test('reconciles a file at the tolerance boundary, the same way when run again', async () => {
      const file = { fileChecksum: 'checksum-recon', fileKey: 'inbox/vendor-a-recon.csv' };
      // Computed 1.00 %: the vendor differs by exactly 5 bps, by a hair more, and by 5 bps below.
      const cases = [
        ['ACC-R1', '0.0105', 'PASSED'],
        ['ACC-R2', '0.01050001', 'FAILED'],
        ['ACC-R3', '0.0095', 'PASSED'],
        ['ACC-R4', '0.0094', 'FAILED'],
      ] as const;
      for (const [i, [accountId, reportedReturn]] of cases.entries()) {
        await store.upsertPerformance(record({ accountId, reportedReturn }), '0.0100', lineage(i + 1, file));
      }

      const first = await store.reconcileFile({ ...file, toleranceBps: 5 });
      assert.deepEqual(first, { passed: 2, failed: 2 });
      const read = () =>
        db.query<Record<string, unknown>>(
          `SELECT account_id, status, difference_bps::float8 AS difference_bps, tolerance_bps, checked_at
           FROM reconciliation_results WHERE file_checksum = $1 ORDER BY account_id`,
          [file.fileChecksum],
        );
      const rows = await read();
      assert.deepEqual(
        rows.map((row) => [row.account_id, row.status]),
        cases.map(([accountId, , status]) => [accountId, status]),
      );
      assert.deepEqual(
        rows.map((row) => row.difference_bps),
        [5, 5.0001, -5, -6],
      );

      assert.deepEqual(await store.reconcileFile({ ...file, toleranceBps: 5 }), first);
      assert.deepEqual(await read(), rows);
      assert.deepEqual(await store.reconcileFile({ ...file, toleranceBps: 6 }), { passed: 4, failed: 0 });
      assert.deepEqual(
        await store.reconcileFile({ fileChecksum: 'unknown', fileKey: 'x', toleranceBps: 5 }),
        {
          passed: 0,
          failed: 0,
        },
      );
    });

    test('records file loads; a loaded file stays loaded', async () => {
      const file = { fileChecksum: 'checksum-load', fileKey: 'inbox/vendor-b.xlsx', vendor: 'vendor-b' };
      const begun = await store.beginFileLoad({ ...file, pipeline: 'vendor-performance' });
      assert.equal(begun.status, 'LOADING');
      assert.equal(begun.finishedAt, null);
      assert.deepEqual(await store.beginFileLoad(file), begun);

      const loaded = await store.finishFileLoad({
        fileChecksum: file.fileChecksum,
        status: 'LOADED',
        rowsRead: 12,
      });
      assert.equal(loaded.status, 'LOADED');
      assert.equal(loaded.rowsRead, 12);
      assert.ok(loaded.finishedAt);
      const again = await store.finishFileLoad({
        fileChecksum: file.fileChecksum,
        status: 'QUARANTINED',
        rowsRead: 0,
        reason: 'late retry',
      });
      assert.deepEqual(again, loaded);
      assert.deepEqual(await store.fileLoad(file.fileChecksum), loaded);
      assert.equal(await store.fileLoad('checksum-unknown'), null);
      await assert.rejects(
        store.finishFileLoad({ fileChecksum: 'checksum-unknown', status: 'LOADED', rowsRead: 1 }),
        /never begun/,
      );
    });

    test('summarises a pipeline within the limit, whatever the number of files and failures', async () => {
      const pipeline = 'summary-pipeline';
      for (let i = 1; i <= 5; i++) {
        const file = { fileChecksum: `checksum-summary-${i}`, fileKey: `inbox/summary-${i}.csv` };
        await store.beginFileLoad({ ...file, vendor: i % 2 ? 'vendor-s' : 'vendor-t', pipeline });
        await store.upsertPerformance(
          record({
            vendor: i % 2 ? 'vendor-s' : 'vendor-t',
            accountId: `ACC-S${i}`,
            reportedReturn: '0.0200',
          }),
          '0.0100',
          lineage(i, { ...file, pipeline }),
        );
        await store.reconcileFile({ ...file, toleranceBps: 1 });
        await store.finishFileLoad({ fileChecksum: file.fileChecksum, status: 'LOADED', rowsRead: 1 });
      }
      await store.beginFileLoad({
        fileChecksum: 'checksum-summary-bad',
        fileKey: 'bad.csv',
        vendor: 'vendor-s',
        pipeline,
      });
      await store.finishFileLoad({
        fileChecksum: 'checksum-summary-bad',
        status: 'QUARANTINED',
        rowsRead: 3,
        reason: 'row 2: period end before start',
      });

      const summary = await store.summary({ pipeline, limit: 2 });
      assert.equal(summary.records, 5);
      assert.equal(summary.auditRows, 5);
      assert.deepEqual(summary.byVendor, [
        { vendor: 'vendor-s', records: 3 },
        { vendor: 'vendor-t', records: 2 },
      ]);
      assert.equal(summary.files.length, 2);
      assert.ok(
        summary.files.some((file) => file.status === 'QUARANTINED' && file.reason?.includes('row 2')),
      );
      assert.deepEqual(
        { passed: summary.reconciliation.passed, failed: summary.reconciliation.failed },
        { passed: 0, failed: 5 },
      );
      assert.equal(summary.reconciliation.latestFailures.length, 2);
      assert.deepEqual(Object.keys(summary.reconciliation.latestFailures[0]).sort(), [
        'accountId',
        'computedReturn',
        'differenceBps',
        'periodEnd',
        'vendor',
        'vendorReturn',
      ]);
      assert.equal(Number(summary.reconciliation.latestFailures[0].differenceBps), 100);

      const everything = await store.summary({ limit: 1 });
      assert.ok(everything.records > 5);
      assert.ok(everything.auditRows > everything.records);
      assert.equal(everything.files.length, 1);
      assert.equal(everything.byVendor.length, 1);
      await assert.rejects(store.summary({ limit: 0 }), RangeError);
    });

    test('describes itself without a password', async () => {
      assert.doesNotMatch(db.description, /secret/);
      assert.match(db.description, backend.name === 'PGlite' ? /in memory/ : /postgres:\/\//);
    });
  });
}

describe('database descriptions', () => {
  it('mask the password of a PostgreSQL URL', async () => {
    for (const url of [
      'postgres://sync:s3cr%40t-secret@db.example.com:5432/records',
      'postgres://sync@db.example.com/records?password=secret&sslmode=require',
      'host=db.example.com user=sync password=secret dbname=records',
    ]) {
      const db = connectPostgres(url);
      assert.doesNotMatch(db.description, /secret|s3cr/, url);
      assert.match(db.description, /\*\*\*/);
      assert.match(db.description, /db\.example\.com/);
      await db.close();
    }
  });

  it('keep an embedded database on disk across reopening', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'record-sync-pglite-'));
    try {
      const first = await openEmbedded(dataDir);
      assert.deepEqual(await migrate(first, MIGRATIONS), MIGRATION_NAMES);
      await createPerformanceStore(first).upsertPerformance(record(), '0.0100', lineage(1));
      await first.close();

      const second = await openEmbedded(dataDir);
      assert.match(second.description, new RegExp(`PGlite\\) in ${dataDir}`));
      assert.deepEqual(await migrate(second, MIGRATIONS), []);
      assert.equal((await createPerformanceStore(second).storedStates([record()])).size, 1);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
