import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline as streamed } from 'node:stream/promises';
import type { ReconciliationSummary } from '../domain/sync';
import type { RecordDifference } from '../pipelines/contract';
import { directoryName } from './directory-name';
import { CSV_HEAD, csvLines } from './report-csv';
import { reportPage } from './report-html';

export type ReconciliationPhase = 'source' | 'orphans';
/** The source pass's pages come first in every report, then the orphan pass's. */
const PHASES: readonly ReconciliationPhase[] = ['source', 'orphans'];
const PAGE_FILE = /^(source|orphans)-(\d+)\.ndjson$/;

export interface ReportPaths {
  html: string;
  json: string;
  csv: string;
}

export interface StoredReport {
  runId: string;
  finishedAt: string;
  paths: ReportPaths;
}

export interface ReportOptions {
  /** How many differences of each kind the HTML page lists; the JSON and CSV always hold all. */
  htmlRowsPerKind?: number;
}

/**
 * Reconciliation reports on disk: `<root>/<pipeline>/<run>/` holds a run's pages while it runs
 * (one file per page, one difference per line) and report.json, report.csv and report.html once
 * it finished, with summary.json, written last, marking it finished. Differences are streamed
 * from the page files, never held together: a run can have tens of thousands.
 *
 * Every write goes to a temp file of its own and is renamed into place, so an activity retried
 * after a crash, or still running beside its retry, never leaves a half-written file.
 */
