import type { BaselineFigures, RecordSyncFigures } from './figures';
import type { BenchOptions } from './options';

export interface Report {
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  options: BenchOptions;
  baseline: BaselineFigures | null;
  recordSync: RecordSyncFigures[];
}

type Column = { title: string; cells: Record<string, string> };

const ROWS = [
  'records',
  'wall time (s)',
  'records/s',
  'fraction of C/L',
  '÷ baseline',
  'latency p50 read→write (ms)',
  'latency p95 read→write (ms)',
  '429s from NetSuite',
  'NetSuite peak concurrency',
  'history events / record',
  '  of which record workflow',
  '  of which run + pipeline',
  'largest history (events)',
  'largest history (KB)',
  'under warning thresholds',
  'worker peak RSS (MB)',
  'worker RSS 1st → last third (MB)',
  'cores busy: worker',
  'cores busy: server',
  'cores busy: sandboxes+bench',
  'cores busy: other processes',
  'a record, p50 (ms): start asked → started',
  '  started → task picked up',
  '  task (workflow + upsert)',
  '  closed → run notified',
];

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
    },
  };
}

function recordSyncColumn(r: RecordSyncFigures, baseline: BaselineFigures | null): Column {
  const sameLatency = baseline && r.latencyMs === baseline.latencyMs;
  return {
    title: `record-sync L=${r.latencyMs}ms`,
    cells: {
      records: String(r.records),
      'wall time (s)': String(r.seconds),
      'records/s': String(r.recordsPerSecond),
      'fraction of C/L': r.fractionOfDestinationLimit === null ? '—' : String(r.fractionOfDestinationLimit),
      '÷ baseline': sameLatency ? `${(r.recordsPerSecond / baseline.recordsPerSecond).toFixed(1)}×` : '',
      'latency p50 read→write (ms)': String(r.latency.p50Ms),
      'latency p95 read→write (ms)': String(r.latency.p95Ms),
      '429s from NetSuite': String(r.status429),
      'NetSuite peak concurrency': String(r.destinationPeakConcurrency),
      'history events / record': String(r.historyEventsPerRecord.total),
      '  of which record workflow': String(r.historyEventsPerRecord.recordWorkflow),
      '  of which run + pipeline': String(r.historyEventsPerRecord.runAndPipelineShare),
      'largest history (events)': String(r.largestHistory.events),
      'largest history (KB)': String(Math.round(r.largestHistory.bytes / 1024)),
      'under warning thresholds': r.largestHistory.underWarningThresholds ? 'yes' : 'NO',
      'worker peak RSS (MB)': String(r.worker.peakRssMb),
      'worker RSS 1st → last third (MB)': `${r.worker.medianRssFirstThirdMb} → ${r.worker.medianRssLastThirdMb}`,
      'cores busy: worker': String(r.coresBusy.worker),
      'cores busy: server': String(r.coresBusy.server),
      'cores busy: sandboxes+bench': String(r.coresBusy.sandboxesAndBench),
      'cores busy: other processes': String(r.coresBusy.otherProcesses),
      'a record, p50 (ms): start asked → started': String(r.recordSteps.startRequestedToStarted),
      '  started → task picked up': String(r.recordSteps.startedToTaskPickedUp),
      '  task (workflow + upsert)': String(r.recordSteps.taskDuration),
      '  closed → run notified': String(r.recordSteps.closedToRunNotified),
    },
  };
}

/** The figures as a plain-text table, one column per measured run. */
export function printTable({ machine, options, baseline, recordSync }: Report): void {
  const ceiling =
    options.latencyMs > 0 ? `${Math.round((options.concurrency * 1000) / options.latencyMs)}` : '∞';
  console.log(
    `\n${options.records} accounts; NetSuite sandbox L = ${options.latencyMs} ms, C = ${options.concurrency} ` +
      `(ceiling C/L = ${ceiling} records/s); page ${options.pageSize}, window ${options.window ?? 'default'}`,
  );
  console.log(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.platform}\n`,
  );
  const columns = [
    ...(baseline ? [baselineColumn(baseline, options.latencyMs)] : []),
    ...recordSync.map((r) => recordSyncColumn(r, baseline)),
  ];
  const labelWidth = Math.max(...ROWS.map((row) => row.length));
  const widths = columns.map((c) => Math.max(c.title.length, ...Object.values(c.cells).map((v) => v.length)));
  const line = (label: string, cells: string[]) =>
    `${label.padEnd(labelWidth)}  ${cells.map((cell, i) => cell.padStart(widths[i])).join('  ')}`;
  console.log(
    line(
      '',
      columns.map((c) => c.title),
    ),
  );
  for (const row of ROWS)
    console.log(
      line(
        row,
        columns.map((c) => c.cells[row] ?? ''),
      ),
    );
  console.log('');
}
