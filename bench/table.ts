import {
  BUSY_MACHINE_CORES,
  type BaselineFigures,
  type CeilingFigures,
  type CeilingPair,
  type CoresBusy,
  type RecordSyncFigures,
  type Spread,
} from './figures';
import type { StepTable } from './steps';
import type { BenchOptions } from './options';

export interface Report {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  options: BenchOptions;
  /** os.loadavg() (1, 5, 15 min) before the first measurement and after the last. */
  loadAverage: { before: number[]; after: number[] };
  baseline: BaselineFigures | null;
  recordSync: RecordSyncFigures[];
  ceilingPairs: CeilingPair[];
  /** record-sync ÷ ceiling over the pairs. */
  ceilingRatio: Spread | null;
  /** `--compare-with`: the other revision's record-sync ÷ the same ceilings. */
  compared: { commit: string; ceilingRatio: Spread | null } | null;
  steps: StepTable | null;
}

type Column = { title: string; cells: Record<string, string> };

const ROWS = [
  'records',
  'wall time (s)',
  'records/s',
  'fraction of C/L',
  '÷ baseline',
  '÷ engine ceiling (its pair)',
  'latency p50 read→write (ms)',
  'latency p95 read→write (ms)',
  '429s from NetSuite',
  'NetSuite peak concurrency',
  'NetSuite writes',
  'NetSuite SuiteQL requests (per page)',
  'SuiteQL ms per page (in the sandbox)',
  'SuiteQL share of run time',
  'read activity ms per page',
  'page start / end ms per page',
  'page start + end share of run time',
  'history events / record',
  '  of which record workflow',
  '  of which run + pipeline',
  'largest history (events)',
  'largest history (KB)',
  'under warning thresholds',
  'worker peak RSS (MB)',
  'worker RSS 1st → last third (MB)',
  'CPU ms / record: worker',
  '  server',
  '  sandboxes+bench',
  'cores busy: worker',
  'cores busy: server',
  'cores busy: sandboxes+bench',
  'cores busy: other processes',
  'a record, p50 (ms): start asked → started',
  '  started → task picked up',
  '  task (workflow + upsert)',
  '  closed → run notified',
];

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function coresCells(cores: CoresBusy | null): Record<string, string> {
  if (!cores) return {};
  return {
    'cores busy: worker': String(cores.worker),
    'cores busy: server': String(cores.server),
    'cores busy: sandboxes+bench': String(cores.sandboxesAndBench),
    'cores busy: other processes':
      String(cores.otherProcesses) + (cores.otherProcesses > BUSY_MACHINE_CORES ? ' BUSY' : ''),
  };
}

function baselineColumn(b: BaselineFigures, latencyMs: number): Column {
  return {
    title: `baseline L=${latencyMs}ms`,
    cells: {
      records: String(b.records),
      'wall time (s)': String(b.seconds),
      'records/s': String(b.recordsPerSecond),
      'latency p50 read→write (ms)': String(b.latency.p50Ms),
      'latency p95 read→write (ms)': String(b.latency.p95Ms),
      '429s from NetSuite': String(b.status429),
      'NetSuite peak concurrency': '1',
      ...coresCells(b.coresBusy),
    },
  };
}

