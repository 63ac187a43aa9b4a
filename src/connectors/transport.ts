import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type Method } from 'axios';
import { classifyTransportError, parseRetryAfter, retryAfterApplies, unexpectedResponse } from './errors';

export interface RawResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: Method;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * HTTP for one vendor: keep-alive sockets (both APIs are called many times in a row), a hard
 * deadline per attempt, bodies kept as text so the connectors decide what a valid body is,
 * and redirects refused so credentials are never replayed to another host.
 */
export class Transport {
  private readonly http: AxiosInstance;

  constructor(
    private readonly vendor: string,
    private readonly timeoutMs: number,
  ) {
    this.http = axios.create({
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      timeout: timeoutMs,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
  }

  /** Sends one attempt; connection failures and timeouts become Retryable/PermanentError. */
  async send(request: RawRequest, secrets: string[]): Promise<RawResponse> {
    try {
      const response = await this.http.request<unknown>({
        method: request.method,
        url: request.url,
        headers: request.headers,
        data: request.body,
        // axios' own timeout is an idle timer; the signal also bounds a slowly trickling response.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
      }
      const body = typeof response.data === 'string' ? response.data : '';
      return { status: response.status, headers, body };
    } catch (error) {
      throw classifyTransportError(this.vendor, error, secrets);
    }
  }

  /** The JSON body of a success response; anything else is an 'unexpected response'. */
  jsonBody(response: RawResponse): unknown {
    const contentType = response.headers['content-type'] ?? '';
    if (!/json/i.test(contentType)) {
      throw unexpectedResponse(
        this.vendor,
        response.status,
        `expected JSON, got '${contentType || 'no content type'}' (${response.body.length} bytes)`,
      );
    }
    const parsed = parseJson(response.body);
    if (parsed === undefined) {
      throw unexpectedResponse(
        this.vendor,
        response.status,
        `malformed JSON (${response.body.length} bytes)`,
      );
    }
    return parsed;
  }
}

/** The wait a 429 or 503 response asks for in its Retry-After header, in ms; undefined otherwise. */
export function retryAfterOf(response: RawResponse, nowMs: number = Date.now()): number | undefined {
  if (!retryAfterApplies(response.status)) return undefined;
  return parseRetryAfter(response.headers['retry-after'], nowMs);
}

/** Parsed JSON, or undefined for an empty or malformed body. */
export function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
