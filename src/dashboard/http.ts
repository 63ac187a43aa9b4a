import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody } from '../http-body';

/** An action's request is a few fields; anything larger is not the page. */
const MAX_BODY_BYTES = 16 * 1024;

/** A JSON object body, or `{}` when there is none. */
export async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(request, MAX_BODY_BYTES)).toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Every answer: no sniffing, no framing (clickjacking an action button), no referrer (links to the
 * Temporal UI carry nothing from here), and nothing from the page or the API kept in caches.
 */
export function setCommonHeaders(response: ServerResponse): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cache-Control', 'no-store');
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
