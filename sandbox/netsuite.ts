import type { IncomingMessage, ServerResponse } from 'node:http';
import { SANDBOX_CREDENTIALS } from './credentials';
import { delay, isPlainObject, listen, readJson, sendJson } from './http';
import {
  EXTERNAL_ID,
  parseFields,
  parseReplace,
  renderAddress,
  renderAddressLine,
  renderCustomer,
  validateCustomer,
  type AccountRules,
  type ErrorDetail,
  type RenderContext,
} from './netsuite-customer';
import {
  CustomerStore,
  type SandboxCustomer,
  type StampPrecision,
  type StoredCustomer,
} from './netsuite-store';
import { NonceRegistry, verifyTba, type TbaCredentials } from './oauth1';
import { createPrng } from './prng';
import { checkDateFormat, parseSuiteQl, suiteQlRow, type SuiteQlPreferences } from './suiteql';

export type { SandboxCustomer, StampPrecision } from './netsuite-store';

/**
 * Local stand-in for NetSuite REST web services: TBA (OAuth 1.0a) verification, the customer record
 * API with upsert by external id, a SuiteQL subset, and the failure modes a sync must survive
 * (concurrency governance shared with other integrations, 5xx, outages, hangs, lost responses
 * after a commit, HTML gateway pages, a revoked token, a role without a permission).
 *
 * As strict as NetSuite where it matters to a sync: sublist lines sent on an update are added to the
 * record's unless `?replace=` names the sublist; GET returns what NetSuite holds (defaults, stamps,
 * references with refName, sublists as links unless `expandSubResources=true`), not what was sent;
 * a OneWorld account (requireSubsidiary) refuses a new customer without a subsidiary; SuiteQL dates
 * come back in the user's date format and time zone, and rows in no particular order unless asked.
 */

export interface NetSuiteFaults {
  latencyMs: number;
  /**
   * The account's max concurrent requests, 0 = unlimited; over it: immediate 429
   * CONCURRENCY_LIMIT_EXCEEDED. Shared by every integration of the account (see occupiedSlots).
   */
  concurrencyLimit: number;
  /**
   * Requests another integration of the same account keeps in flight: they count against
   * concurrencyLimit (a 429 storm from a second client). With occupiedSlots >= concurrencyLimit
   * every request answers 429. Ignored when concurrencyLimit is 0.
   */
  occupiedSlots: number;
  /** 0..1 probability of a 503 per request, drawn from the seeded PRNG. */
  serverErrorRate: number;
  /** The next N requests answer 500. */
  serverErrors: number;
  /** The next N requests answer 429. */
  rateLimited: number;
  /** The next N requests never answer (the socket stays open until the client gives up). */
  hangs: number;
  /** The next N writes are committed, then the socket is destroyed with no response. */
  dropResponses: number;
  /** The next N requests answer a 502 text/html gateway page. */
  htmlErrors: number;
  /**
   * Maintenance: every request answers 503 Service Unavailable until this epoch ms, or while
   * `true` (until cleared with false or 0).
   */
  outageUntil: number | boolean;
  /** During an outage, answer an HTML maintenance page instead of NetSuite's JSON error body. */
  outageHtml: boolean;
  /** Seconds sent as Retry-After with the sandbox's 429 and 503 answers; 0 = no header (NetSuite documents none). */
  retryAfterS: number;
  /**
   * The token was revoked (or its role or user deactivated): every request, correctly signed or
   * not, answers 401 INVALID_LOGIN, as real NetSuite does. Until cleared.
   */
  revokedToken: boolean;
  /** The token's role lacks the permission: correctly signed requests answer 403 INSUFFICIENT_PERMISSION. Until cleared. */
  permissionDenied: boolean;
  /**
   * OneWorld: creating a customer without `subsidiary: {id}` answers 400 USER_ERROR (errorPath
   * subsidiary); existing customers may still be updated without it.
   */
  requireSubsidiary: boolean;
}

