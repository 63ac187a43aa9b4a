import { parseArgs } from 'node:util';

export interface BenchOptions {
  records: number;
  latencyMs: number;
  concurrency: number;
  /** SYNC_WINDOW_SIZE; undefined keeps the product's default. */
  window: number | undefined;
  pageSize: number;
  /** The baseline stops after this many records: its rate is the same for any count. */
  baselineRecords: number;
  /** Child histories fetched to count events per record. */
  historySample: number;
  skipBaseline: boolean;
  skipZeroLatency: boolean;
  /** Engine-ceiling runs, each followed by a record-sync run at L = 0 (0 with --skip-ceiling). */
  ceilingPairs: number;
  /** No per-step cost table (each step of record-sync's record path added to the ceiling). */
  skipSteps: boolean;
  /** A git revision whose record-sync also runs in each pair at L = 0: before and after a change. */
  compareWith: string | undefined;
  /** Write a V8 CPU profile of the worker during the L ≈ 0 phase. */
  profile: boolean;
  /** When set, only the problem-records measurement runs, with this many records. */
  problemRecords: number | undefined;
  /** Problem records reported at once in that measurement. */
  reportConcurrency: number;
  /** How many of them the bulk replay takes (the earliest failed); undefined: all. */
  replay: number | undefined;
  /** When set, only the vendor-file measurement runs, with a file of this many rows. */
  vendorRows: number | undefined;
  /** When set, only the reconciliation measurement runs, over this many accounts. */
  reconcile: number | undefined;
  json: string;
}

export const DEFAULT_PROBLEM_RECORDS = 100_000;
export const DEFAULT_VENDOR_ROWS = 100_000;
export const DEFAULT_RECONCILE_RECORDS = 50_000;

const USAGE = `Usage: npm run bench -- [options]

  --records <n>        accounts changed in the Salesforce sandbox (default 5000, up to 50000)
  --latency-ms <ms>    NetSuite sandbox latency per request, L (default 100)
  --concurrency <n>    NetSuite concurrency limit C, and the worker's NETSUITE_MAX_CONCURRENT_REQUESTS (default 10)
  --window <n>         SYNC_WINDOW_SIZE: record workflows in flight per run (default: the product's default)
  --page-size <n>      SYNC_PAGE_SIZE, 200..2000 (default 200)
  --baseline-records <n>  records the sequential baseline syncs before it stops (default 500: at
                       L = 100 ms it takes 50 s; its rate does not depend on the count)
  --history-sample <n> record histories fetched to count events (default 200)
  --skip-baseline      do not run the sequential baseline script
  --skip-zero-latency  do not run record-sync again at L = 0 (nor the engine ceiling, which pairs with it)
  --ceiling-pairs <n>  engine-ceiling runs, each followed by a record-sync run at L = 0, interleaved
                       (default 2; record-sync ÷ ceiling is the median of the pairs)
  --skip-ceiling       no engine ceiling: record-sync runs once at L = 0 (and no per-step table)
  --skip-steps         no per-step cost table (the ceiling with each step of record-sync's record
                       path added alone; about a minute a step at 5000 records)
  --compare-with <rev> also run the record-sync of git revision <rev> (a worktree of this
                       repository) in each pair at L = 0: a change measured before and after in one run
  --profile            CPU-profile the worker during the first L = 0 run (bench/results/profiles)
  --problem-records [n]  instead of the above: create, count, list and bulk-replay n problem records
                       (default 100000, up to 200000); --latency-ms, --concurrency, --window and
                       --history-sample apply to it
  --report-concurrency <n>  problem records reported at once (default 64)
  --replay <n>         with --problem-records: the bulk replay takes only the n that failed first
                       (its filter's "until"), the rest stay open (default: all of them)
  --vendor-rows [n]    instead of the above: load one vendor-a CSV file of n valid rows into
                       PostgreSQL (default 100000, up to 1000000); --window and --history-sample apply
  --reconcile [n]      instead of the above: reconcile n accounts (default 50000, 100..100000) against
                       NetSuite filled as record-sync would have left it, with known differences
                       planted; --latency-ms, --concurrency, --page-size, --window and
                       --history-sample apply
  --json <path>        where to write the figures (default bench/results/latest.json, or
                       bench/results/problem-records.json with --problem-records,
                       bench/results/vendor-files.json with --vendor-rows,
                       bench/results/reconciliation.json with --reconcile)
  --help`;