export function reconciliationReports(root: string, kept: number, options: ReportOptions = {}) {
  if (!Number.isSafeInteger(kept) || kept < 1) throw new RangeError(`keep at least one report, not ${kept}`);
  const rowsPerKind = options.htmlRowsPerKind ?? 5_000;
  const pipelineDir = (pipeline: string) => join(resolve(root), directoryName(pipeline));
  const runDir = (pipeline: string, runId: string) => join(pipelineDir(pipeline), directoryName(runId));
  const pathsIn = (dir: string): ReportPaths => ({
    html: join(dir, 'report.html'),
    json: join(dir, 'report.json'),
    csv: join(dir, 'report.csv'),
  });

  async function list(pipeline: string): Promise<StoredReport[]> {
    const dir = pipelineDir(pipeline);
    const reports: StoredReport[] = [];
    for (const run of await entriesOf(dir)) {
      const summary = await finishedSummary(join(dir, run));
      if (summary)
        reports.push({
          runId: summary.runId,
          finishedAt: summary.finishedAt,
          paths: pathsIn(join(dir, run)),
        });
    }
    return reports.sort(
      (a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt) || (a.runId < b.runId ? 1 : -1),
    );
  }

  /** Removes the oldest beyond `kept`, never the one just finished; unfinished runs are left alone. */
  async function prune(pipeline: string, finishedRunId: string): Promise<void> {
    const others = (await list(pipeline)).filter((r) => r.runId !== finishedRunId);
    for (const old of others.slice(kept - 1).reverse()) {
      const dir = dirname(old.paths.html);
      // Unlisted first, so a removal cut short is never shown as a report.
      await rm(join(dir, SUMMARY), { force: true });
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    /** Writes one page's differences (idempotent: a retried activity overwrites the same page file). */
    async writePage(
      pipeline: string,
      runId: string,
      phase: ReconciliationPhase,
      page: number,
      differences: RecordDifference[],
    ): Promise<void> {
      if (!PHASES.includes(phase)) throw new RangeError(`no reconciliation phase ${String(phase)}`);
      if (!Number.isSafeInteger(page) || page < 0) throw new RangeError(`no page number ${page}`);
      const pages = join(runDir(pipeline, runId), PAGES);
      const file = join(pages, `${phase}-${String(page).padStart(6, '0')}.ndjson`);
      // A retry that now finds nothing must not leave what the first attempt found.
      if (differences.length === 0) return rm(file, { force: true });
      await mkdir(pages, { recursive: true });
      await writeAtomically(file, [differences.map((d) => `${JSON.stringify(d)}\n`).join('')]);
    },

    /**
     * Assembles report.json, report.csv and report.html from the page files, streaming; removes
     * the page files; prunes the pipeline's reports beyond `kept` (oldest first); returns the
     * paths. The same pages and summary give the same files byte for byte, so a retry may redo
     * it all; once the pages are gone and the report is marked finished it only returns the paths.
     */
    async finish(pipeline: string, summary: ReconciliationSummary): Promise<ReportPaths> {
      const dir = runDir(pipeline, summary.runId);
      const paths = pathsIn(dir);
      const pages = await pageFiles(join(dir, PAGES));
      if (pages.length > 0 || !(await finishedSummary(dir))) {
        await mkdir(dir, { recursive: true });
        const differences = () => differencesIn(pages);
        await Promise.all([
          writeAtomically(paths.json, reportJson(pipeline, summary, differences())),
          writeAtomically(paths.csv, reportCsv(differences())),
          writeAtomically(paths.html, reportPage(pipeline, summary, differences, rowsPerKind)),
        ]);
        await writeAtomically(join(dir, SUMMARY), [`${JSON.stringify(summary, null, 2)}\n`]);
        await rm(join(dir, PAGES), { recursive: true, force: true });
        await removeTempFiles(dir);
      }
      await prune(pipeline, summary.runId);
      return paths;
    },

    /** The pipeline's reports, newest first: runId, finishedAt, paths. */
    list,
  };
}

const PAGES = 'pages';
const SUMMARY = 'summary.json';
const TEMP = /\.[0-9a-f-]{36}\.tmp$/;

async function* reportJson(
  pipeline: string,
  summary: ReconciliationSummary,
  differences: AsyncIterable<RecordDifference>,
): AsyncGenerator<string> {
  yield `{"pipeline":${JSON.stringify(pipeline)},"summary":${JSON.stringify(summary)},"differences":[`;
  let first = true;
  for await (const d of differences) {
    yield `${first ? '' : ','}\n${JSON.stringify(d)}`;
    first = false;
  }
  yield '\n]}\n';
}

async function* reportCsv(differences: AsyncIterable<RecordDifference>): AsyncGenerator<string> {
  yield CSV_HEAD;
  for await (const d of differences) yield csvLines(d);
}

/** The run's page files in report order: source pages, then orphan pages, each by number. */
async function pageFiles(dir: string): Promise<string[]> {
  return (await entriesOf(dir))
    .map((name) => ({ name, match: PAGE_FILE.exec(name) }))
    .filter((p): p is { name: string; match: RegExpExecArray } => p.match !== null)
    .map(({ name, match }) => ({
      path: join(dir, name),
      phase: PHASES.indexOf(match[1] as ReconciliationPhase),
      page: Number(match[2]),
    }))
    .sort((a, b) => a.phase - b.phase || a.page - b.page)
    .map((p) => p.path);
}

async function* differencesIn(pages: string[]): AsyncGenerator<RecordDifference> {
  for (const page of pages) {
    const lines = createInterface({ input: createReadStream(page, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') yield JSON.parse(line) as RecordDifference;
  }
}

/** What a finished run's summary.json says; null while it runs (or if it never finished). */
async function finishedSummary(dir: string): Promise<ReconciliationSummary | null> {
  try {
    return JSON.parse(await readFile(join(dir, SUMMARY), 'utf8')) as ReconciliationSummary;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function writeAtomically(
  path: string,
  chunks: Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await streamed(Readable.from(batched(chunks)), createWriteStream(temp));
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Joins small pieces (a line each) into writes of about 64 KiB: one write per line is slow. */
async function* batched(chunks: Iterable<string> | AsyncIterable<string>): AsyncGenerator<string> {
  let batch = '';
  for await (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= 65_536) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

/** Temp files an attempt that crashed left behind (one still running then fails, and is retried). */
async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await entriesOf(dir)) if (TEMP.test(name)) await rm(join(dir, name), { force: true });
}

async function entriesOf(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';
