import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Decimal from 'decimal.js';
import { configuredSecrets } from '../src/config';
import { openEmbedded, type Queryable } from '../src/connectors/database';
import type { RunSummary } from '../src/domain/sync';
import type { syncRun } from '../src/workflows/sync-run';
import { eventually, startTemporal } from './harness';
import { startS3Server } from './s3-server';
import { SAMPLES, SAMPLE_FILES, startVendorEnvironment, type VendorEnvironment } from './vendor-harness';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/** What the three sample files hold (samples/vendor-performance/README.md). */
const SAMPLE = { rows: 60, invalid: 13, outsideTolerance: 3 };
const LOADED = SAMPLE.rows - SAMPLE.invalid;

const count = async (db: Queryable, sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: string }>(sql, params))[0].n);

const restoreEnv = (name: string, value: string | undefined) => {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The sample files' rows loaded into `db`, each with one audit row, as the folder test expects. */
async function assertSamplesLoaded(db: Queryable, summary: RunSummary): Promise<void> {
  assert.equal(summary.counts.read, SAMPLE.rows);
  assert.equal(summary.counts.synced, LOADED - SAMPLE.outsideTolerance);
  assert.equal(summary.counts.validationFailed, SAMPLE.invalid + SAMPLE.outsideTolerance);
  assert.equal(await count(db, 'SELECT count(*) AS n FROM performance_records'), LOADED);
  assert.equal(await count(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'insert'"), LOADED);
  assert.equal(await count(db, 'SELECT count(*) AS n FROM audit_log'), LOADED);
  assert.equal(
    await count(db, "SELECT count(*) AS n FROM file_loads WHERE status = 'LOADED'"),
    SAMPLE_FILES.length,
  );
}

const VENDOR_A_COLUMNS =
  'Account Number,Period Start,Period End,Currency,Begin MV 1,Net Flow 1,End MV 1,' +
  'Begin MV 2,Net Flow 2,End MV 2,Begin MV 3,Net Flow 3,End MV 3,Reported TWR %';

const dollars = (cents: bigint) => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;

/**
 * A vendor-a file of `rows` valid rows, one sub-period each and no flow, so the time-weighted
 * return is end / begin − 1, reported in percent to 10 decimals: the rounding is all that
 * separates the two, far inside the 1 bp tolerance.
 */
function vendorAFile(rows: number): { csv: string; accounts: string[] } {
  const accounts: string[] = [];
  const lines = [VENDOR_A_COLUMNS];
  for (let i = 0; i < rows; i += 1) {
    const account = `K-${100_000 + i}`;
    const begin = 100_000_000n + BigInt(i) * 73_117n;
    // Gains and losses of up to about 1 %, different on each row.
    const end = begin + BigInt(((i * 7_919) % 20_001) - 10_000) * 113n;
    const reported = new Decimal(String(end)).div(String(begin)).minus(1).times(100).toFixed(10);
    accounts.push(account);
    lines.push(
      `${account},2026-12-01,2026-12-31,USD,${dollars(begin)},0.00,${dollars(end)},,,,,,,${reported}`,
    );
  }
  return { csv: `${lines.join('\n')}\n`, accounts };
}

describe('the vendor-file pipeline (seed 004): other drops and databases, faults and repairs', () => {
  let temporal: TestWorkflowEnvironment;
  before(async () => {
    temporal = await startTemporal();
  });
  after(async () => {
    await temporal?.teardown();
  });

  it('reads the files from an S3 bucket under a prefix and archives them there by checksum', async () => {
    const s3 = await startS3Server();
    const prefix = 'drops/';
    const bucket = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    // The in-process worker finds its credentials as in production: the SDK's default chain.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    let sync: VendorEnvironment | undefined;
    try {
      for (const name of SAMPLE_FILES) {
        await bucket.send(
          new PutObjectCommand({
            Bucket: s3.bucket,
            Key: `${prefix}inbox/${name}`,
            Body: readFileSync(path.join(SAMPLES, name)),
          }),
        );
      }
      // A blank VENDOR_FILES_FOLDER is an unset one: the harness's folder must not be read.
      sync = await startVendorEnvironment(temporal, {
        VENDOR_FILES_FOLDER: '',
        VENDOR_FILES_S3_BUCKET: s3.bucket,
        VENDOR_FILES_S3_PREFIX: prefix,
        VENDOR_FILES_S3_ENDPOINT: s3.endpoint,
        VENDOR_FILES_S3_FORCE_PATH_STYLE: 'true',
        VENDOR_FILES_S3_REGION: 'us-east-1',
      });
      assert.equal(sync.config.vendorPerformance?.drop.kind, 's3');
      await sync.startWorkers();
      assert.equal(await sync.operations.create(), 'started');

      await assertSamplesLoaded(sync.db, await sync.runSync());

      const listed = await bucket.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
      const keys = (listed.Contents ?? []).map((object) => object.Key).sort();
      const archived = SAMPLE_FILES.map(
        (name) => `${prefix}archive/${sha256(readFileSync(path.join(SAMPLES, name)))}/${name}`,
      ).sort();
      // Moved, not copied: nothing is left in the inbox, nothing was quarantined.
      assert.deepEqual(keys, archived);
    } finally {
      await sync?.teardown();
      restoreEnv('AWS_ACCESS_KEY_ID', saved.id);
      restoreEnv('AWS_SECRET_ACCESS_KEY', saved.secret);
      bucket.destroy();
      await s3.stop();
    }
  });

  it('loads into the embedded PostgreSQL in the data directory when no DATABASE_URL is set', async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'record-sync-data-'));
    const sync = await startVendorEnvironment(temporal, { DATABASE_URL: '', RECORD_SYNC_DATA_DIR: dataDir });
    // The workers close the embedded database before its folder goes.
    t.after(async () => {
      await sync.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const stopWorkers = await sync.startWorkers();
    assert.equal(await sync.operations.create(), 'started');
    sync.drop(...SAMPLE_FILES);
    const summary = await sync.runSync();
    // PGlite allows one process at a time: the workers' copy closes with them.
    await stopWorkers();

    const embedded = await openEmbedded(path.join(dataDir, 'vendor-performance-db'));
    try {
      await assertSamplesLoaded(embedded, summary);
    } finally {
      await embedded.close();
    }
    // The harness's PostgreSQL database, which DATABASE_URL would have named, was never used.
    assert.equal(
      await count(
        sync.db,
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
      ),
      0,
    );
  });

  it('finishes a file after its worker is killed mid-file: every row loaded and audited once', async (t) => {
    const ROWS = 2_000;
    const sync = await startVendorEnvironment(temporal, {
      // The harness's pages of 7 would make 286 page reads of this file; 20 pages are plenty.
      VENDOR_PAGE_SIZE: '100',
    });
    const workers: WorkerProcess[] = [];
    t.after(async () => {
      for (const worker of workers) await worker.kill();
      await sync.teardown();
    });
    const name = 'vendor-a-2026-12.csv';
    const { csv, accounts } = vendorAFile(ROWS);
    mkdirSync(path.join(sync.folder, 'inbox'), { recursive: true });
    writeFileSync(path.join(sync.folder, 'inbox', name), csv);
    assert.equal(await sync.operations.create(), 'started');

    // The environment names its own DATABASE_URL, so the process cannot load into another database.
    workers.push(startWorkerProcess(sync.environment));
    const run = await sync.client.workflow.start<typeof syncRun>('syncRun', {
      workflowId: `${sync.operations.run.scheduleId}-run-${randomUUID()}`,
      taskQueue: sync.config.pipeline.taskQueue,
      args: [{ pipeline: sync.operations.pipeline }],
    });
    const loaded = () => count(sync.db, 'SELECT count(*) AS n FROM performance_records');
    // The worker creates the tables as it starts: until then there is nothing to count.
    const started = () =>
      loaded().catch((error: { code?: string }) => {
        if (error.code === '42P01') return 0;
        throw error;
      });
    await eventually(async () => ((await started()) >= 300 ? true : undefined), 120_000);
    await workers[0].kill();

    const loadedAtKill = await loaded();
    assert.ok(loadedAtKill < ROWS - 100, `the kill came too late to test anything (${loadedAtKill} loaded)`);
    assert.ok(existsSync(path.join(sync.folder, 'inbox', name)), 'the file left the inbox before the kill');
    assert.equal(
      (await sync.db.query<{ status: string }>('SELECT status FROM file_loads'))[0]?.status,
      'LOADING',
    );

    workers.push(startWorkerProcess(sync.environment));
    const summary = (await run.result()) as RunSummary;
    assert.equal(summary.counts.validationFailed, 0);

    // The key is the primary key, so no row is there twice; the ids show none is missing.
    const stored = await sync.db.query<{ account_id: string }>(
      "SELECT account_id FROM performance_records WHERE vendor = 'vendor-a' ORDER BY account_id",
    );
    assert.deepEqual(
      stored.map((row) => row.account_id),
      [...accounts].sort(),
    );
    assert.equal(await count(sync.db, 'SELECT count(*) AS n FROM performance_records'), ROWS);
    assert.equal(await count(sync.db, "SELECT count(*) AS n FROM audit_log WHERE action = 'insert'"), ROWS);
    assert.equal(await count(sync.db, 'SELECT count(*) AS n FROM audit_log'), ROWS);
    assert.equal(
      await count(
        sync.db,
        'SELECT count(DISTINCT (vendor, account_id, period_start, period_end)) AS n FROM audit_log',
      ),
      ROWS,
      'a record has two audit rows',
    );
    assert.equal(
      await count(sync.db, "SELECT count(*) AS n FROM reconciliation_results WHERE status = 'PASSED'"),
      ROWS,
    );
    assert.equal(await count(sync.db, 'SELECT count(*) AS n FROM reconciliation_results'), ROWS);
    const [load] = await sync.db.query<{ status: string; rows_read: number }>(
      'SELECT status, rows_read FROM file_loads',
    );
    assert.deepEqual(load, { status: 'LOADED', rows_read: ROWS });
    const checksum = sha256(Buffer.from(csv));
    assert.ok(existsSync(path.join(sync.folder, 'archive', checksum, name)), 'the file is archived');
    assert.deepEqual(readdirSync(path.join(sync.folder, 'inbox')), []);
    assert.deepEqual(await sync.openProblems(), []);

    const logs = workers.map((worker) => worker.output()).join('\n');
    assert.match(logs, /record-sync worker polling/);
    const secrets = configuredSecrets(sync.config);
    assert.ok(secrets.length > 0, 'no secret to look for');
    for (const secret of secrets) {
      assert.ok(!logs.includes(secret), 'a configured secret appeared in the worker log');
    }
  });

  it("replays a bad row with a person's edit: loaded, audited once, the problem resolved", async (t) => {
    const sync = await startVendorEnvironment(temporal);
    t.after(() => sync.teardown());
    await sync.startWorkers();
    assert.equal(await sync.operations.create(), 'started');
    // vendor-a's file alone: the row is in it. 4 invalid rows and 1 outside the tolerance.
    sync.drop('vendor-a-2026-10.csv');
    await sync.runSync();
    const problems = await sync.problemsSettled(5);
    const held = problems.find((p) => p.field === 'Period Start');
    // Line 5 of the file (README): the key cannot be read, so the row is known by its place.
    assert.ok(held, 'no problem names Period Start');
    assert.equal(held.recordId, 'vendor-a-2026-10.csv#5');
    const { pipeline } = sync.operations;
    const { recordId } = held;
    const version = (await sync.operations.problems.show(pipeline, recordId))?.failure.version;
    const key = ['vendor-a', 'A-100342', '2026-10-01', '2026-10-31'];
    assert.equal(
      await count(
        sync.db,
        'SELECT count(*) AS n FROM performance_records WHERE vendor = $1 AND account_id = $2',
        key.slice(0, 2),
      ),
      0,
    );

    const refused = await sync.operations.problems.replay(pipeline, recordId, {
      edit: { 'Period Begin': '2026-10-01' },
      by: 'test',
    });
    assert.ok(!refused.done, `the edit was not refused: ${JSON.stringify(refused)}`);
    assert.equal(refused.outcome, 'rejected');
    assert.match(refused.reason, /Period Begin: not a column of the file/);
    assert.equal((await sync.operations.problems.show(pipeline, recordId))?.status, 'VALIDATION_FAILED');

    const replayed = await sync.operations.problems.replay(pipeline, recordId, {
      edit: { 'Period Start': '2026-10-01' },
      by: 'test',
    });
    assert.ok(replayed.done, `the replay was not done: ${JSON.stringify(replayed)}`);
    assert.deepEqual(replayed.answer, { outcome: 'SYNCED', recordId, version });
    const [stored] = await sync.db.query<{ period_start: string; period_end: string }>(
      'SELECT period_start, period_end FROM performance_records WHERE vendor = $1 AND account_id = $2',
      key.slice(0, 2),
    );
    assert.deepEqual(stored, { period_start: key[2], period_end: key[3] });
    const audit = await sync.db.query<{ action: string; row_number: number }>(
      `SELECT action, row_number FROM audit_log
       WHERE vendor = $1 AND account_id = $2 AND period_start = $3 AND period_end = $4`,
      key,
    );
    assert.deepEqual(audit, [{ action: 'insert', row_number: 5 }]);

    const view = await sync.operations.problems.show(pipeline, recordId);
    assert.equal(view?.status, 'SYNCED');
    assert.equal(view?.resolution?.by, 'test');
    const open = await sync.problemsSettled(4);
    assert.ok(!open.some((p) => p.recordId === recordId), 'the problem record is still open');
  });
});
