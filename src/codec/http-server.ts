import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { JSONToPayload, payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils';
import { HttpError, readBody } from '../http-body';
import { ConfigError, type Config } from '../config';
import { EncryptionCodec } from './encryption-codec';

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Browser origins (the Temporal UI) allowed to call the server. */
  corsOrigins: string[];
  port: number;
  host?: string;
  /** Told of unexpected failures (answered 500); request errors are only answered. */
  onError?: (error: unknown) => void;
}

export interface CodecServer {
  /** Base URL, without the token. */
  url: string;
  close(): Promise<void>;
}

/** Histories can be large; anything beyond this is not a UI request. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Hashing first gives equal lengths, so the comparison takes the same time whatever is sent. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The token comes as `Authorization: Bearer <token>` (`temporal --codec-auth "Bearer <token>"`
 * sends the flag's text as that header), or as the first path segment (`/<token>/decode`)
 * because the local UI cannot send a header without SSO.
 */
function authorised(request: IncomingMessage, pathToken: string | undefined, token: string): boolean {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  return [bearer, pathToken].some((given) => given !== undefined && sameSecret(given, token));
}

/**
 * A Payloads message in JSON. An empty list may come as `{}`: the Go SDK behind the `temporal`
 * CLI omits empty fields, and asks the codec about empty lists (a query without arguments).
 */
function parsePayloads(body: string): Payload[] {
  const invalid = () =>
    new HttpError(400, 'body must be {"payloads": [{"metadata": {...}, "data": "..."}]} in protobuf JSON');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const { payloads } = parsed as { payloads?: unknown };
  if (payloads === undefined || payloads === null) return [];
  if (!Array.isArray(payloads)) throw invalid();
  try {
    return payloads.map((payload) => JSONToPayload(payload as JSONPayload));
  } catch {
    throw invalid();
  }
}

/**
 * The Temporal codec server protocol: `POST .../encode` and `POST .../decode` with a JSON
 * Payloads body, so the Temporal UI and CLI can show decrypted payloads to holders of the token.
 * Clients append `/encode` or `/decode` to the endpoint they are given: `http://host:port` or
 * `http://host:port/<token>`. Failure messages encoded by the failure converter are ordinary
 * payloads here.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const { codec, token, corsOrigins } = options;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const origin = request.headers.origin;
    if (origin && corsOrigins.includes(origin)) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    response.setHeader('Vary', 'Origin');
    if (request.method === 'OPTIONS') {
      // Browsers send preflights without credentials; they reveal nothing.
      response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      response.setHeader('Access-Control-Max-Age', '600');
      response.writeHead(204).end();
      return;
    }
    // Only the last segment names the operation (the protocol lets servers be mounted anywhere).
    const segments = new URL(request.url ?? '/', 'http://codec').pathname.split('/').filter(Boolean);
    const operation = segments.at(-1);
    if (operation !== 'encode' && operation !== 'decode')
      throw new HttpError(404, 'use POST /encode or /decode');
    if (segments.length > 2) throw new HttpError(404, 'use POST /encode or /decode');
    if (request.method !== 'POST') throw new HttpError(405, 'use POST');
    if (!authorised(request, segments.length === 2 ? segments[0] : undefined, token)) {
      throw new HttpError(401, 'missing or wrong token');
    }
    const payloads = parsePayloads((await readBody(request, MAX_BODY_BYTES)).toString('utf8'));
    let result;
    try {
      result = await (operation === 'encode' ? codec.encode(payloads) : codec.decode(payloads));
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ payloads: result.map(payloadToJSON) }));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Never echo the request path: it may carry the token.
      if (!(error instanceof HttpError)) options.onError?.(error);
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'internal error';
      if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ error: message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const LOOPBACK_TWINS: Record<string, string> = { localhost: '127.0.0.1', '127.0.0.1': 'localhost' };

/**
 * The origins with each loopback origin's twin: the local UI answers at both
 * http://localhost:<port> and http://127.0.0.1:<port>, which browsers treat as different origins.
 * Both name this machine, so allowing one allows the other.
 */
export function withLoopbackTwins(origins: readonly string[]): string[] {
  const all = origins.flatMap((origin) => {
    const url = new URL(origin);
    const twin = LOOPBACK_TWINS[url.hostname];
    return twin ? [origin, `${url.protocol}//${twin}${url.port ? `:${url.port}` : ''}`] : [origin];
  });
  return [...new Set(all)];
}

/** The codec server of the configuration; the token is required (sandbox mode has a demo one). */
export function configuredCodecServerOptions(config: Config): CodecServerOptions {
  const { token, corsOrigins, port } = config.codecServer;
  if (!token) {
    throw new ConfigError(
      'Invalid configuration (see .env.example):\n  RECORD_SYNC_CODEC_SERVER_TOKEN: is required to run the codec server',
    );
  }
  return {
    codec: new EncryptionCodec(config.encryption.keys),
    token,
    corsOrigins: withLoopbackTwins(corsOrigins),
    port,
  };
}
