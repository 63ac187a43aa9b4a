import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { startBenchEnvironment } from './environment';
import { measureReconciliation } from './reconciliation';
const { EventType } = temporal.api.enums.v1;
Runtime.install({ logger: new DefaultLogger('WARN') });
async function main() {
  const bench = await startBenchEnvironment(1000);
  try {
    const f = await measureReconciliation(bench, { records: 1000, latencyMs: 100, concurrency: 10, pageSize: 200, window: undefined, historySample: 5 }, console.error);
    console.log(JSON.stringify(f.settings), f.failedChecks);
    const show = async (id: string) => {
      const h = await bench.client.workflow.getHandle(id).fetchHistory();
      console.log(id, h.events!.length);
      console.log(h.events!.map((e) => EventType[e.eventType!].replace('EVENT_TYPE_', '')).join('\n'));
    };
    await show(f.largestHistory.recordWorkflow.workflowId);
    const run = await bench.client.workflow.getHandle(`reconcile-${f.pipeline}`).fetchHistory();
    const counts: Record<string, number> = {};
    for (const e of run.events!) { const k = EventType[e.eventType!]; counts[k] = (counts[k] ?? 0) + 1; }
    console.log(run.events!.length, JSON.stringify(counts, null, 1));
  } finally { await bench.teardown(); }
}
main().catch((e) => { console.error(e); process.exit(1); });
