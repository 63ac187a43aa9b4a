import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_CUSTOM_FIELDS, type CustomFieldType, type SandboxAccount } from './account';
import { SANDBOX_CREDENTIALS } from './credentials';
import { delay, isPlainObject, listen, readBody, readJson, sendEmpty, sendJson } from './http';
import { requestToken } from './salesforce-oauth';
import { AccountStore } from './salesforce-store';
import { parseAccountQuery, SoqlError, type AccountQuery } from './soql';

export type { CustomFieldType, SandboxAccount } from './account';

/**
 * Local stand-in for the Salesforce REST API (token endpoint, SOQL query paging, sObject reads and
 * updates) with
 * fault injection and an unauthenticated `/__admin` API to drive it from another process.
 */

export interface SalesforceSandboxOptions {
  /** 0 = ephemeral (default). */
  port?: number;
  host?: string;
  seedCount?: number;
  seed?: number;
  latencyMs?: number;
  /** What later pages of a query serve; 'current' (the default) is what Salesforce does. */
  pageValues?: PageValues;
  /**
   * The Account custom fields that exist on the org (name -> type; a list means text fields).
   * Default: NetSuite_Id__c and Sync_Status__c (text), Last_Synced_At__c (datetime). Only these
   * can be written through the REST API or selected in SOQL (the programmatic API adds any it uses).
   */
  customFields?: Record<string, CustomFieldType> | string[];
}

/**
 * A query's locator fixes its rows (ids and order) when it runs, but Salesforce reads their field
 * values, SystemModstamp included, when each page is fetched ("gathers all the IDs and creates a
 * server-side cursor"): a page can carry changes made after the query started. 'current' does the
 * same; 'snapshot' freezes whole rows at query time, which real Salesforce never promises.
 */
export type PageValues = 'current' | 'snapshot';

export interface SalesforceFaults {
  latencyMs: number;
  /** The next N data API calls answer 403 REQUEST_LIMIT_EXCEEDED (TotalRequests), usage over the limit. */
  requestLimitExceeded: number;
  /** The next N data API calls answer 403 REQUEST_LIMIT_EXCEEDED (ConcurrentRequests). */
  concurrentRequestsExceeded: number;
  /** The next N data API calls answer 500. */
  serverErrors: number;
  /** The next N query pages answer 200 with a truncated, non-JSON body. */
  malformedPages: number;
  /** Applies to queries run from now on; a query in progress keeps its mode. */
  pageValues: PageValues;
}

type CountFault = Exclude<keyof SalesforceFaults, 'pageValues'>;
const COUNT_FAULTS: readonly CountFault[] = [
  'latencyMs',
  'requestLimitExceeded',
  'concurrentRequestsExceeded',
  'serverErrors',
  'malformedPages',
];

export interface SalesforceStats {
  tokenRequests: number;
  /** query/queryAll calls (not follow-up pages). */
  queries: number;
  /** Every page served, first pages included. */
  pages: number;
  /** Records updated through the REST API (PATCH sobjects/Account/{id}). */
  updates: number;
  /** Error responses by errorCode (data API) or OAuth error (token endpoint). */
  errors: Record<string, number>;
}

export interface SalesforceSandbox {
  /** Both the login URL and the instance_url. */
  url: string;
  close(): Promise<void>;
  /** All accounts, soft-deleted included, sorted by (SystemModstamp, Id). */
  accounts(): SandboxAccount[];
  createAccount(fields: Partial<SandboxAccount>): SandboxAccount;
  updateAccount(id: string, fields: Partial<SandboxAccount>): SandboxAccount;
  /** Bulk update: all get the same new SystemModstamp (a data-loader run). */
  touchAccounts(ids: string[], fields?: Partial<SandboxAccount>): void;
  /** Soft delete: IsDeleted=true, bumps SystemModstamp. */
  deleteAccount(id: string): void;
  /** Hard delete: the account is gone, queryAll included (the recycle bin emptied). */
  purgeAccount(id: string): void;
  /** The org's API requests used today (other integrations' too), as Sforce-Limit-Info reports them. */
  setApiUsage(used: number): void;
  /**
   * A long transaction that started at `stampedAt` (past, any SOQL datetime form) commits now:
   * the changes become visible from now on, stamped SystemModstamp = LastModifiedDate = stampedAt.
   */
  commitLate(ids: string[], fields: Partial<SandboxAccount>, stampedAt: string): void;
  setFaults(f: Partial<SalesforceFaults>): void;
  /** Invalidates every issued token: data calls then answer 401 INVALID_SESSION_ID. */
  expireTokens(): void;
  readonly stats: SalesforceStats;
  /** Back to the freshly started state: reseeded, start-up faults, no tokens, zero stats. */
  reset(): void;
}