function whole(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

const COUNT_DEFAULTS: Record<string, number> = {
  '--problem-records': DEFAULT_PROBLEM_RECORDS,
  '--vendor-rows': DEFAULT_VENDOR_ROWS,
  '--reconcile': DEFAULT_RECONCILE_RECORDS,
};

/** `--problem-records`, `--vendor-rows` and `--reconcile` may come without a count: it then means the default. */
function withDefaultCounts(argv: string[]): string[] {
  return argv.flatMap((arg, i) =>
    arg in COUNT_DEFAULTS && (i === argv.length - 1 || argv[i + 1].startsWith('--'))
      ? [arg, String(COUNT_DEFAULTS[arg])]
      : [arg],
  );
}

/** Each measurement writes its own file unless --json says otherwise. */
function defaultJson(
  counts: Record<'problemRecords' | 'vendorRows' | 'reconcile', string | undefined>,
): string {
  if (counts.problemRecords !== undefined) return 'bench/results/problem-records.json';
  if (counts.vendorRows !== undefined) return 'bench/results/vendor-files.json';
  if (counts.reconcile !== undefined) return 'bench/results/reconciliation.json';
  return 'bench/results/latest.json';
}

/** Parses the command line; prints the usage and exits on --help. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: withDefaultCounts(argv),
    options: {
      records: { type: 'string', default: '5000' },
      'latency-ms': { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '10' },
      window: { type: 'string' },
      'page-size': { type: 'string', default: '200' },
      'baseline-records': { type: 'string', default: '500' },
      'history-sample': { type: 'string', default: '200' },
      'skip-baseline': { type: 'boolean', default: false },
      'skip-zero-latency': { type: 'boolean', default: false },
      'ceiling-pairs': { type: 'string', default: '2' },
      'skip-ceiling': { type: 'boolean', default: false },
      'skip-steps': { type: 'boolean', default: false },
      'compare-with': { type: 'string' },
      profile: { type: 'boolean', default: false },
      'problem-records': { type: 'string' },
      'report-concurrency': { type: 'string', default: '64' },
      replay: { type: 'string' },
      'vendor-rows': { type: 'string' },
      reconcile: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const problemRecords = values['problem-records'];
  const vendorRows = values['vendor-rows'];
  const reconcile = values.reconcile;
  if ([problemRecords, vendorRows, reconcile].filter((count) => count !== undefined).length > 1) {
    throw new Error('--problem-records, --vendor-rows and --reconcile are separate measurements: give one');
  }
  const replay = values.replay;
  if (replay !== undefined && problemRecords === undefined) {
    throw new Error('--replay applies to --problem-records only');
  }
  return {
    records: whole('records', values.records, 1, 50_000),
    latencyMs: whole('latency-ms', values['latency-ms'], 0, 10_000),
    concurrency: whole('concurrency', values.concurrency, 1, 1000),
    window: values.window === undefined ? undefined : whole('window', values.window, 1, 1000),
    pageSize: whole('page-size', values['page-size'], 200, 2000),
    baselineRecords: whole('baseline-records', values['baseline-records'], 1, 50_000),
    historySample: whole('history-sample', values['history-sample'], 1, 50_000),
    skipBaseline: values['skip-baseline'],
    skipZeroLatency: values['skip-zero-latency'],
    ceilingPairs: values['skip-ceiling'] ? 0 : whole('ceiling-pairs', values['ceiling-pairs'], 1, 20),
    skipSteps: values['skip-steps'] || values['skip-ceiling'],
    compareWith: values['compare-with'],
    profile: values.profile,
    problemRecords:
      problemRecords === undefined ? undefined : whole('problem-records', problemRecords, 1, 200_000),
    reportConcurrency: whole('report-concurrency', values['report-concurrency'], 1, 1000),
    replay: replay === undefined ? undefined : whole('replay', replay, 1, Number(problemRecords ?? 200_000)),
    vendorRows: vendorRows === undefined ? undefined : whole('vendor-rows', vendorRows, 1, 1_000_000),
    // At least 100 accounts, so that each planted difference has a few (see reconcile-plant.ts).
    reconcile: reconcile === undefined ? undefined : whole('reconcile', reconcile, 100, 100_000),
    json: values.json ?? defaultJson({ problemRecords, vendorRows, reconcile }),
  };
}
