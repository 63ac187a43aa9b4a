import type { BenchOptions } from './options';
import type { LargestHistory, ProblemRecordsFigures } from './problem-records';
import type { Report } from './table';

export interface ProblemRecordsReport {
  machine: Report['machine'];
  options: BenchOptions;
  problemRecords: ProblemRecordsFigures;
}

const KB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const history = (h: LargestHistory) => `${h.events} events, ${KB(h.bytes)}  (${h.workflowId})`;

function printRows(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
}

/** The problem-records measurement as plain text: one line per phase, then the figures. */
export function printProblemTable({ machine, options, problemRecords: p }: ProblemRecordsReport): void {
  console.log(
    `\n${p.records} problem records; reported ${options.reportConcurrency} at a time; ` +
      `bulk replay of ${p.replay.records === p.records ? 'all' : `the first ${p.replay.records}`}, 200 a page, ` +
      `${p.replay.bulkConcurrency} at a time; NetSuite sandbox L = ${options.latencyMs} ms, C = ${options.concurrency}`,
  );
  console.log(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.platform}; ` +
      `load average ${p.loadAverage.before.join(' ')} before, ${p.loadAverage.after.join(' ')} after\n`,
  );

  const head = [
    'phase',
    'wall (s)',
    'records/s',
    'cores: worker',
    'server',
    'bench',
    'other',
    'worker peak RSS (MB)',
  ];
  const lines = p.phases.map((ph) => [
    ph.name,
    String(ph.seconds),
    ph.recordsPerSecond === null ? '' : String(ph.recordsPerSecond),
    ...(ph.coresBusy
      ? [
          ph.coresBusy.worker,
          ph.coresBusy.server,
          ph.coresBusy.sandboxesAndBench,
          ph.coresBusy.otherProcesses,
        ].map(String)
      : ['', '', '', '']),
    String(ph.workerPeakRssMb),
  ]);
  const widths = head.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  for (const line of [head, ...lines]) {
    console.log(
      line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '),
    );
  }
  console.log('');

  printRows([
    ['report latency p50 / p95', `${p.create.reportP50Ms} / ${p.create.reportP95Ms} ms`],
    ['workflow task backlog, peak', String(p.create.workflowBacklogPeak)],
    [
      'countByStatus latency p50 / max',
      `${p.count.countByStatusP50Ms} / ${p.count.countByStatusMaxMs} ms (${p.count.polls} polls)`,
    ],
    ['counted', JSON.stringify(p.count.counted)],
    ['listed', `${p.list.listed} (${p.list.distinct} distinct) in ${p.list.pages} pages`],
    ['list page latency p50 / max', `${p.list.pageP50Ms} / ${p.list.pageMaxMs} ms`],
    [
      'bulk replay result',
      `${JSON.stringify(p.replay.counts)} in ${p.replay.pages} pages, ${p.replay.bulkRuns} runs`,
    ],
    ['429s from NetSuite', String(p.replay.status429)],
    [
      'NetSuite requests / peak concurrency',
      `${p.replay.netsuiteRequests} / ${p.replay.netsuitePeakConcurrency}`,
    ],
    ['Salesforce requests during replay', String(p.replay.salesforceRequests)],
    ['open problem records after', String(p.after.openProblemRecords)],
    ['NetSuite customers / distinct externalId', `${p.after.customers} / ${p.after.distinctExternalIds}`],
    ['largest history: bulk run', history(p.largestHistory.bulkRun)],
    ['largest history: pipeline owner', history(p.largestHistory.owner)],
    [
      `largest history: problem record (${p.largestHistory.problemRecord.sampled} sampled)`,
      history(p.largestHistory.problemRecord),
    ],
    ['under warning thresholds', p.largestHistory.underWarningThresholds ? 'yes' : 'NO'],
    [
      'largest payload in those histories',
      `${p.largestPayload.bytes} B, ${p.largestPayload.eventType} (${p.largestPayload.workflowId})`,
    ],
    ['largest event in those histories', `${p.largestPayload.largestEventBytes} B`],
    [
      'answers (JSON): problem query / status / list page / bulk result',
      `${p.answerBytes.problemQuery} / ${p.answerBytes.pipelineStatus} / ${p.answerBytes.listPage} / ${p.answerBytes.bulkResult} B`,
    ],
    ...Object.entries(p.replaySteps).map(([step, { p50Ms, p95Ms }], i): [string, string] => [
      i === 0 ? `a replay, p50 / p95: ${step}` : step,
      `${p50Ms} / ${p95Ms} ms`,
    ]),
    ['worker peak RSS', `${p.worker.peakRssMb} MB`],
    [
      'worker RSS 1st → last third (median)',
      `${p.worker.medianRssFirstThirdMb} → ${p.worker.medianRssLastThirdMb} MB`,
    ],
    ['checks', p.failedChecks.length === 0 ? 'all passed' : `FAILED: ${p.failedChecks.join('; ')}`],
  ]);
  console.log('');
}
