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
  /** Write a V8 CPU profile of the worker during the L ≈ 0 phase. */
  profile: boolean;
  json: string;
}

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
  --skip-zero-latency  do not run record-sync again at L = 0
  --profile            CPU-profile the worker during the L = 0 run (bench/results/profiles)
  --json <path>        where to write the figures (default bench/results/latest.json)
  --help`;

function whole(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** Parses the command line; prints the usage and exits on --help. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
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
      profile: { type: 'boolean', default: false },
      json: { type: 'string', default: 'bench/results/latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
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
    profile: values.profile,
    json: values.json,
  };
}
