import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const SUITEQL = '/services/rest/query/v1/suiteql';
const CUSTOMER_WRITE = /^\/services\/rest\/record\/v1\/customer\/eid:[^/?]+$/;

interface HttpMessage {
  request: IncomingMessage;
  socket: Socket;
}

export interface DestinationRequestCounts {
  /** SuiteQL queries (POST …/query/v1/suiteql) answered. */
  suiteQl: number;
  /** Customer upserts (PUT …/customer/eid:…) answered, whatever the answer. */
  writes: number;
  /** Anything else (reads of one customer, admin calls excepted). */
  other: number;
  /** When each SuiteQL query arrived and was answered, as the sandbox saw it (ms since the epoch). */
  suiteQlSpans: [from: number, to: number][];
}

/**
 * The NetSuite sandbox's requests by kind, seen from inside its server (it runs in this process)
 * through `node:diagnostics_channel`: the sandbox's own stats count requests and writes but do
 * not tell SuiteQL reads apart, nor time them. A SuiteQL span runs from the request's arrival to
 * the last byte of the answer: the sandbox's latency fault (L), its query evaluation and the
 * answer, not the worker's own HTTP and signing time (so a lower bound of what the worker waited).
 */
export class DestinationRequests {
  private counts: DestinationRequestCounts = { suiteQl: 0, writes: 0, other: 0, suiteQlSpans: [] };
  private readonly arrivedAt = new WeakMap<IncomingMessage, number>();
  private readonly onStart = (message: unknown) => {
    const { request, socket } = message as HttpMessage;
    if (socket.localPort === this.port) this.arrivedAt.set(request, Date.now());
  };
  private readonly onFinish = (message: unknown) => {
    const { request, socket } = message as HttpMessage;
    if (socket.localPort !== this.port) return;
    const path = (request.url ?? '').split('?')[0];
    if (path.startsWith('/__admin/')) return;
    if (request.method === 'POST' && path === SUITEQL) {
      this.counts.suiteQl += 1;
      this.counts.suiteQlSpans.push([this.arrivedAt.get(request) ?? Date.now(), Date.now()]);
    } else if (request.method === 'PUT' && CUSTOMER_WRITE.test(path)) this.counts.writes += 1;
    else this.counts.other += 1;
  };

  constructor(private readonly port: number) {
    subscribe('http.server.request.start', this.onStart);
    subscribe('http.server.response.finish', this.onFinish);
  }

  clear(): void {
    this.counts = { suiteQl: 0, writes: 0, other: 0, suiteQlSpans: [] };
  }

  snapshot(): DestinationRequestCounts {
    return { ...this.counts, suiteQlSpans: [...this.counts.suiteQlSpans] };
  }

  close(): void {
    unsubscribe('http.server.request.start', this.onStart);
    unsubscribe('http.server.response.finish', this.onFinish);
  }
}

/** Milliseconds of [from, to] covered by at least one of the spans (overlaps counted once). */
export function coveredMs(spans: [number, number][], from: number, to: number): number {
  const clipped = spans
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of clipped) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}