function recordSyncColumn(
  r: RecordSyncFigures,
  baseline: BaselineFigures | null,
  pair?: CeilingPair,
): Column {
  const sameLatency = baseline && r.latencyMs === baseline.latencyMs;
  const reads = r.destinationReads;
  return {
    title: r.label,
    cells: {
      records: String(r.records),
      'wall time (s)': String(r.seconds),
      'records/s': String(r.recordsPerSecond),
      'fraction of C/L': r.fractionOfDestinationLimit === null ? '—' : String(r.fractionOfDestinationLimit),
      '÷ baseline': sameLatency ? `${(r.recordsPerSecond / baseline.recordsPerSecond).toFixed(1)}×` : '',
      '÷ engine ceiling (its pair)': pair ? pair.ratio.toFixed(2) : '',
      'latency p50 read→write (ms)': String(r.latency.p50Ms),
      'latency p95 read→write (ms)': String(r.latency.p95Ms),
      '429s from NetSuite': String(r.status429),
      'NetSuite peak concurrency': String(r.destinationPeakConcurrency),
      'NetSuite writes': String(reads.writes),
      'NetSuite SuiteQL requests (per page)': `${reads.suiteQlRequests} (${reads.suiteQlPerPage})`,
      'SuiteQL ms per page (in the sandbox)': String(reads.suiteQlMsPerPage),
      'SuiteQL share of run time': percent(reads.suiteQlShareOfRunTime),
      'read activity ms per page': String(reads.readActivityMsPerPage),
      'page start / end ms per page': `${reads.pageSteps.startMsPerPage} / ${reads.pageSteps.endMsPerPage}`,
      'page start + end share of run time': percent(reads.pageSteps.shareOfRunTime),
      'history events / record': String(r.historyEventsPerRecord.total),
      '  of which record workflow': String(r.historyEventsPerRecord.recordWorkflow),
      '  of which run + pipeline': String(r.historyEventsPerRecord.runAndPipelineShare),
      'largest history (events)': String(r.largestHistory.events),
      'largest history (KB)': String(Math.round(r.largestHistory.bytes / 1024)),
      'under warning thresholds': r.largestHistory.underWarningThresholds ? 'yes' : 'NO',
      'worker peak RSS (MB)': String(r.worker.peakRssMb),
      'worker RSS 1st → last third (MB)': `${r.worker.medianRssFirstThirdMb} → ${r.worker.medianRssLastThirdMb}`,
      'CPU ms / record: worker': String(r.cpuPerRecord.workerMs),
      '  server': String(r.cpuPerRecord.serverMs),
      '  sandboxes+bench': String(r.cpuPerRecord.sandboxesAndBenchMs),
      ...coresCells(r.coresBusy),
      'a record, p50 (ms): start asked → started': String(r.recordSteps.startRequestedToStarted),
      '  started → task picked up': String(r.recordSteps.startedToTaskPickedUp),
      '  task (workflow + upsert)': String(r.recordSteps.taskDuration),
      '  closed → run notified': String(r.recordSteps.closedToRunNotified),
    },
  };
}

const CEILING_ROWS = [
  'records',
  'wall time (s)',
  'records/s',
  'record-sync ÷ ceiling',
  'CPU ms / record: worker',
  '  server',
  '  sandboxes+bench',
  'history events / record',
  '  of which record workflow',
  '  of which runs (+ pipeline)',
  'largest history (events)',
  'largest history (KB)',
  'worker peak RSS (MB)',
  'page start / end ms per page',
  'a record, p50 (ms): start asked → started',
  '  started → task picked up',
  '  task (workflow + local activity)',
  '  closed → run notified',
  'cores busy: worker',
  'cores busy: server',
  'cores busy: other processes',
];

function ceilingColumn(c: CeilingFigures): Column {
  return {
    title: c.label,
    cells: {
      records: String(c.records),
      'wall time (s)': String(c.seconds),
      'records/s': String(c.recordsPerSecond),
      'CPU ms / record: worker': String(c.cpuPerRecord.workerMs),
      '  server': String(c.cpuPerRecord.serverMs),
      '  sandboxes+bench': String(c.cpuPerRecord.sandboxesAndBenchMs),
      'history events / record': String(c.historyEventsPerRecord.total),
      '  of which record workflow': String(c.historyEventsPerRecord.recordWorkflow),
      '  of which runs (+ pipeline)': String(c.historyEventsPerRecord.runShare),
      'largest history (events)': String(c.largestHistory.events),
      'largest history (KB)': String(Math.round(c.largestHistory.bytes / 1024)),
      'worker peak RSS (MB)': String(c.workerPeakRssMb),
      'page start / end ms per page': `${c.pageSteps.startMsPerPage} / ${c.pageSteps.endMsPerPage}`,
      'a record, p50 (ms): start asked → started': String(c.recordSteps.startRequestedToStarted),
      '  started → task picked up': String(c.recordSteps.startedToTaskPickedUp),
      '  task (workflow + local activity)': String(c.recordSteps.taskDuration),
      '  closed → run notified': String(c.recordSteps.closedToRunNotified),
      ...coresCells(c.coresBusy),
    },
  };
}

