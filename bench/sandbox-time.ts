import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

interface HttpMessage {
  request: IncomingMessage;
  socket: Socket;
}

/**
 * The requests a sandbox in this process answered on `port` and the time they spent in it
 * (arrival → the answer's last byte, summed), seen through `node:diagnostics_channel`. The sandboxes
 * share the bench's one thread: where they are slow, this says how much of a figure is theirs.
 */
export function sandboxTime(port: number) {
  const arrivedAt = new WeakMap<IncomingMessage, number>();
  let requests = 0;
  let ms = 0;
  const onStart = (message: unknown) => {
    const { request, socket } = message as HttpMessage;
    if (socket.localPort === port) arrivedAt.set(request, Date.now());
  };
  const onFinish = (message: unknown) => {
    const { request, socket } = message as HttpMessage;
    if (socket.localPort !== port || (request.url ?? '').startsWith('/__admin/')) return;
    requests += 1;
    ms += Date.now() - (arrivedAt.get(request) ?? Date.now());
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  return {
    snapshot: () => ({ requests, ms }),
    close() {
      unsubscribe('http.server.request.start', onStart);
      unsubscribe('http.server.response.finish', onFinish);
    },
  };
}
