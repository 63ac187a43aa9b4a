import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse/sync';
import type { DifferenceKind, ReconciliationSummary } from '../src/domain/sync';
import type { RecordDifference } from '../src/pipelines/contract';
import { reconciliationReports } from '../src/reconciliation/report';

const PIPELINE = 'accounts';

function summaryOf(
  runId: string,
  finishedAt: string,
  differences: Partial<Record<DifferenceKind, number>> = {},
) {
  return {
    runId,
    startedAt: '2026-11-24T02:00:00.000Z',
    finishedAt,
    matching: 10,
    differences: { VERSION_DRIFT: 0, DATA_MISMATCH: 0, MISSING: 0, ORPHANED: 0, ...differences },
    repair: false,
    repaired: { resynced: 0, conflicts: 0, orphans: 0 },
  } satisfies ReconciliationSummary;
}

const drift = (recordId: string, note?: string): RecordDifference => ({
  recordId,
  kind: 'VERSION_DRIFT',
  sourceVersion: '2026-11-20T10:00:00.000Z',
  destinationVersion: '2026-11-19T10:00:00.000Z',
  ...(note === undefined ? {} : { note }),
});

/** Three fields, with values a CSV must quote and a page must escape, and one never synced. */
const MISMATCH: RecordDifference = {
  recordId: '001MISMATCH',
  kind: 'DATA_MISMATCH',
  sourceVersion: 'v7',
  destinationVersion: 'v7',
  fields: [
    { field: 'name', source: 'Acme, "the" company', destination: 'Acme\r\nLtd', lastSynced: 'Acme' },
    { field: 'phone', source: '+44 20 7946 0000', destination: '', lastSynced: null },
    { field: 'employees', source: 12, destination: { n: 12 }, lastSynced: 11 },
  ],
  note: 'NetSuite customer 42',
};
const SCRIPT_NOTE = '<script>alert("x")</script> & \u2028 line separator';
const ORPHAN: RecordDifference = {
  recordId: '001ORPHAN',
  kind: 'ORPHANED',
  destinationVersion: 'v3',
  note: SCRIPT_NOTE,
};