/** record-sync's cells in the ceiling table: the same figures under the ceiling's row names. */
function recordSyncBesideCeiling(pair: CeilingPair): Column {
  const r = pair.recordSync;
  const column = recordSyncColumn(r, null, pair);
  return {
    title: r.label,
    cells: {
      ...column.cells,
      'record-sync ÷ ceiling': pair.ratio.toFixed(2),
      '  of which runs (+ pipeline)': String(r.historyEventsPerRecord.runAndPipelineShare),
      '  task (workflow + local activity)': String(r.recordSteps.taskDuration),
    },
  };
}

function printColumns(rows: string[], columns: Column[]): void {
  const labelWidth = Math.max(...rows.map((row) => row.length));
  const widths = columns.map((c) => Math.max(c.title.length, ...Object.values(c.cells).map((v) => v.length)));
  const line = (label: string, cells: string[]) =>
    `${label.padEnd(labelWidth)}  ${cells.map((cell, i) => cell.padStart(widths[i])).join('  ')}`.trimEnd();
  console.log(
    line(
      '',
      columns.map((c) => c.title),
    ),
  );
  for (const row of rows)
    console.log(
      line(
        row,
        columns.map((c) => c.cells[row] ?? ''),
      ),
    );
  console.log('');
}

/** Every measurement whose machine was busy with other work, and how busy. */
function busyRuns({ baseline, recordSync, ceilingPairs, steps }: Report): string[] {
  const runs: { label: string; cores: CoresBusy | null }[] = [
    ...(baseline ? [{ label: 'baseline', cores: baseline.coresBusy }] : []),
    ...recordSync.map((r) => ({ label: r.label, cores: r.coresBusy })),
    ...ceilingPairs.map((p) => ({ label: p.ceiling.label, cores: p.ceiling.coresBusy })),
    ...(steps?.steps ?? []).map((step) => ({ label: step.figures.label, cores: step.figures.coresBusy })),
  ];
  return runs
    .filter(({ cores }) => cores !== null && cores.otherProcesses > BUSY_MACHINE_CORES)
    .map(({ label, cores }) => `${label} ${cores!.otherProcesses}`);
}

/** The figures as plain-text tables: record-sync and the baseline, then the engine ceiling beside record-sync. */
export function printTable(report: Report): void {
  const { machine, options, baseline, recordSync, ceilingPairs, ceilingRatio, loadAverage } = report;
  const ceiling =
    options.latencyMs > 0 ? `${Math.round((options.concurrency * 1000) / options.latencyMs)}` : '∞';
  const busy = busyRuns(report);
  const busyLine =
    `BUSY MACHINE: figures not for the README (other processes used more than ${BUSY_MACHINE_CORES} ` +
    `cores on average during: ${busy.join(', ')}; load average ${loadAverage.before[0].toFixed(1)} before, ` +
    `${(loadAverage.after[0] ?? NaN).toFixed(1)} after)`;
  console.log(
    `\n${options.records} accounts; NetSuite sandbox L = ${options.latencyMs} ms, C = ${options.concurrency} ` +
      `(ceiling C/L = ${ceiling} records/s); page ${options.pageSize}, window ${options.window ?? 'default'}`,
  );
  console.log(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.platform}`,
  );
  if (busy.length > 0) console.log(busyLine);
  console.log('');

  const pairOf = (r: RecordSyncFigures) => ceilingPairs.find((p) => p.recordSync === r);
  printColumns(ROWS, [
    ...(baseline ? [baselineColumn(baseline, options.latencyMs)] : []),
    ...recordSync.map((r) => recordSyncColumn(r, baseline, pairOf(r))),
  ]);
  for (const r of recordSync) {
    const reads = r.destinationReads;
    console.log(
      `${r.label}: destination reads per page: ${reads.suiteQlPerPage} SuiteQL, ` +
        `${reads.suiteQlMsPerPage} ms per page, ${percent(reads.suiteQlShareOfRunTime)} of run time ` +
        `(${reads.suiteQlRequests} SuiteQL requests, ${reads.suiteQlMs} ms in all, and ${reads.writes} ` +
        `writes for ${reads.pageSteps.pages} pages)`,
    );
  }
  console.log('');

  if (ceilingPairs.length > 0) {
    const { pageSize, windowSize, tuning } = ceilingPairs[0].ceiling;
    console.log(
      `Engine ceiling beside record-sync at L = 0, interleaved: one child workflow per record with one ` +
        `no-op local activity; page ${pageSize}, window ${windowSize}; worker as src/workers.ts tunes ` +
        `record-sync's (nonStickyToStickyPollRatio ${tuning.nonStickyToStickyPollRatio}, ` +
        `${tuning.maxConcurrentLocalActivityExecutions} local-activity slots)`,
    );
    console.log('');
    printColumns(
      CEILING_ROWS,
      ceilingPairs.flatMap((pair) => [
        ceilingColumn(pair.ceiling),
        recordSyncBesideCeiling(pair),
        ...(pair.compared ? [recordSyncBesideCeiling({ ...pair, ...pair.compared })] : []),
      ]),
    );
  }

  if (report.steps) printSteps(report.steps, ceilingPairs);

  const atL = recordSync.find((r) => r.latencyMs === options.latencyMs && r.latencyMs > 0);
  if (ceilingRatio) {
    const spread =
      ceilingRatio.count > 1 ? ` (${ceilingRatio.min.toFixed(2)}–${ceilingRatio.max.toFixed(2)})` : '';
    console.log(
      `record-sync ÷ engine ceiling (L = 0):  ${ceilingRatio.median.toFixed(2)}, median of ` +
        `${ceilingRatio.count} pair${ceilingRatio.count > 1 ? 's' : ''}${spread}`,
    );
  }
  const compared = report.compared?.ceilingRatio;
  if (compared) {
    console.log(
      `record-sync@${report.compared!.commit} ÷ engine ceiling: ${compared.median.toFixed(2)}, median of ` +
        `${compared.count} (${compared.min.toFixed(2)}–${compared.max.toFixed(2)}), the same ceilings`,
    );
  }
  if (atL && atL.fractionOfDestinationLimit !== null) {
    console.log(
      `record-sync ÷ C/L (L = ${atL.latencyMs} ms):     ${atL.fractionOfDestinationLimit.toFixed(3)}`,
    );
  }
  if (atL && baseline) {
    console.log(
      `record-sync ÷ baseline (L = ${atL.latencyMs} ms): ${(atL.recordsPerSecond / baseline.recordsPerSecond).toFixed(1)}×`,
    );
  }
  if (busy.length > 0) console.log(`\n${busyLine}`);
  console.log('');
}