export interface NetSuiteStats {
  /** Requests under /services/rest. */
  requests: number;
  /** Committed creates and updates. */
  writes: number;
  /** Responses by status code, plus 'hung' and 'dropped' for requests that never got one. */
  byStatus: Record<string, number>;
  /** Peak of requests in flight, counting those refused with 429: shows whether a client throttles itself. */
  maxConcurrent: number;
  /** Requests refused with 401 (any TBA failure). */
  rejectedSignatures: number;
}

export interface NetSuiteSandbox {
  /** REST base is `${url}/services/rest`. */
  url: string;
  /** Destroys open sockets, so hung requests cannot keep it from closing. */
  close(): Promise<void>;
  customers(): SandboxCustomer[];
  customerByExternalId(eid: string): SandboxCustomer | undefined;
  setFaults(f: Partial<NetSuiteFaults>): void;
  /**
   * Writes to these external ids answer 500 UNEXPECTED_ERROR until cleared (with []), as when a
   * user-event script throws on certain records: a destination that is up but fails one record.
   */
  failWritesFor(externalIds: string[], when?: (body: Record<string, unknown>) => boolean): void;
  /**
   * Saves these fields over what a write to these external ids sends, as a user-event script that
   * rewrites a record on save would: NetSuite answers 204, but stores something else.
   */
  rewriteOnSave(externalIds: string[], fields: Record<string, unknown>): void;
  readonly stats: NetSuiteStats;
  /**
   * A change made by a person in the NetSuite UI: validated like an update, saved as a whole form
   * (an addressBook given replaces the lines), lastModifiedDate moves, and nothing else changes:
   * custentity_* integration fields only if given. Not counted in stats. Throws on an unknown
   * external id or invalid fields.
   */
  editAsUser(externalId: string, fields: Record<string, unknown>): SandboxCustomer;
  /**
   * Stores customers as if each had been upserted by its external id (PUT customer/eid:{externalId}
   * ?replace=addressBook, the rest as the body), validated as that write is, but without HTTP,
   * latency, faults or stats: a large account filled in seconds instead of one write per customer.
   * Answers how many were stored and which NetSuite would have refused, with its error.
   */
  seedCustomers(customers: SeededCustomer[]): SeedResult;
  /** Zeroes the stats, keeping the customers: a measurement after seeding counts only its own requests. */
  resetStats(): void;
  /** Clears customers, nonces and stats; faults return to the start options. */
  reset(): void;
}

/** An upsert's body with the external id its URL would carry. */
export type SeededCustomer = { externalId: string } & Record<string, unknown>;

export interface SeedResult {
  seeded: number;
  refused: { externalId: string; error: string }[];
}

export type NetSuiteSandboxOptions = {
  port?: number;
  host?: string;
  seed?: number;
  /** The account's subsidiaries, internal id -> name (refName). Default { '1': 'Parent Company' }. */
  subsidiaries?: Record<string, string>;
  /** The integration user's date format preference, as SuiteQL renders dates. Default 'M/D/YYYY'. */
  dateFormat?: string;
  /** The integration user's time zone preference (IANA), for SuiteQL dates. Default 'America/Los_Angeles'. */
  timeZone?: string;
  /** How precisely REST shows dateCreated/lastModifiedDate. Default 'minute' (…T03:20:00Z). */
  stampPrecision?: StampPrecision;
} & Partial<TbaCredentials> &
  Partial<NetSuiteFaults>;

interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  /** A committed create/update: a candidate for dropResponses. */
  write?: boolean;
}

const NO_FAULTS: NetSuiteFaults = {
  latencyMs: 0,
  concurrencyLimit: 0,
  occupiedSlots: 0,
  serverErrorRate: 0,
  serverErrors: 0,
  rateLimited: 0,
  hangs: 0,
  dropResponses: 0,
  htmlErrors: 0,
  outageUntil: false,
  outageHtml: false,
  retryAfterS: 0,
  revokedToken: false,
  permissionDenied: false,
  requireSubsidiary: false,
};

