import { HISTORY_WARNING } from './histories';
import type { BenchOptions } from './options';
import type { LargestRun, PassFigures, ReconciliationFigures } from './reconcile-figures';
import type { Report } from './table';

export interface ReconciliationReport {
  machine: Report['machine'];
  options: BenchOptions;
  reconciliation: ReconciliationFigures;
}

const KB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const history = (h: LargestRun) => `${h.events} events, ${KB(h.bytes)} of ${h.of}  (${h.workflowId})`;
const passLine = (p: PassFigures) =>
  `${p.recordsPerSecond}/s: ${p.records} in ${p.seconds} s, ${p.pages} pages ` +
  `(page activity p50 ${p.pageActivityMs.p50} ms, max ${p.pageActivityMs.max} ms)`;
const agrees = (found: unknown, expected: unknown) =>
  JSON.stringify(found) === JSON.stringify(expected) ? 'as planted' : 'MISMATCH';

/** The reconciliation measurement as plain text, one figure a line. */
export function printReconciliationTable({ machine, reconciliation: r }: ReconciliationReport): void {
  const busy = r.busyMachine
    ? `BUSY MACHINE: figures not for the README (other processes used ${r.coresBusy.otherProcesses} cores)`
    : '';
  const { settings: s, netsuite: ns, found, expected } = r;
  console.log(
    `\nReconciliation of ${r.records} accounts; NetSuite sandbox L = ${s.latencyMs} ms, C = ${s.concurrency} ` +
      `(NETSUITE_MAX_CONCURRENT_REQUESTS ${s.concurrency}), SYNC_PAGE_SIZE ${s.pageSize}`,
  );
  console.log(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.platform}; ` +
      `load average ${r.loadAverage.before.join(' ')} before, ${r.loadAverage.after.join(' ')} after\n`,
  );
  if (busy) console.log(`${busy}\n`);
  const h = r.largestHistory;
  const rows: [string, string][] = [
    [
      'setup (not timed in the run)',
      `built ${r.records} customers in ${r.setup.buildSeconds} s, seeded ${r.setup.customersSeeded} in ` +
        `${r.setup.seedSeconds} s; ${r.setup.refusedByNetSuite} refused by NetSuite held as problem records ` +
        `(${r.setup.heldProblemsSeconds} s); ${r.setup.unmappable} unmappable`,
    ],
    ['wall time (start → result)', `${r.seconds} s`],
    ['records reconciled/s (accounts ÷ wall time)', String(r.recordsPerSecond)],
    ['source pass', passLine(r.source)],
    ['source pass without its re-syncs', `${r.source.compareRecordsPerSecond}/s`],
    ['orphan pass (customers)', passLine(r.orphans)],
    [
      'repair part (re-syncs, in the source pass)',
      `${r.repair.seconds} s, ${r.repair.recordWorkflows} record workflows over ${r.repair.pagesWithResyncs} pages`,
    ],
    ['finish (report files, owner told)', `${r.finishSeconds} s`],
    [
      'differences found / planted',
      `${JSON.stringify(found.differences)} / ${JSON.stringify(expected.differences)}: ` +
        agrees(found.differences, expected.differences),
    ],
    [
      'matching, held found / expected',
      `${found.matching}, ${found.held} / ${expected.matching}, ${expected.held}: ` +
        agrees([found.matching, found.held], [expected.matching, expected.held]),
    ],
    [
      'repairs done / expected',
      `${JSON.stringify(found.repaired)} / ${JSON.stringify(expected.repaired)}: ` +
        agrees(found.repaired, expected.repaired),
    ],
    ['open problem records after', JSON.stringify(r.problemRecords)],
    [
      'NetSuite requests: all / SuiteQL / writes / other',
      `${ns.requests} / ${ns.suiteQl} / ${ns.writes} / ${ns.other}  (by status ${JSON.stringify(ns.byStatus)})`,
    ],
    [
      'NetSuite peak concurrency / limit, 429s',
      `${ns.peakConcurrency} / ${ns.concurrencyLimit}, ${ns.status429}`,
    ],
    [
      'SuiteQL time in the sandbox: total, per query',
      `${ns.suiteQlMs.total} ms, ${ns.suiteQlMs.perQuery} ms`,
    ],
    [
      'Salesforce API calls (queries, pages); time in the sandbox',
      `${r.salesforce.requests} (${r.salesforce.queries} queries, ${r.salesforce.pages} pages); ${r.salesforce.ms} ms`,
    ],
    [
      'CPU ms / record: worker / server / bench',
      `${r.cpuMsPerRecord.worker} / ${r.cpuMsPerRecord.server} / ${r.cpuMsPerRecord.bench}`,
    ],
    [
      'cores busy: worker / server / bench / other',
      `${r.coresBusy.worker} / ${r.coresBusy.server} / ${r.coresBusy.bench} / ${r.coresBusy.otherProcesses}` +
        (busy ? ' BUSY' : ''),
    ],
    ['worker RSS peak', `${r.workerPeakRssMb} MB`],
    ['largest history: reconciliation run', history(h.run)],
    ['largest history: pipeline owner', history(h.owner)],
    ['largest history: re-sync record workflow', history(h.recordWorkflow)],
    ['largest history: problem record', history(h.problemRecord)],
    [
      `under warning thresholds (${HISTORY_WARNING.events} events, ${HISTORY_WARNING.bytes / 1024 ** 2} MB)`,
      h.underWarningThresholds ? 'yes' : 'NO',
    ],
    [
      'largest payload, event',
      `${r.largestPayload.bytes} B (${r.largestPayload.eventType}), ${r.largestPayload.largestEventBytes} B`,
    ],
    [
      'report files: HTML / JSON / CSV',
      `${KB(r.reportFiles.html)} / ${KB(r.reportFiles.json)} / ${KB(r.reportFiles.csv)}`,
    ],
    ['checks', r.failedChecks.length === 0 ? 'all passed' : `FAILED: ${r.failedChecks.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  console.log(busy ? `\n${busy}\n` : '');
}