const signed = (value: number, digits: number) =>
  `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
const middle = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
};

/** The per-step cost table: the ceiling, each step added alone, and record-sync itself, at L = 0. */
function printSteps(table: StepTable, pairs: CeilingPair[]): void {
  const { ceiling } = table;
  console.log(
    `Per-step cost at L = 0: the engine ceiling with one step of record-sync's record path added ` +
      `(bench/steps.ts), ${table.records} records a run; against the median of the ${pairs.length} ` +
      `ceiling run(s) above`,
  );
  console.log('');
  const rows = [
    [
      'step',
      'records/s',
      'vs ceiling',
      'worker CPU ms/rec',
      'server CPU ms/rec',
      'events/rec',
      'other cores',
    ],
    [
      'engine ceiling (median)',
      ceiling.recordsPerSecond.median.toFixed(1),
      '',
      ceiling.workerCpuMs.toFixed(2),
      ceiling.serverCpuMs.toFixed(2),
      ceiling.events.toFixed(1),
      '',
    ],
    ...table.steps.map((step) => [
      `+ ${step.name}`,
      step.figures.recordsPerSecond.toFixed(1),
      `${signed(step.rateChange * 100, 1)} %`,
      signed(step.workerCpuMs, 2),
      signed(step.serverCpuMs, 2),
      signed(step.events, 1),
      step.figures.coresBusy.otherProcesses.toFixed(2),
    ]),
    [
      'record-sync (median of the pairs)',
      middle(pairs.map((p) => p.recordSync.recordsPerSecond)).toFixed(1),
      `${signed((middle(pairs.map((p) => p.ratio)) - 1) * 100, 1)} %`,
      signed(middle(pairs.map((p) => p.recordSync.cpuPerRecord.workerMs)) - ceiling.workerCpuMs, 2),
      signed(middle(pairs.map((p) => p.recordSync.cpuPerRecord.serverMs)) - ceiling.serverCpuMs, 2),
      signed(middle(pairs.map((p) => p.recordSync.historyEventsPerRecord.total)) - ceiling.events, 1),
      '',
    ],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) {
    console.log(
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '),
    );
  }
  console.log('');
  for (const step of table.steps) console.log(`  ${step.name}: ${step.what}`);
  console.log('');
}
