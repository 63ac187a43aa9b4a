import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Pimcore sandbox's listener, which can stop listening and listen again on the same port (a
 * host that refuses connections, then comes back), and the pages Pimcore's stack answers with
 * outside GraphQL: Symfony's production error page for its own errors, nginx's for what nginx
 * refuses before PHP sees the request.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface Listener {
  url: string;
  /** Stops accepting connections (clients get ECONNREFUSED) and drops open ones. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startListener(handler: Handler, port: number, host: string): Promise<Listener> {
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      // A bug in the sandbox must surface loudly instead of leaving the client waiting.
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`sandbox error: ${String(err)}`);
      } else res.destroy();
    });
  });
  let listening = false;
  const listenOn = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listenOn(port);
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    pause: stop,
    resume: () => (listening ? Promise.resolve() : listenOn(bound)),
    close: stop,
  };
}

/** Symfony's production error page (ErrorController, debug off): the status and nothing more. */
export function symfonyErrorPage(status: number, reason: string): string {
  return (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8" />\n' +
    `<title>An Error Occurred: ${reason}</title>\n</head>\n<body>\n` +
    `<h1>Oops! An Error Occurred</h1>\n<h2>The server returned a "${status} ${reason}".</h2>\n` +
    '<p>Something is broken. Please let us know what you were doing when this error occurred.</p>\n' +
    '</body>\n</html>\n'
  );
}

/** nginx's built-in error page. */
export function nginxErrorPage(status: number, reason: string): string {
  return (
    `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/html; charset=UTF-8',
    'Content-Length': Buffer.byteLength(html),
  });
  res.end(html);
}

/**
 * Reads a body up to `limit` bytes; undefined when it is larger (nginx's client_max_body_size),
 * judged by Content-Length before reading when the client sent one.
 */
export async function readLimited(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
