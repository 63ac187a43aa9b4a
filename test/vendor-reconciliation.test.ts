import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Database } from '../src/connectors/database';
import { createFileDrop } from '../src/connectors/file-drop';
import { migrate } from '../src/connectors/migrations';
import type { Pipeline, Reconciler, RecordDifference } from '../src/pipelines/contract';
import { createVendorPerformancePipeline } from '../src/pipelines/vendor-performance';
import { createPerformanceReconciler } from '../src/pipelines/vendor-performance/reconciler';
import { idPart, rowVersion } from '../src/pipelines/vendor-performance/source';
import { parseVendorMappings } from '../src/pipelines/vendor-performance/vendors';
import type { reconcilePipeline } from '../src/workflows/reconciliation';
import { startTemporal } from './harness';
import { freshDatabase } from './postgres';
import { SAMPLE_FILES, startVendorEnvironment, type VendorEnvironment } from './vendor-harness';

const ROOT = path.join(__dirname, '..');
/** A page is one activity result: the sync's vendor pages keep under this too. */
const PAGE_BYTES = 256 * 1024;
/** The sample files' rows that load (samples/vendor-performance/README.md): 60 rows, 13 invalid. */
const LOADED = 47;

interface Pass {
  matching: number;
  differences: RecordDifference[];
  pages: number;
  /** The largest page's size in bytes. */
  largest: number;
}

/** Every page of one pass, each checked against the byte cap. */
async function pass(page: (cursor: string | null) => ReturnType<Reconciler['compareSourcePage']>) {
  const result: Pass = { matching: 0, differences: [], pages: 0, largest: 0 };
  let cursor: string | null = null;
  do {
    const current = await page(cursor);
    const bytes = Buffer.byteLength(JSON.stringify(current));
    assert.ok(bytes <= PAGE_BYTES, `page ${result.pages + 1} is ${bytes} bytes`);
    result.matching += current.matching;
    result.differences.push(...current.differences);
    result.pages += 1;
    result.largest = Math.max(result.largest, bytes);
    assert.ok(result.pages < 1000, 'the pass ends');
    cursor = current.cursor;
  } while (cursor !== null);
  return result;
}

async function reconcile(reconciler: Reconciler) {
  return {
    source: await pass((cursor) => reconciler.compareSourcePage(cursor)),
    orphans: await pass((cursor) => reconciler.findOrphansPage(cursor)),
  };
}

interface StoredRow {
  vendor: string;
  account_id: string;
  period_start: string;
  period_end: string;
  currency: string;
  reported_return: string;
  source_version: string;
}

const recordIdOf = (row: StoredRow) =>
  [row.vendor, row.account_id, row.period_start, row.period_end].map(idPart).join('/');
const KEY = 'vendor = $1 AND account_id = $2 AND period_start = $3 AND period_end = $4';
const keyOf = (row: StoredRow) => [row.vendor, row.account_id, row.period_start, row.period_end];

