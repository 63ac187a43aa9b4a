import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Plumbing shared by both sandbox servers: listening, closing, bodies and JSON replies. */

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RunningServer {
  url: string;
  /** Stops listening and destroys every open socket, so hung or delayed requests cannot block it. */
  close(): Promise<void>;
}

export async function listen(handler: Handler, port: number, host: string): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      // A bug in the sandbox must surface loudly instead of leaving the client waiting.
      if (!res.headersSent) sendJson(res, 500, { sandboxError: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Bodies beyond this are not legitimate sync traffic; refusing them keeps the sandbox bounded. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body; `undefined` means it was not valid JSON, and `empty` stands for no body. */
export async function readJson(req: IncomingMessage, empty?: unknown): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '' && empty !== undefined) return empty;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json;charset=UTF-8',
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

export function delay(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  // Unref'd so that a pending simulated latency never keeps a closed sandbox's process alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
