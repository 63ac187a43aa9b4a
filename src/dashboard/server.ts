import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGrpcDeadlineError, type Client } from '@temporalio/client';
import { ConfigError, type Config } from '../config';
import { OperatorError } from '../operations';
import { configuredPipelines } from '../pipelines';
import {
  checkHost,
  checkSameOrigin,
  checkToken,
  isLoopback,
  sessionCookie,
  type AccessRules,
} from './access';
import { loadAssets } from './assets';
import { HttpError } from '../http-body';
import { readJsonBody, sendJson, setCommonHeaders } from './http';
import { operatorActions } from './operator-actions';
import { pipelineViews } from './pipeline-views';
import { REPORTS_PATH, reportFile } from './reports';

export interface DashboardOptions {
  /** Decrypts payloads (connectClient's): the dashboard reads what the command line reads. */
  client: Client;
  config: Config;
  /** Default: DASHBOARD_ADDRESS's host and port; port 0 takes a free one (tests). */
  host?: string;
  port?: number;
  /** Default: DASHBOARD_TOKEN. */
  token?: string;
  /** Default: RECONCILIATION_REPORTS_DIR. */
  reportsDir?: string;
  /** Problem records per table page (default 20). */
  problemsPerPage?: number;
  /** Told of unexpected failures (answered 500 "internal error"); refused requests are only answered. */
  onError?: (error: unknown) => void;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/** How long a read may wait for Temporal; an action waits longer (it may watch a replay end). */
const READ_DEADLINE_MS = 10_000;
const ACTION_DEADLINE_MS = 30_000;

/** The page: its own scripts and styles only; nothing inline, nothing from elsewhere, no framing. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** A report is a static page the worker wrote from record values: it may style itself, never run script. */
const REPORT_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function textField(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  if (typeof value !== 'string' || !value.trim() || value.length > max) {
    throw new HttpError(400, `"${name}" must be a text of 1 to ${max} characters`);
  }
  return value.trim();
}

/**
 * The dashboard: one page (`GET /`), its JSON API (`/api/...`) and the reconciliation reports
 * (`/reports/...`). Reads and actions go through src/operations.ts, as the command line's do.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { client, config } = options;
  const host = options.host ?? config.dashboard.host;
  const rules: AccessRules = {
    token: options.token ?? config.dashboard.token,
    loopbackOnly: isLoopback(host),
  };
  const reportsDir = options.reportsDir ?? config.reconciliation.reportsDir;
  const assets = loadAssets();
  const views = pipelineViews(client, config, { reportsDir, problemsPerPage: options.problemsPerPage });
  const actions = operatorActions(client, config);

  const recordActions = {
    replay: (pipeline: string, recordId: string) => actions.replay(pipeline, recordId),
    discard: (pipeline: string, recordId: string, body: Record<string, unknown>) =>
      actions.discard(pipeline, recordId, textField(body, 'reason', 500)),
    resolve: (pipeline: string, recordId: string, body: Record<string, unknown>) =>
      actions.resolve(pipeline, recordId, sideOf(body.use)),
    confirm: (pipeline: string, recordId: string) => actions.confirmOrphan(pipeline, recordId),
  };
  type RecordAction = keyof typeof recordActions;

  const pipelineNamed = (name: string) => {
    if (!configuredPipelines(config).some((run) => run.name === name)) {
      throw new HttpError(404, `no pipeline named ${name} is configured`);
    }
    return name;
  };

  async function api(request: IncomingMessage, response: ServerResponse, url: URL, segments: string[]) {
    const [, , name, part, recordId, action] = segments;
    const pageToken = url.searchParams.get('problemsPage') ?? undefined;
    if (pageToken !== undefined && !/^[A-Za-z0-9+/=]{1,4096}$/.test(pageToken)) {
      throw new HttpError(400, 'problemsPage: not a page token');
    }
    if (request.method === 'GET') {
      if (segments.length === 2) return sendJson(response, 200, await views.overview());
      if (segments.length === 3)
        return sendJson(response, 200, await views.detail(pipelineNamed(name), pageToken));
      if (segments.length === 4 && part === 'problems') {
        return sendJson(response, 200, await views.problems(pipelineNamed(name), pageToken));
      }
      throw new HttpError(404, 'no such resource');
    }
    if (request.method !== 'POST') throw new HttpError(405, 'use GET, or POST for an action');
    checkSameOrigin(request);
    const body = await readJsonBody(request);
    if (segments.length === 4 && part === 'run') {
      return sendJson(response, 200, await actions.runNow(pipelineNamed(name)));
    }
    // Own keys only: a path segment such as "constructor" names no action.
    if (segments.length !== 6 || part !== 'problems' || !Object.hasOwn(recordActions, action)) {
      throw new HttpError(404, 'no such action');
    }
    const answer = await recordActions[action as RecordAction](pipelineNamed(name), recordId, body);
    const status = answer.done ? 200 : answer.outcome === 'unknown' ? 404 : 409;
    return sendJson(response, status, answer);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    setCommonHeaders(response);
    checkHost(request, rules);
    const url = new URL(request.url ?? '/', 'http://dashboard');
    // Split before decoding: a record id may hold an encoded "/".
    const segments = url.pathname.split('/').slice(1).map(decodeSegment);
    const asset = url.pathname === '/' ? 'index.html' : url.pathname.slice('/assets/'.length);
    if (request.method === 'GET' && (url.pathname === '/' || url.pathname.startsWith('/assets/'))) {
      // The page and its scripts hold no data: they load without the token, then ask for it.
      const found = assets.get(asset);
      if (!found) throw new HttpError(404, 'no such file');
      if (asset === 'index.html') response.setHeader('Content-Security-Policy', PAGE_POLICY);
      response.writeHead(200, { 'Content-Type': found.contentType }).end(found.body);
      return;
    }
    if (segments[0] === 'api' && segments[1] === 'session' && segments.length === 2) {
      if (request.method !== 'POST') throw new HttpError(405, 'use POST');
      checkSameOrigin(request);
      response.setHeader('Set-Cookie', sessionCookie(rules, (await readJsonBody(request)).token));
      return void response.writeHead(204).end();
    }
    checkToken(request, rules);
    if (segments[0] === 'api' && segments[1] === 'pipelines') {
      const deadline = Date.now() + (request.method === 'GET' ? READ_DEADLINE_MS : ACTION_DEADLINE_MS);
      return client.connection.withDeadline(deadline, () => api(request, response, url, segments));
    }
    if (request.method === 'GET' && url.pathname.startsWith(REPORTS_PATH)) {
      const report = await reportFile(reportsDir, url.pathname);
      response.setHeader('Content-Security-Policy', REPORT_POLICY);
      response.writeHead(200, { 'Content-Type': report.contentType }).end(report.body);
      return;
    }
    throw new HttpError(404, 'no such page');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const known =
        error instanceof HttpError
          ? error
          : error instanceof OperatorError
            ? new HttpError(409, error.message)
            : isGrpcDeadlineError(error)
              ? new HttpError(504, 'Temporal did not answer in time (is the worker running?)')
              : undefined;
      if (!known) options.onError?.(error);
      if (!response.headersSent)
        sendJson(response, known?.status ?? 500, { error: known?.message ?? 'internal error' });
      else response.end();
    });
  });
  const port = options.port ?? config.dashboard.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE' && error.code !== 'EADDRNOTAVAIL') return reject(error);
      reject(
        new ConfigError(
          `Invalid configuration (see .env.example):\n  DASHBOARD_ADDRESS: ${host}:${port} cannot be listened on (${error.code}): choose another host:port`,
        ),
      );
    });
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  // Listening on every interface, this machine reaches it as localhost.
  const wildcard = host === '0.0.0.0' || host === '::';
  const shownHost = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'malformed path');
  }
}

function sideOf(use: unknown): 'source' | 'destination' {
  if (use === 'source' || use === 'destination') return use;
  throw new HttpError(400, '"use" must be "source" or "destination"');
}
