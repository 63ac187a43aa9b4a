import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, syncSettings } from '../src/config';
import { EncryptionCodec } from '../src/codec/encryption-codec';
import type { ReconciliationSummary } from '../src/domain/sync';
import { pipelineOperations } from '../src/operations';
import { pipelineWorkflowId, recordWorkflowId } from '../src/workflows/ids';
import type { reconcilePipeline } from '../src/workflows/reconciliation';
import { DestinationRequests } from './destination-requests';
import { measuredPipeline, type BenchEnvironment } from './environment';
import { pollUntil, workflowBacklog } from './phases';
import { listRuns, scanHistories } from './problem-histories';
import { cpuMeter } from './processes';
import { readReconciliationChain } from './reconcile-history';
import { expectedSummary, plantDifferences } from './reconcile-plant';
import { accountsAsSynced } from './reconcile-seed';
import { sandboxTime } from './sandbox-time';
import { reconciliationFigures, type ReconciliationFigures } from './reconcile-figures';
import { startWorkerProcess } from './worker-process';

export interface ReconciliationSettings {
  records: number;
  latencyMs: number;
  concurrency: number;
  pageSize: number;
  window: number | undefined;
  historySample: number;
}

/** Report files a run leaves, beside its HTML page. */
function reportBytes(html: string | undefined) {
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  if (!html) return { html: 0, json: 0, csv: 0 };
  return {
    html: size(html),
    json: size(html.replace(/\.html$/, '.json')),
    csv: size(html.replace(/\.html$/, '.csv')),
  };
}

/**
 * One reconciliation of the accounts pipeline over N accounts: NetSuite filled as record-sync would
 * have left it, known differences planted, the production worker in its own process, and
 * `reconcilePipeline` timed from its start request to its result, with repair on.
 */
export async function measureReconciliation(
  bench: BenchEnvironment,
  settings: ReconciliationSettings,
  log: (line: string) => void,
): Promise<ReconciliationFigures> {
  const loadBefore = os.loadavg();
  const { pipeline, environment } = measuredPipeline(bench, settings, {
    SYNC_PAGE_SIZE: String(settings.pageSize),
    RECONCILIATION_REPORTS_DIR: path.join(bench.workDir, 'reports'),
  });
  const config = parseConfig(environment);
  const operations = pipelineOperations(bench.client, config);

  log(`building the customers record-sync would have written for ${settings.records} accounts`);
  let clock = Date.now();
  const accounts = await accountsAsSynced(config);
  const buildSeconds = (Date.now() - clock) / 1000;
  clock = Date.now();
  const planted = plantDifferences(accounts, bench.salesforce, bench.netsuite);
  const seedSeconds = (Date.now() - clock) / 1000;
  const expected = expectedSummary(accounts.length, planted);
  log(
    `seeded ${planted.seeded} customers in ${seedSeconds} s; planted ${JSON.stringify(expected.differences)}; ` +
      `${planted.refused.length} refused by NetSuite`,
  );

  const worker = await startWorkerProcess(environment, bench.workDir);
  try {
    await operations.create();
    // A sync leaves the accounts NetSuite refuses as problem records: so must the seed.
    clock = Date.now();
    const reportSettings = syncSettings(config);
    for (const account of planted.refused) {
      await operations.problems.report(pipeline, reportSettings, {
        recordId: account.recordId,
        version: account.version,
        kind: 'rejected',
        error: account.refusal!,
        attempts: 1,
        failedAt: new Date().toISOString(),
        workflowId: recordWorkflowId(pipeline, account.recordId, account.version),
      });
    }
    await pollUntil(
      () => operations.problems.countByStatus(pipeline),
      (counts) => counts.VALIDATION_FAILED >= planted.refused.length,
      60_000 + planted.refused.length * 20,
    );
    await pollUntil(
      () => workflowBacklog(bench.client, config.pipeline.taskQueue),
      (backlog) => backlog === 0,
      60_000 + planted.refused.length * 20,
    );
    const heldSeconds = (Date.now() - clock) / 1000;

    log(`reconciling: NetSuite at L = ${settings.latencyMs} ms, C = ${settings.concurrency}`);
    bench.netsuite.resetStats();
    bench.netsuite.setFaults({ latencyMs: settings.latencyMs, concurrencyLimit: settings.concurrency });
    const salesforceBefore = { ...bench.salesforce.stats };
    const salesforceTime = sandboxTime(Number(new URL(bench.salesforce.url).port));
    const destination = new DestinationRequests(bench.netsuitePort);
    const cpuUsed = cpuMeter(() => worker.cpuSeconds(), bench.serverPid);
    worker.sampleMemory();
    const workflowId = `reconcile-${pipeline}`;
    const startedAt = Date.now();
    let summary: ReconciliationSummary;
    let firstRunId: string;
    try {
      const handle = await bench.client.workflow.start<typeof reconcilePipeline>('reconcilePipeline', {
        workflowId,
        taskQueue: config.pipeline.taskQueue,
        args: [{ pipeline }],
      });
      firstRunId = handle.firstExecutionRunId;
      summary = await handle.result();
    } finally {
      salesforceTime.close();
      destination.close();
    }
    const seconds = (Date.now() - startedAt) / 1000;
    const cpu = cpuUsed();
    const netsuiteStats = structuredClone(bench.netsuite.stats);
    const salesforceStats = bench.salesforce.stats;
    const salesforce = {
      ...salesforceTime.snapshot(),
      queries: salesforceStats.queries - salesforceBefore.queries,
      pages: salesforceStats.pages - salesforceBefore.pages,
    };
    const memory = worker.samples();

    log('checking problem records, NetSuite and histories');
    const problems = await pollUntil(
      () => operations.problems.countByStatus(pipeline),
      (counts) =>
        counts.VERSION_CONFLICT >= expected.repaired.conflicts &&
        counts.ORPHANED >= expected.repaired.orphans,
      60_000,
    );
    const customers = bench.netsuite.customers();
    const chain = await readReconciliationChain(
      bench.client,
      new EncryptionCodec(config.encryption.keys),
      workflowId,
      firstRunId,
    );
    const step = Math.max(1, Math.floor(chain.childWorkflowIds.length / settings.historySample));
    const recordSample = chain.childWorkflowIds
      .filter((_, i) => i % step === 0)
      .slice(0, settings.historySample);
    const problemSample = await listRuns(
      bench.client,
      `WorkflowType = "problemRecord" AND RecordSyncPipeline = "${pipeline}"`,
      settings.historySample,
    );
    const [runScans, ownerScans, recordScans, problemScans] = await Promise.all([
      scanHistories(
        bench.client,
        chain.runIds.map((runId) => ({ workflowId, runId })),
      ),
      scanHistories(bench.client, [{ workflowId: pipelineWorkflowId(pipeline) }]),
      scanHistories(
        bench.client,
        recordSample.map((id) => ({ workflowId: id })),
      ),
      scanHistories(bench.client, problemSample),
    ]);

    return reconciliationFigures({
      settings,
      pipeline,
      loadBefore,
      setup: { accounts: accounts.length, buildSeconds, seedSeconds, heldSeconds },
      planted,
      expected,
      summary,
      seconds,
      startedAt,
      chain,
      customers,
      problems,
      netsuite: { stats: netsuiteStats, requests: destination.snapshot() },
      salesforce,
      cpu,
      memory,
      histories: { runs: runScans, owner: ownerScans, records: recordScans, problems: problemScans },
      reportFiles: reportBytes(summary.report),
    });
  } finally {
    await worker.stop();
  }
}