describe('reconciling the vendor-file pipeline (issue #12) on PostgreSQL', () => {
  describe('the sample files loaded by a real sync, then changed by hand in the table', () => {
    let temporal: TestWorkflowEnvironment;
    let sync: VendorEnvironment;
    let pipeline: Pipeline;
    let reconciler: Reconciler;
    /** The records changed by hand, as they were loaded. */
    let missing: StoredRow;
    let mismatched: StoredRow;
    let drifted: StoredRow;
    let mismatchedReturn: string;
    let found: Awaited<ReturnType<typeof reconcile>>;

    const db = (): Database => sync.db;
    const stored = async (row: StoredRow) =>
      (await db().query<StoredRow>(`SELECT * FROM performance_records WHERE ${KEY}`, keyOf(row)))[0];
    const auditRows = async (row: StoredRow) =>
      db().query<{ action: string; run_id: string; before: Record<string, unknown>; after: unknown }>(
        `SELECT action, run_id, before, after FROM audit_log WHERE ${KEY} ORDER BY id`,
        keyOf(row),
      );
    const differenceOf = (kind: string) => found.source.differences.find((d) => d.kind === kind)!;

    before(async () => {
      temporal = await startTemporal();
      sync = await startVendorEnvironment(temporal);
      sync.drop(...SAMPLE_FILES);
      const stopWorkers = await sync.startWorkers();
      try {
        assert.equal(await sync.operations.create(), 'started');
        await sync.runSync();
      } finally {
        await stopWorkers();
      }
      pipeline = await createVendorPerformancePipeline(sync.config.vendorPerformance!);
      assert.ok(pipeline.reconciler);
      reconciler = pipeline.reconciler;
    });
    after(async () => {
      await pipeline?.close?.();
      await sync?.teardown();
      await temporal?.teardown();
    });

    /** A loaded record of the vendor whose figures passed the tolerance check (a load keeps it quiet). */
    const passedRecord = async (vendor: string) =>
      (
        await db().query<StoredRow>(
          `SELECT r.* FROM performance_records r JOIN reconciliation_results c
             USING (file_checksum, vendor, account_id, period_start, period_end)
           WHERE c.status = 'PASSED' AND r.vendor = $1 ORDER BY r.account_id LIMIT 1`,
          [vendor],
        )
      )[0];

    it('finds every loaded record as the files say, and no orphan', async () => {
      assert.deepEqual(readdirSync(path.join(sync.folder, 'inbox')), [], 'every file archived');
      const clean = await reconcile(reconciler);
      assert.deepEqual(clean.source.differences, []);
      assert.equal(clean.source.matching, LOADED);
      assert.deepEqual(clean.orphans.differences, []);
    });

    it('finds exactly what was changed by hand: missing, mismatched, drifted, orphaned', async () => {
      missing = await passedRecord('vendor-b');
      mismatched = await passedRecord('vendor-a');
      drifted = await passedRecord('vendor-c');
      await db().query(`DELETE FROM performance_records WHERE ${KEY}`, keyOf(missing));
      [{ reported_return: mismatchedReturn }] = await db().query<StoredRow>(
        `UPDATE performance_records SET reported_return = reported_return + 0.00000001, currency = 'CHF'
         WHERE ${KEY} RETURNING reported_return`,
        keyOf(mismatched),
      );
      await db().query(
        `UPDATE performance_records SET source_version = '2000-01-01T00:00:00.000Z' || substr(source_version, 25)
         WHERE ${KEY}`,
        keyOf(drifted),
      );
      const unknownFile = 'ab'.repeat(32);
      await db().query(
        `INSERT INTO performance_records (vendor, account_id, period_start, period_end, currency, sub_periods,
           begin_value, end_value, net_flows, reported_return, computed_return, source_version, content_hash,
           pipeline, run_id, file_key, file_checksum, row_number)
         VALUES ('vendor-a', 'GHOST 1', '2026-10-01', '2026-10-31', 'USD', '[{"begin":"100","end":"101","flow":"0"}]',
           100, 101, 0, 0.01, 0.01, $1, 'by hand', $2, 'by-hand', 'inbox/vendor-a-2026-09.csv', $3, 2)`,
        [
          `2026-09-30T08:00:00.000Z|vendor-a-2026-09.csv|0000000000|${unknownFile}`,
          sync.config.vendorPerformance!.name,
          unknownFile,
        ],
      );

      found = await reconcile(reconciler);

      assert.equal(found.source.matching, LOADED - 3);
      assert.deepEqual(found.source.differences.map((d) => d.kind).sort(), [
        'DATA_MISMATCH',
        'MISSING',
        'VERSION_DRIFT',
      ]);
      const gone = differenceOf('MISSING');
      assert.equal(gone.recordId, recordIdOf(missing));
      assert.equal(gone.sourceVersion, missing.source_version);
      assert.match(gone.note ?? '', /^vendor-b-2026-10\.xlsx row \d+$/);

      const drift = differenceOf('VERSION_DRIFT');
      assert.equal(drift.recordId, recordIdOf(drifted));
      assert.equal(drift.sourceVersion, drifted.source_version);
      assert.equal(drift.destinationVersion, (await stored(drifted)).source_version);
      assert.match(drift.destinationVersion ?? '', /^2000-01-01T/);

      const mismatch = differenceOf('DATA_MISMATCH');
      assert.equal(mismatch.recordId, recordIdOf(mismatched));
      assert.equal(mismatch.sourceVersion, mismatched.source_version);
      assert.deepEqual(mismatch.fields, [
        { field: 'currency', source: 'USD', destination: 'CHF', lastSynced: 'USD' },
        {
          field: 'reportedReturn',
          source: mismatched.reported_return,
          destination: mismatchedReturn,
          lastSynced: mismatched.reported_return,
        },
      ]);

      assert.equal(found.orphans.matching, 0);
      assert.equal(found.orphans.differences.length, 1);
      const [orphan] = found.orphans.differences;
      assert.equal(orphan.kind, 'ORPHANED');
      assert.equal(orphan.recordId, 'vendor-a/GHOST%201/2026-10-01/2026-10-31');
      assert.match(orphan.destinationVersion ?? '', /\|vendor-a-2026-09\.csv\|/);
      assert.match(orphan.note ?? '', /which record-sync has no load of/);
    });

    it('re-syncs the missing and the drifted record from their archived files (readRecord, then loadRecord)', async () => {
      for (const [difference, status] of [
        [differenceOf('MISSING'), 'SYNCED'],
        // Same figures, older version: nothing to write but the version.
        [differenceOf('VERSION_DRIFT'), 'SKIPPED'],
      ] as const) {
        const current = await pipeline.readRecord(difference.recordId, difference.sourceVersion!);
        assert.ok(current, `${difference.kind}: the row is read again from the archive`);
        assert.equal(current.version, difference.sourceVersion);
        assert.match((current.record as { file: { key: string } }).file.key, /^archive\//);
        const result = await pipeline.loadRecord({
          recordId: difference.recordId,
          version: current.version,
          record: current.record,
          runId: 'reconciliation-test',
        });
        assert.equal(result.status, status, difference.kind);
      }
      assert.equal((await stored(missing)).source_version, missing.source_version);
      assert.equal((await stored(missing)).reported_return, missing.reported_return);
      assert.equal((await stored(drifted)).source_version, drifted.source_version);
    });

    it("applies a person's choices on the mismatch: the table's value kept, the file's taken, once", async () => {
      const mismatch = differenceOf('DATA_MISMATCH');
      const current = await pipeline.readRecord(mismatch.recordId, mismatch.sourceVersion!);
      assert.ok(current);
      const load = {
        recordId: mismatch.recordId,
        version: current.version,
        record: current.record,
        runId: 'decided-by-a-person',
        choices: { reportedReturn: 'destination', currency: 'source' } as const,
      };
      const audited = (await auditRows(mismatched)).length;
      assert.equal((await pipeline.loadRecord(load)).status, 'SYNCED');
      const after = await stored(mismatched);
      assert.equal(after.currency, 'USD');
      assert.equal(after.reported_return, mismatchedReturn);
      assert.equal(after.source_version, mismatched.source_version);
      const audit = await auditRows(mismatched);
      assert.equal(audit.length, audited + 1);
      const decided = audit.at(-1)!;
      assert.equal(decided.action, 'update');
      assert.equal(decided.run_id, 'decided-by-a-person');
      assert.equal(decided.before.currency, 'CHF');
      assert.deepEqual((decided.after as { choices: unknown }).choices, load.choices);

      const again = await pipeline.loadRecord(load);
      assert.equal(again.status, 'SKIPPED');
      assert.equal((await auditRows(mismatched)).length, audited + 1, 'no second audit row');

      await assert.rejects(
        pipeline.loadRecord({ ...load, choices: { twr: 'destination' } }),
        /twr: not a figure to choose/,
      );
    });

    it('retires the orphan once, its figures kept in an audit row, and refuses a record a file accounts for', async () => {
      const [orphan] = found.orphans.differences;
      const ghost = {
        vendor: 'vendor-a',
        account_id: 'GHOST 1',
        period_start: '2026-10-01',
        period_end: '2026-10-31',
      } as StoredRow;
      await reconciler.retireOrphan(orphan.recordId, { runId: 'retired-by-a-person' });
      assert.equal(await stored(ghost), undefined);
      const [retired] = await auditRows(ghost);
      assert.equal(retired.action, 'delete');
      assert.equal(retired.run_id, 'retired-by-a-person');
      assert.equal(retired.after, null);
      assert.equal(retired.before.reportedReturn, '0.01');
      assert.equal(retired.before.sourceVersion, orphan.destinationVersion);
      assert.match(String(retired.before.retired), /no load of/);

      await reconciler.retireOrphan(orphan.recordId, { runId: 'retired-again' });
      assert.equal((await auditRows(ghost)).length, 1, 'retiring it again changes nothing');

      await assert.rejects(
        reconciler.retireOrphan(recordIdOf(drifted), { runId: 'wrong-record' }),
        /not an orphan any more/,
      );
      assert.ok(await stored(drifted));
    });

    it('finds nothing left to repair: the decided mismatch is what record-sync wrote', async () => {
      const repaired = await reconcile(reconciler);
      assert.deepEqual(repaired.source.differences, []);
      assert.equal(repaired.source.matching, LOADED);
      assert.deepEqual(repaired.orphans.differences, []);
    });

    it("compares only a record's latest row when a later file supersedes an earlier one's", async () => {
      // The same rows again, one figure changed: that record is updated, the others only take
      // the later version (same figures, so no audit row).
      const sample = readFileSync(
        path.join(ROOT, 'samples', 'vendor-performance', 'vendor-a-2026-10.csv'),
        'utf8',
      );
      const changed = sample.replace(/^(A-100934,.*),2\.9523$/m, '$1,2.9524');
      assert.notEqual(changed, sample);
      writeFileSync(path.join(sync.folder, 'inbox', 'vendor-a-2026-11.csv'), changed);
      const stopWorkers = await sync.startWorkers();
      try {
        await sync.runSync();
      } finally {
        await stopWorkers();
      }
      const later = (
        await db().query<StoredRow>(
          `SELECT * FROM performance_records WHERE vendor = 'vendor-a' AND account_id = 'A-100934'`,
        )
      )[0];
      assert.match(later.source_version, /\|vendor-a-2026-11\.csv\|/);

      const superseded = await reconcile(reconciler);
      assert.deepEqual(superseded.source.differences, []);
      assert.equal(superseded.source.matching, LOADED, 'each record once, at its latest row');
      assert.deepEqual(superseded.orphans.differences, []);

      // Gone from the table, it is missing at its latest row only: the earlier file's is superseded.
      await db().query(`DELETE FROM performance_records WHERE ${KEY}`, keyOf(later));
      const gone = await reconcile(reconciler);
      assert.deepEqual(
        gone.source.differences.map(({ kind, recordId, sourceVersion }) => ({
          kind,
          recordId,
          sourceVersion,
        })),
        [{ kind: 'MISSING', recordId: recordIdOf(later), sourceVersion: later.source_version }],
      );
      assert.equal(gone.source.matching, LOADED - 1);
    });
  });

  describe('through the reconciliation workflow: repairs as a person would expect', () => {
    let temporal: TestWorkflowEnvironment;
    let sync: VendorEnvironment;
    let stopWorkers: () => Promise<void>;
    let reportsDir: string;

    before(async () => {
      temporal = await startTemporal();
      reportsDir = mkdtempSync(path.join(tmpdir(), 'record-sync-reports-'));
      sync = await startVendorEnvironment(temporal, { RECONCILIATION_REPORTS_DIR: reportsDir });
      sync.drop(...SAMPLE_FILES);
      stopWorkers = await sync.startWorkers();
      await sync.operations.create();
      await sync.runSync();
    });
    after(async () => {
      await stopWorkers?.();
      await sync?.teardown();
      await temporal?.teardown();
      rmSync(reportsDir, { recursive: true, force: true });
    });

    it('re-syncs a deleted row from its archived file and holds an edited one as a version conflict', async () => {
      const held = (await sync.openProblems()).length;
      const [missing, edited] = await sync.db.query<StoredRow>(
        `SELECT * FROM performance_records WHERE vendor = 'vendor-a' ORDER BY account_id LIMIT 2`,
      );
      await sync.db.query(`DELETE FROM performance_records WHERE ${KEY}`, keyOf(missing));
      await sync.db.query(`UPDATE performance_records SET currency = 'CHF' WHERE ${KEY}`, keyOf(edited));

      const pipeline = sync.config.vendorPerformance!.name;
      const summary = await sync.client.workflow.execute<typeof reconcilePipeline>('reconcilePipeline', {
        workflowId: `reconcile-${pipeline}-workflow-test`,
        taskQueue: sync.config.vendorPerformance!.settings.taskQueue,
        args: [{ pipeline }],
      });

      assert.deepEqual(summary.differences, { VERSION_DRIFT: 0, DATA_MISMATCH: 1, MISSING: 1, ORPHANED: 0 });
      assert.deepEqual(summary.repaired, { resynced: 1, conflicts: 1, orphans: 0 });
      assert.equal(summary.held, 0, `${held} problem records were open, none of them a loaded record`);
      const restored = await sync.db.query<StoredRow>(
        `SELECT * FROM performance_records WHERE ${KEY}`,
        keyOf(missing),
      );
      assert.equal(restored[0]?.reported_return, missing.reported_return);
      const recordId = recordIdOf(edited);
      const conflict = await sync.operations.problems.show(pipeline, recordId);
      assert.equal(conflict?.status, 'VERSION_CONFLICT');
      assert.deepEqual(
        conflict?.failure.diff?.map((d) => [d.field, d.source, d.destination]),
        [['currency', edited.currency, 'CHF']],
      );
      const decided = await sync.operations.problems.resolveConflict(pipeline, recordId, { use: 'source' });
      assert.ok(decided.done && decided.answer.outcome === 'SYNCED', JSON.stringify(decided));
      const [after] = await sync.db.query<StoredRow>(
        `SELECT * FROM performance_records WHERE ${KEY}`,
        keyOf(edited),
      );
      assert.equal(after.currency, edited.currency);
    });
  });

  describe('a big file', () => {
    const ROWS = 3000;
    const NAME = 'vendor-a-2026-11.csv';
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    let folder: string;
    let reconciler: Reconciler;

    before(async () => {
      database = await freshDatabase();
      await migrate(database.db, path.join(ROOT, 'migrations'));
      folder = mkdtempSync(path.join(tmpdir(), 'vendor-drop-'));
      const header =
        'Account Number,Period Start,Period End,Currency,Begin MV 1,Net Flow 1,End MV 1,Begin MV 2,Net Flow 2,' +
        'End MV 2,Begin MV 3,Net Flow 3,End MV 3,Reported TWR %';
      const lines = Array.from(
        { length: ROWS },
        (_, i) =>
          `BIG-${String(i).padStart(5, '0')},2026-11-01,2026-11-30,USD,"1,000,000.00",0.00,"1,010,000.00",` +
          `"1,010,000.00","5,000.00","1,020,000.00","1,020,000.00","(2,500.00)","1,030,000.00",2.9851`,
      );
      const body = `${header}\n${lines.join('\n')}\n`;
      const checksum = createHash('sha256').update(body).digest('hex');
      mkdirSync(path.join(folder, 'archive', checksum), { recursive: true });
      writeFileSync(path.join(folder, 'archive', checksum, NAME), body);
      const lastModified = '2026-12-01T08:00:00.000Z';
      await database.db.query(
        `INSERT INTO file_loads (file_checksum, file_key, vendor, pipeline, status, rows_read, finished_at, last_modified)
         VALUES ($1, $2, 'vendor-a', 'vendors-big', 'LOADED', $3, now(), $4)`,
        [checksum, `inbox/${NAME}`, ROWS, lastModified],
      );
      // Every record held at its row's version with other figures, and no audit row: each is a
      // mismatch in every figure (the widest difference there is) and an orphan.
      const file = { key: `inbox/${NAME}`, lastModified, checksum, vendor: 'vendor-a' };
      await database.db.query(
        `INSERT INTO performance_records (vendor, account_id, period_start, period_end, currency, sub_periods,
           begin_value, end_value, net_flows, reported_return, computed_return, source_version, content_hash,
           pipeline, run_id, file_key, file_checksum, row_number)
         SELECT 'vendor-a', k.account_id, '2026-11-01', '2026-11-30', 'EUR',
           '[{"begin":"1","end":"2","flow":"0"},{"begin":"2","end":"3","flow":"0"}]', 1, 3, 0, 2, 2, k.version,
           'other', 'vendors-big', 'by-hand', $3, $4, k.n + 1
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (account_id, version, n)`,
        [
          lines.map((_, i) => `BIG-${String(i).padStart(5, '0')}`),
          lines.map((_, i) => rowVersion(file, i)),
          `inbox/${NAME}`,
          checksum,
        ],
      );
      const mappings = parseVendorMappings(
        JSON.parse(readFileSync(path.join(ROOT, 'config', 'vendor-mappings.json'), 'utf8')),
        'config/vendor-mappings.json',
      );
      reconciler = createPerformanceReconciler({
        db: database.db,
        drop: createFileDrop({ kind: 'folder', path: folder, settleMs: 0 }),
        mappings,
        pipeline: 'vendors-big',
      });
    });
    after(async () => {
      await database?.drop();
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    it('keeps every page within its byte cap, and loses or repeats no row between pages', async () => {
      const { source, orphans } = await reconcile(reconciler);
      assert.equal(source.matching, 0);
      assert.equal(source.differences.length, ROWS);
      assert.ok(
        source.differences.every((d) => d.kind === 'DATA_MISMATCH' && d.fields?.length === 7),
        'every figure differs',
      );
      assert.equal(new Set(source.differences.map((d) => d.recordId)).size, ROWS);
      // ~1 KB a difference, read ~300 rows a page: the byte cap, not the row count, filled pages.
      assert.ok(source.largest > PAGE_BYTES * 0.9, `the largest page is ${source.largest} bytes`);
      assert.ok(source.pages >= 10, `${source.pages} pages`);
      assert.equal(orphans.differences.length, ROWS);
      assert.equal(new Set(orphans.differences.map((d) => d.recordId)).size, ROWS);
      assert.ok(orphans.pages >= ROWS / 500, `${orphans.pages} pages`);
    });
  });
});