const FAULT_KEYS = Object.keys(NO_FAULTS) as (keyof NetSuiteFaults)[];

const ERROR_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=error';
const SINGULAR_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=singular';
const COLLECTION_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=collection';
const MAX_PAGE = 1000;
/** SuiteQL returns at most this many rows of a result; the rest are not there to page to. */
const MAX_SUITEQL_RESULTS = 100_000;
const SUBLIST_PATH = /^addressBook$/i;
const ADDRESS_PATH = /^addressBookAddress$/i;

const STATUS_INFO: Record<number, [type: string, title: string]> = {
  400: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1', 'Bad Request'],
  401: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2', 'Unauthorized'],
  403: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4', 'Forbidden'],
  404: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5', 'Not Found'],
  405: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6', 'Method Not Allowed'],
  429: ['https://tools.ietf.org/html/rfc6585#section-4', 'Too Many Requests'],
  500: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1', 'Internal Server Error'],
  503: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.4', 'Service Unavailable'],
};

function errorReply(status: number, details: ErrorDetail[]): Reply {
  const [type, title] = STATUS_INFO[status];
  return { status, json: { type, title, status, 'o:errorDetails': details } };
}

function error(status: number, code: string, detail: string, path?: string): Reply {
  return errorReply(status, [{ detail, 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }]);
}

const INVALID_LOGIN = error(
  401,
  'INVALID_LOGIN',
  'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
);
const CONCURRENCY_LIMIT = error(
  429,
  'CONCURRENCY_LIMIT_EXCEEDED',
  'Concurrent request limit exceeded. Request blocked.',
);
const INSUFFICIENT_PERMISSION = error(
  403,
  'INSUFFICIENT_PERMISSION',
  'Permission Violation: You need a higher level of the Customers permission to access this page. Please contact your account administrator.',
);
const SERVICE_UNAVAILABLE = error(
  503,
  'SERVICE_UNAVAILABLE',
  'The service is temporarily unavailable. Try again later.',
);
const HTML_BAD_GATEWAY = '<html><body><h1>502 Bad Gateway</h1></body></html>';
const HTML_MAINTENANCE =
  '<html><head><title>NetSuite: Scheduled Maintenance</title></head>' +
  '<body><h1>NetSuite is undergoing scheduled maintenance</h1><p>Please try again later.</p></body></html>';

function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

