import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { cpuSeconds, machineBusySeconds } from './processes';
import type { WorkerProcess } from './worker-process';

/** Helpers of the problem-records measurement: phases, latencies, pools, polls, counters. */

export interface PhaseFigures {
  name: string;
  seconds: number;
  recordsPerSecond: number | null;
  /** CPU seconds ÷ wall seconds during the phase; null for a phase under a second (too coarse). */
  coresBusy: { worker: number; server: number; sandboxesAndBench: number; otherProcesses: number } | null;
  workerPeakRssMb: number;
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function timed<T>(latencies: number[], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  latencies.push(performance.now() - started);
  return result;
}

/** Runs `act` on every item, `width` at a time. */
export async function inPool<T>(items: T[], width: number, act: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await act(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

/** Polls until `done` holds or the deadline passes; returns the last value. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
}

/** HTTP responses a sandbox in this process sent (on its port), seen through node:diagnostics_channel. */
export function countResponses(port: number) {
  let count = 0;
  const listener = (message: unknown) => {
    if ((message as { socket: Socket }).socket.localPort === port) count += 1;
  };
  subscribe('http.server.response.finish', listener);
  return {
    count: () => count,
    close: () => unsubscribe('http.server.response.finish', listener),
  };
}

/** Workflow tasks waiting on the pipeline's task queue for a worker. */
export async function workflowBacklog(client: Client, taskQueue: string): Promise<number> {
  const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  return Number(response.stats?.approximateBacklogCount ?? 0);
}

/** Times phases and the CPU each process spent in them (ms relative to `origin`, as memory samples are). */
export function phaseClock(worker: WorkerProcess, serverPid: number, origin: number) {
  const phases: (Omit<PhaseFigures, 'workerPeakRssMb'> & { from: number; to: number })[] = [];
  return {
    phases,
    /** Times one phase; `records` it worked through give its records/s (null: not a per-record phase). */
    async run<T>(name: string, records: number | null, work: () => Promise<T>): Promise<T> {
      const before = [
        worker.cpuSeconds(),
        cpuSeconds(serverPid),
        process.cpuUsage(),
        machineBusySeconds(),
      ] as const;
      const from = Date.now();
      const result = await work();
      const to = Date.now();
      const seconds = (to - from) / 1000;
      const own = process.cpuUsage(before[2]);
      const cpu = {
        worker: worker.cpuSeconds() - before[0],
        server: cpuSeconds(serverPid) - before[1],
        sandboxesAndBench: (own.user + own.system) / 1e6,
      };
      const other = machineBusySeconds() - before[3] - cpu.worker - cpu.server - cpu.sandboxesAndBench;
      const busy = (value: number) => round(value / seconds, 2);
      phases.push({
        name,
        from: from - origin,
        to: to - origin,
        seconds: round(seconds, 2),
        recordsPerSecond: records !== null && seconds > 0 ? round(records / seconds) : null,
        // CPU time is counted in 1/100 s on Linux: meaningless over a few ticks.
        coresBusy:
          seconds < 1
            ? null
            : {
                worker: busy(cpu.worker),
                server: busy(cpu.server),
                sandboxesAndBench: busy(cpu.sandboxesAndBench),
                otherProcesses: busy(Math.max(0, other)),
              },
      });
      return result;
    },
  };
}

/** Samples the workflow task backlog every second until stopped; resolves to its peak. */
export function sampleBacklog(client: Client, taskQueue: string) {
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await workflowBacklog(client, taskQueue).catch(() => 0));
      await sleep(1000);
    }
  })();
  return {
    async stop(): Promise<number> {
      sampling = false;
      await sampler;
      return peak;
    },
  };
}