describe('reconciliation reports', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'reconciliation-report-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('one finished run', () => {
    const runId = 'reconcile-accounts-2026-11-24T02:00:00Z';
    const summary = summaryOf(runId, '2026-11-24T02:10:00.000Z', {
      VERSION_DRIFT: 3,
      DATA_MISMATCH: 1,
      ORPHANED: 1,
    });
    let paths: { html: string; json: string; csv: string };
    let expected: RecordDifference[];

    before(async () => {
      const reports = reconciliationReports(root, 5);
      // Out of order, page 10 after page 2 by number not by name, a page written twice, a page emptied.
      await reports.writePage(PIPELINE, runId, 'orphans', 1, [ORPHAN]);
      await reports.writePage(PIPELINE, runId, 'source', 10, [drift('001C')]);
      await reports.writePage(PIPELINE, runId, 'source', 2, [drift('001STALE'), drift('001OLD')]);
      await reports.writePage(PIPELINE, runId, 'source', 2, [drift('001B'), MISMATCH]);
      await reports.writePage(PIPELINE, runId, 'source', 1, [drift('001A', 'first')]);
      await reports.writePage(PIPELINE, runId, 'orphans', 2, [drift('001GONE')]);
      await reports.writePage(PIPELINE, runId, 'orphans', 2, []);
      expected = [drift('001A', 'first'), drift('001B'), MISMATCH, drift('001C'), ORPHAN];
      paths = await reports.finish(PIPELINE, summary);
    });

    it('is kept under portable directory names, the three files side by side', () => {
      const dir = dirname(paths.html);
      assert.equal(basename(dir), 'reconcile-accounts-2026-11-24T02~3A00~3A00Z');
      assert.equal(basename(dirname(dir)), PIPELINE);
      assert.deepEqual([dirname(paths.json), dirname(paths.csv)], [dir, dir]);
      assert.equal(existsSync(join(dir, 'pages')), false, 'the page files are removed');
    });

    it('writes every difference to the JSON in order: source pages, then orphan pages, by number', async () => {
      const report = JSON.parse(await readFile(paths.json, 'utf8'));
      assert.equal(report.pipeline, PIPELINE);
      assert.deepEqual(report.summary, summary);
      assert.deepEqual(report.differences, expected);
    });

    it('writes one CSV row per difference, one per field of a mismatch', async () => {
      const rows: Record<string, string>[] = parse(await readFile(paths.csv), { bom: true, columns: true });
      assert.deepEqual(
        rows.map((r) => [r.recordId, r.kind, r.field]),
        [
          ['001A', 'VERSION_DRIFT', ''],
          ['001B', 'VERSION_DRIFT', ''],
          ['001MISMATCH', 'DATA_MISMATCH', 'name'],
          ['001MISMATCH', 'DATA_MISMATCH', 'phone'],
          ['001MISMATCH', 'DATA_MISMATCH', 'employees'],
          ['001C', 'VERSION_DRIFT', ''],
          ['001ORPHAN', 'ORPHANED', ''],
        ],
      );
      assert.deepEqual(rows[2], {
        recordId: '001MISMATCH',
        kind: 'DATA_MISMATCH',
        sourceVersion: 'v7',
        destinationVersion: 'v7',
        field: 'name',
        source: 'Acme, "the" company',
        destination: 'Acme\r\nLtd',
        lastSynced: 'Acme',
        note: 'NetSuite customer 42',
      });
      assert.deepEqual(
        [rows[3].destination, rows[3].lastSynced, rows[4].source, rows[4].destination],
        ['', '', '12', '{"n":12}'],
      );
      assert.equal(rows[6].note, SCRIPT_NOTE);
      assert.equal(rows[0].note, 'first');
    });

    it('writes one readable page with every outside value escaped', async () => {
      const html = await readFile(paths.html, 'utf8');
      assert.doesNotMatch(html, /<script/i);
      assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp;/);
      assert.match(html, /Acme, &quot;the&quot; company/);
      assert.match(html, /<a href="report\.json">JSON<\/a>/);
      assert.match(html, /<a href="report\.csv">CSV<\/a>/);
      assert.match(html, /reconcile-accounts-2026-11-24T02:00:00Z/);
      assert.match(html, /<th scope="row">Version drift<\/th><td>3<\/td>/);
      assert.match(html, /<th scope="row">Repair<\/th><td>off<\/td>/);
      assert.match(html, /<td rowspan="3">001MISMATCH<\/td>/);
      // Kinds in order, each with its differences; a kind with none says so.
      const sections = html.split(/<h2 id="/).slice(1);
      assert.deepEqual(
        sections.map((s) => s.slice(0, s.indexOf('"'))),
        ['VERSION_DRIFT', 'DATA_MISMATCH', 'MISSING', 'ORPHANED'],
      );
      assert.deepEqual(
        sections.map((s) => (s.match(/<tr><td[^>]*>001/g) ?? []).length),
        [3, 1, 0, 1],
      );
      assert.match(sections[2], /None\./);
    });

    it('returns the same files when finished again, and lists the report', async () => {
      const before = await contents(paths);
      const reports = reconciliationReports(root, 5);
      assert.deepEqual(await reports.finish(PIPELINE, summary), paths);
      assert.deepEqual(await contents(paths), before);
      assert.deepEqual(await reports.list(PIPELINE), [{ runId, finishedAt: summary.finishedAt, paths }]);
    });

    it('makes the same files again after a crash that left the pages behind', async () => {
      const before = await contents(paths);
      const reports = reconciliationReports(root, 5);
      // As if the attempt stopped before the pages were removed; its retry writes them again too.
      await rm(join(dirname(paths.html), 'summary.json'));
      await reports.writePage(PIPELINE, runId, 'source', 1, [drift('001A', 'first')]);
      await reports.writePage(PIPELINE, runId, 'source', 2, [drift('001B'), MISMATCH]);
      await reports.writePage(PIPELINE, runId, 'source', 10, [drift('001C')]);
      await reports.writePage(PIPELINE, runId, 'orphans', 1, [ORPHAN]);
      assert.deepEqual(await reports.finish(PIPELINE, summary), paths);
      assert.deepEqual(await contents(paths), before);
      assert.deepEqual((await readdir(dirname(paths.html))).sort(), [
        'report.csv',
        'report.html',
        'report.json',
        'summary.json',
      ]);
    });
  });

  it('reports a run without differences (it wrote no pages)', async () => {
    const reports = reconciliationReports(root, 5);
    const paths = await reports.finish('clean', summaryOf('reconcile-clean-1', '2026-11-24T03:00:00.000Z'));
    assert.deepEqual(JSON.parse(await readFile(paths.json, 'utf8')).differences, []);
    assert.deepEqual(parse(await readFile(paths.csv), { bom: true, columns: true }), []);
    assert.equal((await readFile(paths.html, 'utf8')).match(/None\./g)?.length, 4);
  });

  it('keeps the newest reports of each pipeline and removes the oldest', async () => {
    const reports = reconciliationReports(root, 2);
    const finished = ['2026-11-01', '2026-11-03', '2026-11-02', '2026-11-04'];
    const paths = [];
    for (const [i, day] of finished.entries()) {
      const runId = `reconcile-pruned-${i}`;
      await reports.writePage('pruned', runId, 'source', 1, [drift(`001P${i}`)]);
      paths.push(await reports.finish('pruned', summaryOf(runId, `${day}T02:00:00.000Z`)));
    }
    // An unfinished run is no report yet and is not pruned.
    await reports.writePage('pruned', 'reconcile-pruned-running', 'source', 1, [drift('001RUN')]);
    await reports.finish('other', summaryOf('reconcile-other-0', '2026-10-01T00:00:00.000Z'));

    const listed = await reports.list('pruned');
    assert.deepEqual(
      listed.map((r) => [r.runId, r.finishedAt]),
      [
        ['reconcile-pruned-3', '2026-11-04T02:00:00.000Z'],
        ['reconcile-pruned-1', '2026-11-03T02:00:00.000Z'],
      ],
    );
    assert.deepEqual(listed[0].paths, paths[3]);
    assert.equal(existsSync(dirname(paths[0].html)), false);
    assert.equal(existsSync(dirname(paths[2].html)), false);
    assert.equal(existsSync(join(root, 'pruned', 'reconcile-pruned-running', 'pages')), true);
    assert.equal((await reports.list('other')).length, 1);
    assert.deepEqual(await reports.list('never-ran'), []);
  });

  it('finishes a run of 60,000 differences without holding them, and lists the first of each kind', async () => {
    const PAGES = 120;
    const PER_PAGE = 500;
    const reports = reconciliationReports(root, 5);
    const runId = 'reconcile-large-2026-11-24T02:00:00Z';
    const kinds: DifferenceKind[] = ['VERSION_DRIFT', 'DATA_MISMATCH', 'MISSING', 'DATA_MISMATCH'];
    const padding = 'x'.repeat(200);
    const differenceAt = (n: number): RecordDifference => {
      const kind = kinds[n % kinds.length];
      return {
        recordId: `001L${String(n).padStart(8, '0')}`,
        kind,
        sourceVersion: `v${n}`,
        destinationVersion: `v${n - 1}`,
        ...(kind === 'DATA_MISMATCH'
          ? {
              fields: [
                {
                  field: 'name',
                  source: `name ${n} ${padding}`,
                  destination: `old ${n} ${padding}`,
                  lastSynced: null,
                },
                { field: 'city', source: 'Zürich', destination: 'Zurich', lastSynced: 'Zurich' },
              ],
            }
          : {}),
        note: `note ${n}`,
      };
    };
    for (let page = 0; page < PAGES; page += 1) {
      const first = page * PER_PAGE;
      const differences = Array.from({ length: PER_PAGE }, (_, i) => differenceAt(first + i));
      await reports.writePage('large', runId, page < PAGES - 10 ? 'source' : 'orphans', page, differences);
    }
    const total = PAGES * PER_PAGE;
    const pageBytes = await sizeOf(join(root, 'large', 'reconcile-large-2026-11-24T02~3A00~3A00Z', 'pages'));

    // What finish holds, not the garbage it leaves for later: collect before each sample.
    const heapBefore = heldHeap();
    let heapPeak = heapBefore;
    const sampling = setInterval(() => {
      heapPeak = Math.max(heapPeak, heldHeap());
    }, 25);
    const started = Date.now();
    const paths = await reports.finish(
      'large',
      summaryOf(runId, '2026-11-24T03:00:00.000Z', {
        VERSION_DRIFT: total / 4,
        DATA_MISMATCH: total / 2,
        MISSING: total / 4,
      }),
    );
    clearInterval(sampling);
    const growth = heapPeak - heapBefore;
    console.log(
      `finished ${total} differences (${mb(pageBytes)} of pages) in ${Date.now() - started} ms; ` +
        `heap held at most ${mb(growth)} more; JSON ${mb((await stat(paths.json)).size)}, ` +
        `CSV ${mb((await stat(paths.csv)).size)}, HTML ${mb((await stat(paths.html)).size)}`,
    );
    // Held together, the differences would take more than their bytes on disk.
    assert.ok(growth < pageBytes / 4, `heap held ${mb(growth)} more for ${mb(pageBytes)} of differences`);

    let count = 0;
    let last = '';
    for (const d of JSON.parse(await readFile(paths.json, 'utf8')).differences as RecordDifference[]) {
      assert.ok(d.recordId > last, 'in page order');
      last = d.recordId;
      count += 1;
    }
    assert.equal(count, total);
    const csvRows = parse(await readFile(paths.csv), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    assert.equal(csvRows.length, total / 4 + total / 4 + (total / 2) * 2);

    const html = await readFile(paths.html, 'utf8');
    assert.match(html, /And 10,000 more — see the <a href="report\.csv">CSV<\/a>\./);
    assert.match(html, /And 25,000 more — see the <a href="report\.csv">CSV<\/a>\./);
    assert.equal(html.match(/And [\d,]+ more/g)?.length, 3);
    assert.equal(html.match(/<tr><td[^>]*>001L/g)?.length, 15_000);
  });
});

async function contents(paths: { html: string; json: string; csv: string }) {
  return Promise.all([paths.html, paths.json, paths.csv].map((p) => readFile(p, 'utf8')));
}

async function sizeOf(dir: string): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size;
  return bytes;
}

/** The heap in use after a full collection (node's test runner gives no --expose-gc). */
function heldHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
