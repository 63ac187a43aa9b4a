import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;
const { History, HistoryEvent } = temporal.api.history.v1;

export interface HistoryScan {
  workflowId: string;
  events: number;
  /** The history encoded as the server sends it. */
  bytes: number;
  /** The largest single payload (data + metadata, encrypted as stored) and the event carrying it. */
  largestPayload: { bytes: number; eventType: string };
  /** The largest single event, encoded. */
  largestEventBytes: number;
}

type Payload = { data: Uint8Array; metadata?: Record<string, Uint8Array> };

function isPayload(value: object): value is Payload {
  return 'data' in value && value.data instanceof Uint8Array && 'metadata' in value;
}

/** Every payload inside a decoded event (inputs, results, signal and update arguments, search attributes). */
function payloadSizes(value: unknown, sizes: number[] = []): number[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return sizes;
  if (isPayload(value)) {
    const metadata = Object.values(value.metadata ?? {}).reduce((sum, bytes) => sum + bytes.length, 0);
    sizes.push(value.data.length + metadata);
    return sizes;
  }
  for (const child of Object.values(value)) payloadSizes(child, sizes);
  return sizes;
}

/** One run's history: events, bytes, and its largest payload and event. */
export async function scanHistory(client: Client, workflowId: string, runId?: string): Promise<HistoryScan> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const scan: HistoryScan = {
    workflowId,
    events: history.events?.length ?? 0,
    bytes: History.encode(history).finish().length,
    largestPayload: { bytes: 0, eventType: '' },
    largestEventBytes: 0,
  };
  for (const event of history.events ?? []) {
    scan.largestEventBytes = Math.max(scan.largestEventBytes, HistoryEvent.encode(event).finish().length);
    const largest = Math.max(0, ...payloadSizes(event));
    if (largest > scan.largestPayload.bytes) {
      const eventType = EventType[event.eventType ?? 0].replace(/^EVENT_TYPE_/, '');
      scan.largestPayload = { bytes: largest, eventType };
    }
  }
  return scan;
}

/** Scans runs a few at a time. */
export async function scanHistories(
  client: Client,
  runs: { workflowId: string; runId?: string }[],
): Promise<HistoryScan[]> {
  const scans: HistoryScan[] = [];
  const queue = [...runs];
  const scanNext = async (): Promise<void> => {
    for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
      scans.push(await scanHistory(client, run.workflowId, run.runId));
    }
  };
  await Promise.all(Array.from({ length: 8 }, scanNext));
  return scans;
}

/** The run ids (oldest first) and workflow ids a visibility query matches, at most `limit`. */
export async function listRuns(
  client: Client,
  query: string,
  limit = Infinity,
): Promise<{ workflowId: string; runId: string }[]> {
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const execution of client.workflow.list({ query })) {
    runs.push({ workflowId: execution.workflowId, runId: execution.runId });
    if (runs.length >= limit) break;
  }
  return runs.reverse();
}
