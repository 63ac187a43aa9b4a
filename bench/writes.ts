import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const CUSTOMER_WRITE = /^\/services\/rest\/record\/v1\/customer\/eid:([A-Za-z0-9_-]+)$/;

interface ResponseFinished {
  request: IncomingMessage;
  response: ServerResponse;
  socket: Socket;
}

/**
 * When the NetSuite sandbox answered each customer write, seen from inside its server (the sandbox
 * runs in this process): the instant a record is written, whichever client wrote it. A record
 * NetSuite rejects counts as written when the rejection is sent: that is the end of its sync too.
 */
export class WriteLog {
  /** Last answer per record id, in ms since the epoch. */
  readonly writtenAt = new Map<string, number>();
  lastWriteAt = 0;
  private readonly listener = (message: unknown) => {
    const { request, socket } = message as ResponseFinished;
    if (request.method !== 'PUT' || socket.localPort !== this.port) return;
    // The upsert carries a query (`?replace=addressBook`): match the path alone.
    const match = CUSTOMER_WRITE.exec((request.url ?? '').split('?')[0]);
    if (!match) return;
    this.lastWriteAt = Date.now();
    this.writtenAt.set(match[1], this.lastWriteAt);
  };

  constructor(private readonly port: number) {
    subscribe('http.server.response.finish', this.listener);
  }

  clear(): void {
    this.writtenAt.clear();
    this.lastWriteAt = 0;
  }

  close(): void {
    unsubscribe('http.server.response.finish', this.listener);
  }
}