export async function startNetSuiteSandbox(opts: NetSuiteSandboxOptions = {}): Promise<NetSuiteSandbox> {
  const credentialKeys: (keyof TbaCredentials)[] = [
    'accountId',
    'consumerKey',
    'consumerSecret',
    'tokenId',
    'tokenSecret',
  ];
  const creds: TbaCredentials = {
    ...SANDBOX_CREDENTIALS.netsuite,
    ...pickTyped(opts, credentialKeys, 'string'),
  };
  const initialFaults: NetSuiteFaults = { ...NO_FAULTS, ...pickFaults(opts) };
  const seed = opts.seed ?? 42;
  const subsidiaries = { ...(opts.subsidiaries ?? { '1': 'Parent Company' }) };
  const precision: StampPrecision = opts.stampPrecision ?? 'minute';
  const prefs: SuiteQlPreferences = {
    dateFormat: opts.dateFormat ?? 'M/D/YYYY',
    timeZone: opts.timeZone ?? 'America/Los_Angeles',
  };
  const formatProblem = checkDateFormat(prefs.dateFormat);
  if (formatProblem) throw new Error(formatProblem);
  // Throws a RangeError on an unknown zone, at start rather than on the first query.
  new Intl.DateTimeFormat('en-US', { timeZone: prefs.timeZone });
  const store = new CustomerStore(precision);
  const nonces = new NonceRegistry();
  let faults = { ...initialFaults };
  let random = createPrng(seed);
  const noStats = (): NetSuiteStats => ({
    requests: 0,
    writes: 0,
    byStatus: {},
    maxConcurrent: 0,
    rejectedSignatures: 0,
  });
  let stats = noStats();
  let inFlight = 0;
  let failingExternalIds = new Set<string>();
  let failingWhen: (body: Record<string, unknown>) => boolean = () => true;
  let rewrites = new Map<string, Record<string, unknown>>();
  let queriesRun = 0;
  let url = '';
  const recordUrl = (id: string) => `${url}/services/rest/record/v1/customer/${id}`;
  const renderContext = (): RenderContext => ({
    recordBase: `${url}/services/rest/record/v1`,
    precision,
    subsidiaries,
  });
  const rules = (): AccountRules => ({ requireSubsidiary: faults.requireSubsidiary, subsidiaries });

  function count(outcome: string | number): void {
    stats.byStatus[outcome] = (stats.byStatus[outcome] ?? 0) + 1;
  }

  function send(res: ServerResponse, reply: Reply): void {
    if (reply.write) stats.writes += 1;
    if (reply.write && faults.dropResponses > 0) {
      faults.dropResponses -= 1;
      count('dropped');
      res.socket?.destroy();
      return;
    }
    count(reply.status);
    const headers = { ...retryAfter(reply.status), ...reply.headers };
    if (reply.json === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const contentType =
      reply.status >= 400 ? ERROR_CONTENT_TYPE : (reply.headers?.['Content-Type'] ?? SINGULAR_CONTENT_TYPE);
    sendJson(res, reply.status, reply.json, headers, contentType);
  }

  /** The Retry-After header configured for 429 and 503 answers. */
  function retryAfter(status: number): Record<string, string> {
    const seconds = Math.ceil(faults.retryAfterS);
    return (status === 429 || status === 503) && seconds > 0 ? { 'Retry-After': String(seconds) } : {};
  }

  function sendHtml(res: ServerResponse, status: number, html: string): void {
    count(status);
    res.writeHead(status, { ...retryAfter(status), 'Content-Type': 'text/html' });
    res.end(html);
  }

  function inOutage(): boolean {
    const until = faults.outageUntil;
    return until === true || (typeof until === 'number' && until > Date.now());
  }

  /** Injected failures that happen before NetSuite looks at the request, in a fixed precedence. */
  function injectedFailure(): Reply | 'html' | undefined {
    if (faults.htmlErrors > 0) {
      faults.htmlErrors -= 1;
      return 'html';
    }
    if (faults.rateLimited > 0) {
      faults.rateLimited -= 1;
      return CONCURRENCY_LIMIT;
    }
    if (faults.serverErrors > 0) {
      faults.serverErrors -= 1;
      return error(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred. Error ID: sandbox-injected');
    }
    if (faults.serverErrorRate > 0 && random() < faults.serverErrorRate) {
      return error(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable. Try again later.');
    }
    return undefined;
  }

  /**
   * POST, PUT eid:X, PATCH by id or eid: a validated update, or a create (POST, or an upsert of a
   * missing eid). On an update the sublist lines sent are added to the record's, unless the query's
   * `replace` names the sublist.
   */
  function write(
    existingId: string | undefined,
    body: unknown,
    query: URLSearchParams,
    upsertEid?: string,
  ): Reply {
    const replace = parseReplace(query);
    if (typeof replace === 'string') return error(400, 'INVALID_PARAMETER', replace, 'replace');
    if (
      upsertEid !== undefined &&
      isPlainObject(body) &&
      'externalId' in body &&
      body.externalId !== upsertEid
    ) {
      return error(
        400,
        'INVALID_CONTENT',
        'externalId in the body differs from the one in the URL.',
        'externalId',
      );
    }
    const problems = validateCustomer(body, existingId ? 'update' : 'create', rules());
    if (problems.length > 0) return errorReply(400, problems);
    const sent = {
      ...(body as Record<string, unknown>),
      ...(upsertEid !== undefined ? { externalId: upsertEid } : {}),
    };
    const eid = sent.externalId;
    const fields = typeof eid === 'string' ? { ...sent, ...rewrites.get(eid) } : sent;
    if (typeof eid === 'string' && failingExternalIds.has(eid) && failingWhen(sent)) {
      return error(
        500,
        'UNEXPECTED_ERROR',
        'An unexpected SuiteScript error occurred in a user event script.',
      );
    }
    if (typeof eid === 'string' && store.idOf(eid) !== undefined && store.idOf(eid) !== existingId) {
      return error(
        400,
        'DUP_RCRD',
        `A customer record with external id ${eid} already exists.`,
        'externalId',
      );
    }
    const customer = existingId ? store.update(existingId, fields, replace) : store.create(fields);
    return { status: 204, headers: { Location: recordUrl(customer.id) }, write: true };
  }

  /** Under /customer: the collection, a record, its address book, a line, a line's address. */
  function customerRoute(method: string, segments: string[], body: unknown, query: URLSearchParams): Reply {
    const [ref, sublist, lineId, subrecord, ...rest] = segments;
    if (ref === undefined) {
      if (method === 'POST') return write(undefined, body, query);
      if (method === 'GET') return listCustomers(query);
      return error(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on the customer collection.`);
    }
    const eid = ref.startsWith('eid:') ? ref.slice(4) : undefined;
    if (eid !== undefined && !EXTERNAL_ID.test(eid)) {
      return error(
        400,
        'INVALID_ID',
        'External ids may only contain letters, digits, _ and -.',
        'externalId',
      );
    }
    if (eid === undefined && !/^\d+$/.test(ref)) return error(400, 'INVALID_ID', `Invalid record id ${ref}.`);
    const id = eid === undefined ? ref : store.idOf(eid);
    const existing = id === undefined ? undefined : store.record(id);
    if (sublist !== undefined) {
      if (method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on a sublist.`);
      if (!existing) return NONEXISTENT;
      return subresource(existing, [sublist, lineId, subrecord, ...rest], query);
    }
    if (method === 'PUT' && eid !== undefined) return write(existing?.id, body, query, eid);
    if (!existing) {
      if (method !== 'GET' && method !== 'PATCH')
        return error(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here.`);
      return NONEXISTENT;
    }
    if (method === 'GET') {
      const expand = expandParam(query);
      if (typeof expand === 'string') return error(400, 'INVALID_PARAMETER', expand, 'expandSubResources');
      const fields = parseFields(query);
      if (typeof fields === 'string') return error(400, 'INVALID_PARAMETER', fields, 'fields');
      return { status: 200, json: renderCustomer(existing, renderContext(), { expand, fields }) };
    }
    if (method === 'PATCH') return write(existing.id, body, query);
    return error(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on a customer record.`);
  }

  /** GET .../addressBook, .../addressBook/{line}, .../addressBook/{line}/addressBookAddress. */
  function subresource(
    customer: StoredCustomer,
    path: (string | undefined)[],
    query: URLSearchParams,
  ): Reply {
    const [sublist, lineId, subrecord, ...rest] = path;
    if (!SUBLIST_PATH.test(sublist ?? '') || rest.length > 0)
      return error(404, 'INVALID_URL', `The customer record has no subresource ${path.join('/')}.`);
    const expand = expandParam(query);
    if (typeof expand === 'string') return error(400, 'INVALID_PARAMETER', expand, 'expandSubResources');
    const ctx = renderContext();
    const lines = customer.addressBook ?? [];
    if (lineId === undefined) {
      const base = `${recordUrl(customer.id)}/addressBook`;
      const items = lines.map((line) => ({
        links: [{ rel: 'self', href: `${base}/${line.id}` }],
        id: line.id,
      }));
      const json = { links: [{ rel: 'self', href: base }], items, totalResults: items.length };
      return { status: 200, json };
    }
    const line = /^\d+$/.test(lineId) ? lines.find((l) => l.id === Number(lineId)) : undefined;
    if (!line) return NONEXISTENT;
    if (subrecord === undefined) return { status: 200, json: renderAddressLine(customer, line, ctx, expand) };
    if (!ADDRESS_PATH.test(subrecord))
      return error(404, 'INVALID_URL', `The address book line has no subresource ${subrecord}.`);
    return { status: 200, json: renderAddress(customer, line, ctx) };
  }

  /** expandSubResources=true|false; anything else is refused. */
  function expandParam(query: URLSearchParams): boolean | string {
    const raw = query.get('expandSubResources');
    if (raw === null || raw === 'false') return false;
    if (raw === 'true') return true;
    return `Invalid value for the expandSubResources parameter: ${raw}. Expected true or false.`;
  }

  function listCustomers(query: URLSearchParams): Reply {
    if (query.has('q'))
      return error(400, 'INVALID_PARAMETER', 'Record list filtering (q) is not supported by the sandbox.');
    const page = pageParams(query);
    if (typeof page === 'string') return error(400, 'INVALID_PARAMETER', page);
    const all = store.all();
    const items = all
      .slice(page.offset, page.offset + page.limit)
      .map((c) => ({ links: [{ rel: 'self', href: recordUrl(c.id) }], id: c.id }));
    return collection(`${url}/services/rest/record/v1/customer`, page, items, all.length);
  }

  function suiteQl(req: IncomingMessage, body: unknown, query: URLSearchParams): Reply {
    if (!/\btransient\b/i.test(String(req.headers.prefer ?? ''))) {
      return error(400, 'INVALID_REQUEST', 'SuiteQL requests require the header Prefer: transient.');
    }
    const page = pageParams(query);
    if (typeof page === 'string') return error(400, 'INVALID_PARAMETER', page);
    if (!isPlainObject(body) || typeof body.q !== 'string')
      return error(400, 'INVALID_CONTENT', 'Body must be {"q": "<SuiteQL>"}.', 'q');
    const parsed = parseSuiteQl(body.q);
    if (typeof parsed === 'string')
      return error(400, 'INVALID_PARAMETER', `Invalid search query: ${parsed}`, 'q');
    queriesRun += 1;
    const run = queriesRun;
    const matched = store
      .scan(parsed.externalIds)
      .filter((c) => parsed.afterId === undefined || Number(c.id) > parsed.afterId)
      // Without ORDER BY the order is unspecified: it differs between requests, so pages of one
      // query can repeat or skip rows, as NetSuite warns.
      .map((c) => ({ c, key: parsed.orderById ? Number(c.id) : scramble(`${run}:${c.id}`) }))
      .sort((a, b) => a.key - b.key)
      .map(({ c }) => c)
      .slice(0, MAX_SUITEQL_RESULTS);
    const items = matched
      .slice(page.offset, page.offset + page.limit)
      .map((c) => suiteQlRow(c, parsed, prefs));
    return collection(`${url}/services/rest/query/v1/suiteql`, page, items, matched.length);
  }

  function pageParams(query: URLSearchParams): { limit: number; offset: number } | string {
    const limit = intParam(query, 'limit', MAX_PAGE);
    const offset = intParam(query, 'offset', 0);
    if (limit === undefined || limit < 1 || limit > MAX_PAGE)
      return `limit must be an integer from 1 to ${MAX_PAGE}.`;
    if (offset === undefined) return 'offset must be a non-negative integer.';
    if (offset % limit !== 0) return 'offset must be a multiple of limit.';
    return { limit, offset };
  }

  function collection(
    base: string,
    page: { limit: number; offset: number },
    items: unknown[],
    total: number,
  ): Reply {
    const hasMore = page.offset + items.length < total;
    const at = (offset: number) => `${base}?limit=${page.limit}&offset=${offset}`;
    const last = Math.max(0, Math.ceil(total / page.limit) - 1) * page.limit;
    const links = [{ rel: 'first', href: at(0) }];
    if (page.offset > 0) links.push({ rel: 'prev', href: at(Math.max(0, page.offset - page.limit)) });
    if (hasMore) links.push({ rel: 'next', href: at(page.offset + page.limit) });
    links.push({ rel: 'last', href: at(last) }, { rel: 'self', href: at(page.offset) });
    const json = { links, count: items.length, hasMore, offset: page.offset, totalResults: total, items };
    return { status: 200, headers: { 'Content-Type': COLLECTION_CONTENT_TYPE }, json };
  }

  async function restApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    stats.requests += 1;
    inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    res.once('close', () => {
      inFlight -= 1;
    });
    // A maintenance page comes from NetSuite's front end, before any governance or authentication.
    if (inOutage()) {
      if (faults.outageHtml) return sendHtml(res, 503, HTML_MAINTENANCE);
      return send(res, SERVICE_UNAVAILABLE);
    }
    // The limit is the account's: requests of other integrations (occupiedSlots) use it up too.
    if (faults.concurrencyLimit > 0 && inFlight + faults.occupiedSlots > faults.concurrencyLimit)
      return send(res, CONCURRENCY_LIMIT);
    if (faults.hangs > 0) {
      faults.hangs -= 1;
      count('hung');
      return;
    }
    const body = req.method === 'GET' ? undefined : await readJson(req);
    await delay(faults.latencyMs);
    const injected = injectedFailure();
    if (injected === 'html') return sendHtml(res, 502, HTML_BAD_GATEWAY);
    if (injected) return send(res, injected);

    const rejection = verifyTba(
      {
        method: req.method ?? 'GET',
        host: req.headers.host ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
      },
      creds,
      nonces,
      Date.now(),
    );
    // A revoked token is refused like any other bad login: NetSuite does not say which it was.
    const refusal = rejection ?? (faults.revokedToken ? 'token revoked' : undefined);
    if (refusal) {
      stats.rejectedSignatures += 1;
      // Real NetSuite says nothing more; the header saves a connector author from guessing.
      return send(res, { ...INVALID_LOGIN, headers: { 'X-Sandbox-Auth-Failure': refusal } });
    }
    if (faults.permissionDenied) return send(res, INSUFFICIENT_PERMISSION);

    const method = req.method ?? 'GET';
    const record = /^\/services\/rest\/record\/v1\/customer((?:\/[^/]+)*)$/.exec(path);
    if (record) {
      const segments = record[1].split('/').slice(1).map(decodeURIComponent);
      return send(res, customerRoute(method, segments, body, query));
    }
    if (path === '/services/rest/query/v1/suiteql') {
      if (method !== 'POST') return send(res, error(405, 'METHOD_NOT_ALLOWED', 'SuiteQL takes POST.'));
      return send(res, suiteQl(req, body, query));
    }
    send(res, error(404, 'INVALID_URL', `No REST resource at ${path}.`));
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /__admin/customers') return sendJson(res, 200, store.all());
    if (route === 'GET /__admin/stats') return sendJson(res, 200, stats);
    if (route === 'POST /__admin/reset') {
      sandbox.reset();
      return sendJson(res, 200, {});
    }
    if (route === 'POST /__admin/edit-as-user') {
      const body = await readJson(req, {});
      if (!isPlainObject(body) || typeof body.externalId !== 'string' || !isPlainObject(body.fields))
        return sendJson(res, 400, { error: 'body must be {"externalId": "...", "fields": {...}}' });
      try {
        return sendJson(res, 200, sandbox.editAsUser(body.externalId, body.fields));
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message });
      }
    }
    if (route === 'POST /__admin/faults') {
      const body = await readJson(req, {});
      if (!isPlainObject(body)) return sendJson(res, 400, { error: 'body must be a JSON object' });
      sandbox.setFaults(body as Partial<NetSuiteFaults>);
      return sendJson(res, 200, faults);
    }
    sendJson(res, 404, { error: `no admin route ${route}` });
  }

  const server = await listen(
    async (req, res) => {
      const { pathname, searchParams } = new URL(req.url ?? '/', 'http://sandbox');
      if (pathname.startsWith('/services/rest/')) return restApi(req, res, pathname, searchParams);
      if (pathname.startsWith('/__admin/')) return admin(req, res, pathname);
      sendJson(res, 404, { error: `nothing at ${pathname}` });
    },
    opts.port ?? 0,
    opts.host ?? '127.0.0.1',
  );
  url = server.url;

  const sandbox: NetSuiteSandbox = {
    url,
    close: () => server.close(),
    customers: () => store.all(),
    customerByExternalId: (eid) => {
      const id = store.idOf(eid);
      return id === undefined ? undefined : store.get(id);
    },
    setFaults: (f) => {
      // Only known keys with values of their type: the admin API passes client JSON straight through.
      faults = { ...faults, ...pickFaults(f) };
    },
    failWritesFor: (externalIds, when = () => true) => {
      failingExternalIds = new Set(externalIds);
      failingWhen = when;
    },
    rewriteOnSave: (externalIds, fields) => {
      rewrites = new Map(externalIds.map((id) => [id, fields]));
    },
    editAsUser: (externalId, fields) => {
      const id = store.idOf(externalId);
      if (id === undefined) throw new Error(`no customer with external id ${externalId}`);
      const problems = validateCustomer(fields, 'update', rules());
      if (problems.length > 0)
        throw new Error(problems.map((p) => `${p['o:errorPath'] ?? ''}: ${p.detail}`).join('; '));
      if ('externalId' in fields && fields.externalId !== externalId && fields.externalId !== null) {
        const other = store.idOf(String(fields.externalId));
        if (other !== undefined && other !== id)
          throw new Error(`external id ${String(fields.externalId)} is taken`);
      }
      // The UI saves the whole form: the address book shown is the address book saved.
      return store.update(id, fields, new Set(['addressBook']));
    },
    get stats() {
      return stats;
    },
    reset: () => {
      store.clear();
      nonces.clear();
      faults = { ...initialFaults };
      failingExternalIds = new Set();
      rewrites = new Map();
      queriesRun = 0;
      random = createPrng(seed);
      stats = noStats();
    },
    seedCustomers: (customers) => {
      const result: SeedResult = { seeded: 0, refused: [] };
      for (const { externalId, ...body } of customers) {
        const existing = store.idOf(externalId);
        const problems = EXTERNAL_ID.test(externalId)
          ? validateCustomer(body, existing ? 'update' : 'create', rules())
          : [{ detail: 'External ids may only contain letters, digits, _ and -.' }];
        if (problems.length > 0) {
          result.refused.push({ externalId, error: problems.map((p) => p.detail).join('; ') });
          continue;
        }
        // The upsert's replace=addressBook: the lines sent are the customer's lines.
        const fields = { ...body, externalId };
        if (existing) store.update(existing, fields, new Set(['addressBook']));
        else store.create(fields);
        result.seeded += 1;
      }
      return result;
    },
    resetStats: () => {
      stats = noStats();
    },
  };
  return sandbox;
}

const NONEXISTENT = error(
  404,
  'NONEXISTENT_ID',
  'The record instance does not exist. Provide a valid record instance ID.',
);

/** A well-mixed number from a string (FNV-1a): an order that looks arbitrary but is reproducible. */
function scramble(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The fault settings in `source`: known keys holding a value of the key's type (finite, for
 * numbers; outageUntil takes a number or a boolean).
 */
function pickFaults(source: object): Partial<NetSuiteFaults> {
  const picked: Record<string, unknown> = {};
  for (const key of FAULT_KEYS) {
    const value: unknown = (source as Record<string, unknown>)[key];
    const types = key === 'outageUntil' ? ['number', 'boolean'] : [typeof NO_FAULTS[key]];
    if (!types.includes(typeof value) || (typeof value === 'number' && !Number.isFinite(value))) continue;
    picked[key] = value;
  }
  return picked as Partial<NetSuiteFaults>;
}

/** The listed keys of `source` holding a value of the given type (finite, for numbers). */
function pickTyped<T extends object, K extends keyof T>(
  source: T,
  keys: K[],
  type: 'number' | 'string',
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    const value = source[key];
    if (typeof value === type && (type !== 'number' || Number.isFinite(value))) picked[key] = value;
  }
  return picked;
}