type StartOptions = SalesforceSandboxOptions & {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  publicKey?: string;
};

interface QueryCursor {
  version: string;
  batchSize: number;
  fields: string[];
  /** Fixed when the query ran: later writes neither add, remove nor reorder rows. */
  ids: string[];
  /** 'snapshot' mode only: the rows' values as they were when the query ran. */
  rows?: Record<string, unknown>[];
}

type SalesforceError = { message: string; errorCode: string; fields?: string[] };

const MIN_API_VERSION = 50;
const API_LIMIT = 15000;
const MAX_LOCATORS = 200;
const NOT_FOUND: SalesforceError = {
  errorCode: 'NOT_FOUND',
  message: 'The requested resource does not exist',
};

/** Salesforce sends this on every REST API response, errors included. */
function limitInfo(usage: number): Record<string, string> {
  return { 'Sforce-Limit-Info': `api-usage=${usage}/${API_LIMIT}` };
}

function batchSizeOf(req: IncomingMessage): number {
  const match = /batchSize\s*=\s*(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''));
  return match ? Math.min(2000, Math.max(200, Number(match[1]))) : 2000;
}

export async function startSalesforceSandbox(opts: StartOptions = {}): Promise<SalesforceSandbox> {
  const creds = SANDBOX_CREDENTIALS.salesforce;
  const initialFaults: SalesforceFaults = {
    latencyMs: opts.latencyMs ?? 0,
    requestLimitExceeded: 0,
    concurrentRequestsExceeded: 0,
    serverErrors: 0,
    malformedPages: 0,
    pageValues: opts.pageValues ?? 'current',
  };
  const customFields = Array.isArray(opts.customFields)
    ? Object.fromEntries(opts.customFields.map((name): [string, CustomFieldType] => [name, 'text']))
    : (opts.customFields ?? DEFAULT_CUSTOM_FIELDS);
  for (const name of Object.keys(customFields))
    if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(name)) throw new Error(`not a custom field name: ${name}`);
  const store = new AccountStore(opts.seedCount ?? 500, opts.seed ?? 42, customFields);
  let faults = { ...initialFaults };
  const freshStats = (): SalesforceStats => ({
    tokenRequests: 0,
    queries: 0,
    pages: 0,
    updates: 0,
    errors: {},
  });
  let stats = freshStats();
  let apiUsage = 0;
  const tokens = new Set<string>();
  // Insertion-ordered, so the first key is the oldest locator to drop.
  const locators = new Map<string, QueryCursor>();
  let url = '';

  function countError(code: string): void {
    stats.errors[code] = (stats.errors[code] ?? 0) + 1;
  }

  function sendErrors(
    res: ServerResponse,
    status: number,
    error: SalesforceError,
    headers: Record<string, string>,
  ): void {
    countError(error.errorCode);
    sendJson(res, status, [{ fields: [], ...error }], headers);
  }

  /** The page's rows as Salesforce serves them, read from the store now unless the cursor froze them. */
  function pageRecords(cursor: QueryCursor, offset: number, end: number): Record<string, unknown>[] {
    // A row gone from the store (only a reset does that) has nothing left to serve: skip it.
    const rows =
      cursor.rows?.slice(offset, end) ??
      cursor.ids.slice(offset, end).flatMap((id): Record<string, unknown>[] => {
        const row = store.project(id, cursor.fields);
        return row ? [row] : [];
      });
    return rows.map((row) => ({
      attributes: {
        type: 'Account',
        url: `/services/data/v${cursor.version}/sobjects/Account/${String(row.Id ?? '')}`,
      },
      ...row,
    }));
  }

  function sendPage(
    res: ServerResponse,
    locator: string,
    offset: number,
    headers: Record<string, string>,
  ): void {
    const cursor = locators.get(locator) as QueryCursor;
    const end = offset + cursor.batchSize;
    const done = end >= cursor.ids.length;
    const body = {
      totalSize: cursor.ids.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${cursor.version}/query/${locator}-${end}` }),
      records: pageRecords(cursor, offset, end),
    };
    stats.pages += 1;
    if (faults.malformedPages > 0) {
      faults.malformedPages -= 1;
      // What a proxy cutting the connection mid-body looks like to a client that trusts the 200.
      const text = JSON.stringify(body);
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      return;
    }
    sendJson(res, 200, body, headers);
  }

  function runQuery(
    res: ServerResponse,
    req: IncomingMessage,
    version: string,
    soql: string,
    all: boolean,
    headers: Record<string, string>,
  ): void {
    stats.queries += 1;
    let parsed: AccountQuery;
    try {
      parsed = parseAccountQuery(soql, store.columns());
    } catch (err) {
      if (!(err instanceof SoqlError)) throw err;
      return sendErrors(res, 400, { errorCode: err.errorCode, message: err.message }, headers);
    }
    // The ids are fixed now, so later writes never shift the pages of a query in progress.
    const ids = store.queryIds(parsed, all);
    const cursor: QueryCursor = { version, batchSize: batchSizeOf(req), fields: parsed.fields, ids };
    if (faults.pageValues === 'snapshot') {
      cursor.rows = ids.map((id) => store.project(id, parsed.fields) as Record<string, unknown>);
    }
    const locator = `01g${randomBytes(12).toString('base64url').replace(/[-_]/g, '0').slice(0, 15)}`;
    locators.set(locator, cursor);
    if (locators.size > MAX_LOCATORS) locators.delete(locators.keys().next().value as string);
    sendPage(res, locator, 0, headers);
  }

  async function dataApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    apiUsage += 1;
    const headers = limitInfo(apiUsage);
    await delay(faults.latencyMs);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!bearer || !tokens.has(bearer[1])) {
      return sendErrors(
        res,
        401,
        { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
        headers,
      );
    }
    const route = /^\/services\/data\/v(\d+\.\d)\/(.*)$/.exec(path);
    if (!route || Number(route[1]) < MIN_API_VERSION) return sendErrors(res, 404, NOT_FOUND, headers);
    const [, version, resource] = route;
    if (faults.requestLimitExceeded > 0) {
      faults.requestLimitExceeded -= 1;
      // Salesforce only refuses TotalRequests once usage has passed the limit, and says so.
      return sendErrors(
        res,
        403,
        { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
        limitInfo(Math.max(apiUsage, API_LIMIT + 1)),
      );
    }
    if (faults.concurrentRequestsExceeded > 0) {
      faults.concurrentRequestsExceeded -= 1;
      const message = 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.';
      return sendErrors(res, 403, { errorCode: 'REQUEST_LIMIT_EXCEEDED', message }, headers);
    }
    if (faults.serverErrors > 0) {
      faults.serverErrors -= 1;
      const message =
        'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-89 (-1)';
      return sendErrors(res, 500, { errorCode: 'UNKNOWN_EXCEPTION', message }, headers);
    }
    const sobject = /^sobjects\/Account\/([A-Za-z0-9]+)$/.exec(resource);
    const collection = resource === 'composite/sobjects';
    const allowed = sobject ? ['GET', 'PATCH'] : collection ? ['PATCH'] : ['GET'];
    if (!allowed.includes(req.method ?? '')) {
      const message = `HTTP Method '${req.method}' not allowed. Allowed are ${allowed.join(',')}`;
      return sendErrors(res, 405, { errorCode: 'METHOD_NOT_ALLOWED', message }, headers);
    }
    if (sobject && req.method === 'PATCH') return updateAccount(req, res, sobject[1], headers);
    if (collection) return updateCollection(req, res, headers);

    const queryKind = /^(query|queryAll)\/?$/.exec(resource);
    if (queryKind) {
      const soql = query.get('q');
      if (!soql)
        return sendErrors(res, 400, { errorCode: 'MALFORMED_QUERY', message: 'q is required' }, headers);
      return runQuery(res, req, version, soql, queryKind[1] === 'queryAll', headers);
    }
    const nextPage = /^(?:query|queryAll)\/(01g[A-Za-z0-9]+)-(\d+)$/.exec(resource);
    if (nextPage) {
      const [, locator, offsetText] = nextPage;
      const offset = Number(offsetText);
      const cursor = locators.get(locator);
      if (!cursor || offset <= 0 || offset >= cursor.ids.length) {
        return sendErrors(
          res,
          400,
          { errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' },
          headers,
        );
      }
      return sendPage(res, locator, offset, headers);
    }
    const account = sobject ? store.get(sobject[1]) : undefined;
    if (!account || account.IsDeleted) return sendErrors(res, 404, NOT_FOUND, headers);
    sendJson(
      res,
      200,
      {
        attributes: { type: 'Account', url: `/services/data/v${version}/sobjects/Account/${account.Id}` },
        ...account,
      },
      headers,
    );
  }

  /** PATCH sobjects/Account/{id}: 204 and new stamps, or Salesforce's error for the body. */
  async function updateAccount(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    headers: Record<string, string>,
  ): Promise<void> {
    const body = await readJson(req);
    if (!isPlainObject(body)) {
      const message =
        body === undefined
          ? 'Unexpected character: the request body is not valid JSON'
          : `Cannot deserialize instance of Account from ${Array.isArray(body) ? 'START_ARRAY' : 'VALUE'} token`;
      return sendErrors(res, 400, { errorCode: 'JSON_PARSER_ERROR', message }, headers);
    }
    const account = store.get(id);
    if (!account) return sendErrors(res, 404, NOT_FOUND, headers);
    if (account.IsDeleted)
      return sendErrors(res, 404, { errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' }, headers);
    const checked = store.checkApiUpdate(body);
    if ('errorCode' in checked) return sendErrors(res, 400, checked, headers);
    // Even a body that changes nothing is a save: the stamps move.
    store.update(id, checked.write);
    stats.updates += 1;
    sendEmpty(res, 204, headers);
  }

  /**
   * PATCH composite/sobjects (sObject Collections): up to 200 records in one request, each
   * `{attributes: {type}, id, ...fields}`. With allOrNone false each record succeeds or fails
   * on its own; the answer lists `{id, success, errors}` in the order sent.
   */
  async function updateCollection(
    req: IncomingMessage,
    res: ServerResponse,
    headers: Record<string, string>,
  ) {
    const body = await readJson(req);
    const records = isPlainObject(body) ? body.records : undefined;
    if (!Array.isArray(records) || records.length === 0) {
      const message = 'records: a non-empty array of sObjects is required';
      return sendErrors(res, 400, { errorCode: 'JSON_PARSER_ERROR', message }, headers);
    }
    if (records.length > 200) {
      const message = 'Number of records in the request exceeds the limit of 200';
      return sendErrors(res, 400, { errorCode: 'EXCEEDED_ID_LIMIT', message }, headers);
    }
    if (isPlainObject(body) && body.allOrNone === true) {
      const message = 'allOrNone is not supported by this sandbox; send false';
      return sendErrors(res, 400, { errorCode: 'INVALID_FIELD', message }, headers);
    }
    const results = records.map((record: unknown) => {
      const fail = (statusCode: string, message: string, fields: string[] = []) => ({
        id: isPlainObject(record) && typeof record.id === 'string' ? record.id : null,
        success: false,
        errors: [{ statusCode, message, fields }],
      });
      if (
        !isPlainObject(record) ||
        !isPlainObject(record.attributes) ||
        record.attributes.type !== 'Account'
      ) {
        return fail('INVALID_TYPE', 'each record needs attributes.type Account');
      }
      const { id, ...fields } = record;
      const account = typeof id === 'string' ? store.get(id) : undefined;
      if (!account) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
      if (account.IsDeleted) return fail('ENTITY_IS_DELETED', 'entity is deleted');
      const checked = store.checkApiUpdate(fields);
      if ('errorCode' in checked) return fail(checked.errorCode, checked.message, checked.fields);
      store.update(account.Id, checked.write);
      stats.updates += 1;
      return { id: account.Id, success: true, errors: [] };
    });
    sendJson(res, 200, results, headers);
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.tokenRequests += 1;
    const form = new URLSearchParams(await readBody(req));
    const outcome = requestToken(form, req.headers.authorization, {
      url,
      clientId: opts.clientId ?? creds.clientId,
      clientSecret: opts.clientSecret ?? creds.clientSecret,
      username: opts.username ?? creds.username,
      publicKey: opts.publicKey ?? creds.publicKey,
    });
    if (!outcome.ok) {
      countError(outcome.body.error);
      return sendJson(res, 400, outcome.body);
    }
    tokens.add(outcome.accessToken);
    sendJson(res, 200, outcome.body);
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? ''} ${path.replace(/^\/__admin/, '')}`;
    const body = await readJson(req, {});
    if (!isPlainObject(body)) return sendJson(res, 400, { error: 'body must be a JSON object' });
    const idMatch = /^(PATCH|DELETE) \/accounts\/([^/]+)$/.exec(route);
    try {
      if (route === 'GET /accounts') return sendJson(res, 200, sandbox.accounts());
      if (route === 'POST /accounts') return sendJson(res, 201, sandbox.createAccount(body));
      if (route === 'POST /accounts/touch') {
        if (!Array.isArray(body.ids)) return sendJson(res, 400, { error: 'ids must be an array' });
        sandbox.touchAccounts(body.ids.map(String), isPlainObject(body.fields) ? body.fields : {});
        return sendEmpty(res, 204);
      }
      if (route === 'POST /accounts/commit-late') {
        if (!Array.isArray(body.ids)) return sendJson(res, 400, { error: 'ids must be an array' });
        if (typeof body.stampedAt !== 'string') {
          return sendJson(res, 400, { error: 'stampedAt must be a datetime string' });
        }
        const fields = isPlainObject(body.fields) ? body.fields : {};
        sandbox.commitLate(body.ids.map(String), fields, body.stampedAt);
        return sendEmpty(res, 204);
      }
      if (idMatch) {
        const id = decodeURIComponent(idMatch[2]);
        if (!store.get(id)) return sendJson(res, 404, { error: `no account with Id ${id}` });
        if (idMatch[1] === 'PATCH') return sendJson(res, 200, sandbox.updateAccount(id, body));
        sandbox.deleteAccount(id);
        return sendEmpty(res, 204);
      }
      if (route === 'POST /faults') {
        sandbox.setFaults(body as Partial<SalesforceFaults>);
        return sendJson(res, 200, faults);
      }
      if (route === 'POST /expire-tokens') {
        sandbox.expireTokens();
        return sendEmpty(res, 204);
      }
      if (route === 'POST /reset') {
        sandbox.reset();
        return sendEmpty(res, 204);
      }
      if (route === 'GET /stats') return sendJson(res, 200, stats);
    } catch (err) {
      return sendJson(res, 400, { error: (err as Error).message });
    }
    sendJson(res, 404, { error: `no admin route ${route}` });
  }

  const server = await listen(
    async (req, res) => {
      const { pathname, searchParams } = new URL(req.url ?? '/', 'http://sandbox');
      if (pathname === '/services/oauth2/token' && req.method === 'POST') return token(req, res);
      if (pathname.startsWith('/services/data/')) return dataApi(req, res, pathname, searchParams);
      if (pathname.startsWith('/__admin/')) return admin(req, res, pathname);
      sendJson(res, 404, [NOT_FOUND]);
    },
    opts.port ?? 0,
    opts.host ?? '127.0.0.1',
  );
  url = server.url;

  const sandbox: SalesforceSandbox = {
    url,
    close: () => server.close(),
    accounts: () => store.all(),
    createAccount: (fields) => store.create(fields),
    updateAccount: (id, fields) => store.update(id, fields),
    touchAccounts: (ids, fields) => store.touch(ids, fields),
    deleteAccount: (id) => store.delete(id),
    purgeAccount: (id) => store.purge(id),
    setApiUsage: (used) => {
      apiUsage = used;
    },
    commitLate: (ids, fields, stampedAt) => store.commitLate(ids, fields, stampedAt),
    setFaults: (f) => {
      // Only known keys and values: the admin API passes client JSON straight through. Checked
      // before anything changes, so a refused call leaves every fault as it was.
      const { pageValues } = f;
      if (pageValues !== undefined && pageValues !== 'current' && pageValues !== 'snapshot') {
        throw new Error("pageValues must be 'current' or 'snapshot'");
      }
      for (const key of COUNT_FAULTS) {
        const value = f[key];
        if (typeof value === 'number' && Number.isFinite(value)) faults[key] = value;
      }
      if (pageValues) faults.pageValues = pageValues;
    },
    expireTokens: () => tokens.clear(),
    get stats() {
      return stats;
    },
    reset: () => {
      store.reseed();
      faults = { ...initialFaults };
      stats = freshStats();
      apiUsage = 0;
      tokens.clear();
      locators.clear();
    },
  };
  return sandbox;
}
