import { BUSY_MACHINE_CORES } from './figures';
import { HISTORY_WARNING } from './histories';
import type { BenchOptions } from './options';
import type { LargestHistory } from './problem-records';
import type { Report } from './table';
import type { VendorFilesFigures } from './vendor-files';

export interface VendorFilesReport {
  machine: Report['machine'];
  options: BenchOptions;
  vendorFiles: VendorFilesFigures;
}

const KB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const history = (h: LargestHistory) => `${h.events} events, ${KB(h.bytes)}  (${h.workflowId})`;

/** The vendor-file measurement as plain text, one figure a line. */
export function printVendorTable({ machine, vendorFiles: v }: VendorFilesReport): void {
  const busy =
    v.coresBusy.otherProcesses > BUSY_MACHINE_CORES
      ? `BUSY MACHINE: figures not for the README (other processes used ${v.coresBusy.otherProcesses} cores)`
      : '';
  console.log(
    `\n${v.rows} vendor-a rows (${v.file.name}, ${v.file.megabytes} MB, written in ${v.file.writeSeconds} s); ` +
      `VENDOR_PAGE_SIZE ${v.pageSize} (at most), SYNC_WINDOW_SIZE ${v.windowSize}`,
  );
  console.log(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.platform}; ` +
      `load average ${v.loadAverage.before.join(' ')} before, ${v.loadAverage.after.join(' ')} after\n`,
  );
  if (busy) console.log(`${busy}\n`);
  const { worker: w, largestHistory: h, database: d } = v;
  const rows: [string, string][] = [
    ['rows', String(v.rows)],
    ['wall time (start → result)', `${v.seconds} s`],
    ['rows/s', String(v.rowsPerSecond)],
    ['run counts', JSON.stringify(v.counts)],
    [
      'pages (runs of the chain)',
      `${v.pages} (${h.run.runs}): ${v.pageRows.first} rows the first, then up to ${v.pageRows.most}`,
    ],
    [
      'read activity after page 1: first / p50 / last',
      `${v.readActivityMs.first} / ${v.readActivityMs.p50} / ${v.readActivityMs.last} ms`,
    ],
    ['last page end (reconcile, archive)', `${v.lastPageEndMs} ms`],
    [
      'CPU ms / row: worker / server / PostgreSQL / bench',
      `${v.cpuMsPerRow.worker} / ${v.cpuMsPerRow.server} / ${v.cpuMsPerRow.postgres} / ${v.cpuMsPerRow.bench}`,
    ],
    [
      'cores busy: worker / server / PostgreSQL / bench / other',
      `${v.coresBusy.worker} / ${v.coresBusy.server} / ${v.coresBusy.postgres} / ${v.coresBusy.bench} / ` +
        `${v.coresBusy.otherProcesses}${busy ? ' BUSY' : ''}`,
    ],
    ['worker RSS start / peak / end', `${w.startRssMb} / ${w.peakRssMb} / ${w.endRssMb} MB`],
    ['worker RSS by quarter (median)', `${w.quarterMediansMb.join(' → ')} MB`],
    [
      'worker RSS, second half',
      `${w.secondHalfSlopeMbPerMinute} MB/min (${w.secondHalfSlopeMbPer10kRows} MB per 10,000 rows), ` +
        `${w.secondHalfGrowthMb} MB over it: ${w.flat ? 'flat' : 'GROWING'}`,
    ],
    [`largest history: syncRun run (of ${h.run.runs})`, history(h.run)],
    ['largest history: pipeline owner', history(h.owner)],
    [`largest history: row workflow (${h.row.sampled} sampled)`, history(h.row)],
    [
      `under warning thresholds (${HISTORY_WARNING.events} events, ${HISTORY_WARNING.bytes / 1024 ** 2} MB)`,
      h.underWarningThresholds ? 'yes' : 'NO',
    ],
    [
      'largest payload, event (largest run)',
      `${v.largestPayload.bytes} B (${v.largestPayload.eventType}), ${v.largestPayload.largestEventBytes} B`,
    ],
    ['performance_records / audit_log rows', `${d.performanceRecords} / ${d.auditRows}`],
    ['reconciliation', JSON.stringify(d.reconciliation)],
    ['file load', d.fileLoad],
    ['database size', `${d.megabytes} MB`],
    ['checks', v.failedChecks.length === 0 ? 'all passed' : `FAILED: ${v.failedChecks.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  console.log(busy ? `\n${busy}\n` : '');
}
