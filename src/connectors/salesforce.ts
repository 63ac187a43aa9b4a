import jwt from 'jsonwebtoken';
import { isSalesforceId, type Checkpoint } from '../domain/checkpoint';
import { changedAccountsQuery, soqlString } from '../domain/soql';
import {
  classifyHttpStatus,
  PermanentError,
  PipelineError,
  redactSecrets,
  RetryableError,
  unexpectedResponse,
  type VendorError,
} from './errors';
import { isRecord, parseJson, retryAfterOf, Transport, type RawResponse } from './transport';

const VENDOR = 'Salesforce';

/**
 * Wait after 403 REQUEST_LIMIT_EXCEEDED for TotalRequests: that limit counts the org's calls over a
 * rolling 24 hours, so capacity returns only as calls from a day ago age out. Retrying within
 * seconds only spends the few attempts left; every quarter of an hour is often enough to notice.
 */
export const SALESFORCE_DAILY_LIMIT_RETRY_MS = 15 * 60_000;
/** Wait after 403 REQUEST_LIMIT_EXCEEDED for ConcurrentRequests: long-running calls finish within seconds. */
export const SALESFORCE_CONCURRENT_LIMIT_RETRY_MS = 10_000;

/** The org's API usage from a `Sforce-Limit-Info` header. */
export interface ApiUsage {
  used: number;
  limit: number;
}

/**
 * Reads `api-usage=25/15000` from a Sforce-Limit-Info header (which may list other entries, such
 * as `per-app-api-usage=17/250(appName=sample-app)`); undefined when absent or unparsable.
 */
export function parseSforceLimitInfo(header: string | undefined): ApiUsage | undefined {
  const match = /(?:^|[,;\s])api-usage=(\d+)\/(\d+)/.exec(header ?? '');
  if (!match) return undefined;
  return { used: Number(match[1]), limit: Number(match[2]) };
}

export interface SalesforceSettings {
  loginUrl: string;
  /** e.g. '60.0' */
  apiVersion: string;
  clientId: string;
  clientSecret: string;
  authFlow: 'client_credentials' | 'jwt_bearer';
  username?: string;
  /** PEM, for jwt_bearer */
  privateKey?: string;
  timeoutMs: number;
  /** 200..2000 */
  pageSize: number;
  /** Custom fields read along with the account (those the sync status is written back to). */
  extraFields?: string[];
}

export interface AccountPage {
  /** Records with Salesforce's 'attributes' removed. */
  records: Record<string, unknown>[];
  done: boolean;
  nextRecordsUrl: string | null;
  totalSize: number;
}

interface ApiRequest {
  method: 'GET' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Session {
  accessToken: string;
  instanceUrl: string;
}

/** Salesforce answers errors with `[{message, errorCode, fields}]`; the token endpoint with `{error, error_description}`. */
function vendorError(body: string): VendorError {
  const parsed = parseJson(body);
  const first = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  if (!isRecord(first)) return {};
  const code = first.errorCode ?? first.error;
  const message = first.message ?? first.error_description;
  const fields = first.fields;
  const field = Array.isArray(fields) && typeof fields[0] === 'string' ? fields[0] : undefined;
  return {
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : undefined,
    field,
  };
}

function withoutAttributes(record: Record<string, unknown>): Record<string, unknown> {
  const fields = { ...record };
  delete fields.attributes;
  return fields;
}

export class SalesforceClient {
  private readonly transport: Transport;
  private readonly loginUrl: string;
  /** Shared by concurrent callers so one expiry causes one token request, not one per caller. */
  private session: Promise<Session> | undefined;
  private usage: ApiUsage | undefined;
  /** Credentials made at run time (latest only), redacted from error messages like the configured ones. */
  private accessToken = '';
  private assertion = '';

  constructor(private readonly settings: SalesforceSettings) {
    if (!Number.isInteger(settings.pageSize) || settings.pageSize < 200 || settings.pageSize > 2000) {
      throw new PermanentError(
        `Salesforce pageSize must be an integer from 200 to 2000, got ${settings.pageSize}`,
      );
    }
    // Interpolated into every request path.
    if (!/^\d+\.\d$/.test(settings.apiVersion)) {
      throw new PermanentError(`Salesforce apiVersion must look like '60.0', got '${settings.apiVersion}'`);
    }
    if (settings.authFlow === 'jwt_bearer' && (!settings.username || !settings.privateKey)) {
      throw new PermanentError('Salesforce jwt_bearer auth needs a username and a private key');
    }
    this.loginUrl = settings.loginUrl.replace(/\/+$/, '');
    this.transport = new Transport(VENDOR, settings.timeoutMs);
  }

  /** The org's API usage as of the latest response (its Sforce-Limit-Info header). */
  apiUsage(): ApiUsage | undefined {
    return this.usage && { ...this.usage };
  }

  /** queryAll rather than query, so soft-deleted accounts arrive and their customers can be made inactive. */
  async readChangedAccounts(since: Checkpoint | null): Promise<AccountPage> {
    const q = encodeURIComponent(changedAccountsQuery(since, this.settings.extraFields));
    return this.readPage(`/services/data/v${this.settings.apiVersion}/queryAll?q=${q}`);
  }

  async readNextPage(nextRecordsUrl: string): Promise<AccountPage> {
    // The cursor comes from a response body; following it elsewhere would hand our token to that host.
    const relative =
      nextRecordsUrl.startsWith('/services/data/') && !/[\s\\]|\/\/|\/\.\.?(\/|$)|@/.test(nextRecordsUrl);
    if (!relative) {
      throw new PermanentError(
        `Salesforce nextRecordsUrl is not a relative /services/data/ path: '${nextRecordsUrl}'`,
      );
    }
    return this.readPage(nextRecordsUrl);
  }

  /**
   * Writes fields onto accounts (the sync status written back), 200 per request with sObject
   * Collections, each record succeeding or failing on its own. Answers each record's outcome.
   */
  async updateAccounts(
    updates: { id: string; fields: Record<string, unknown> }[],
  ): Promise<{ id: string; success: boolean; error?: string }[]> {
    const outcomes: { id: string; success: boolean; error?: string }[] = [];
    for (let start = 0; start < updates.length; start += 200) {
      const chunk = updates.slice(start, start + 200);
      for (const { id } of chunk)
        if (!isSalesforceId(id)) throw new PermanentError(`Not a Salesforce id: '${id}'`);
      const records = chunk.map(({ id, fields }) => ({ attributes: { type: 'Account' }, id, ...fields }));
      const response = await this.call({
        method: 'PATCH',
        path: `/services/data/v${this.settings.apiVersion}/composite/sobjects`,
        body: JSON.stringify({ allOrNone: false, records }),
      });
      const body = this.successBody(response);
      if (!Array.isArray(body) || body.length !== chunk.length || !body.every(isRecord)) {
        throw unexpectedResponse(
          VENDOR,
          response.status,
          'sObject Collections answer is not one result per record',
        );
      }
      body.forEach((result, i) => {
        const errors = Array.isArray(result.errors) ? result.errors.filter(isRecord) : [];
        const error = errors.map((e) => `${String(e.statusCode)}: ${String(e.message)}`).join('; ');
        outcomes.push({ id: chunk[i].id, success: result.success === true, ...(error ? { error } : {}) });
      });
    }
    return outcomes;
  }

  /**
   * Which of these accounts Salesforce still has, deleted (in the recycle bin) or not: queryAll by
   * Id. Purged and never-existing ones are absent from the answer. 200 ids a request keeps the URL short.
   */
  async accountsAmong(ids: string[]): Promise<{ id: string; isDeleted: boolean }[]> {
    const found: { id: string; isDeleted: boolean }[] = [];
    for (let start = 0; start < ids.length; start += 200) {
      const chunk = ids.slice(start, start + 200);
      for (const id of chunk)
        if (!isSalesforceId(id)) throw new PermanentError(`Not a Salesforce id: '${id}'`);
      const q = encodeURIComponent(
        `SELECT Id, IsDeleted FROM Account WHERE Id IN (${chunk.map(soqlString).join(', ')}) ORDER BY SystemModstamp, Id`,
      );
      let page = await this.readPage(`/services/data/v${this.settings.apiVersion}/queryAll?q=${q}`);
      for (;;) {
        for (const record of page.records)
          found.push({ id: String(record.Id), isDeleted: record.IsDeleted === true });
        if (page.done || !page.nextRecordsUrl) break;
        page = await this.readNextPage(page.nextRecordsUrl);
      }
    }
    return found;
  }

  async getAccount(id: string): Promise<Record<string, unknown> | null> {
    if (!isSalesforceId(id)) throw new PermanentError(`Not a Salesforce id: '${id}'`);
    const response = await this.get(`/services/data/v${this.settings.apiVersion}/sobjects/Account/${id}`);
    if (response.status === 404) return null;
    const body = this.successBody(response);
    if (!isRecord(body)) throw unexpectedResponse(VENDOR, response.status, 'account is not a JSON object');
    return withoutAttributes(body);
  }

  private async readPage(path: string): Promise<AccountPage> {
    const response = await this.get(path, { 'Sforce-Query-Options': `batchSize=${this.settings.pageSize}` });
    const body = this.successBody(response);
    if (!isRecord(body) || typeof body.done !== 'boolean' || !Array.isArray(body.records)) {
      throw unexpectedResponse(
        VENDOR,
        response.status,
        'query result without boolean done and records array',
      );
    }
    const records: unknown[] = body.records;
    if (!records.every(isRecord)) {
      throw unexpectedResponse(VENDOR, response.status, 'query result with a record that is not an object');
    }
    const next = typeof body.nextRecordsUrl === 'string' ? body.nextRecordsUrl : null;
    if (!body.done && next === null) {
      throw unexpectedResponse(VENDOR, response.status, 'query result not done but without nextRecordsUrl');
    }
    return {
      records: records.map(withoutAttributes),
      done: body.done,
      nextRecordsUrl: body.done ? null : next,
      totalSize: typeof body.totalSize === 'number' ? body.totalSize : records.length,
    };
  }

  private successBody(response: RawResponse): unknown {
    if (response.status !== 200) {
      const error = vendorError(response.body);
      throw classifyHttpStatus(
        VENDOR,
        response.status,
        error,
        this.secrets(),
        this.retryAfter(response, error),
      );
    }
    return this.transport.jsonBody(response);
  }

  /** Retry-After when given; otherwise what an exhausted API limit implies. */
  private retryAfter(response: RawResponse, error: VendorError): number | undefined {
    const asked = retryAfterOf(response);
    if (asked !== undefined || error.code !== 'REQUEST_LIMIT_EXCEEDED') return asked;
    // 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.' or 'TotalRequests Limit exceeded.'
    if (/concurrent/i.test(error.message ?? '')) return SALESFORCE_CONCURRENT_LIMIT_RETRY_MS;
    return SALESFORCE_DAILY_LIMIT_RETRY_MS;
  }

  /**
   * GET against the instance; Salesforce tokens have no stated lifetime, so a 401 triggers one
   * renewal. A fresh token refused too means the user or app lost access: the pipeline must stop.
   */
  private get(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    return this.call({ method: 'GET', path, headers });
  }

  private async call(request: ApiRequest): Promise<RawResponse> {
    let session = this.currentSession();
    let response = await this.send(await session, request);
    if (response.status === 401) {
      session = this.renewSession(session);
      response = await this.send(await session, request);
      if (response.status === 401) {
        const { code = 'INVALID_SESSION_ID', message = 'no detail' } = vendorError(response.body);
        const text =
          `Salesforce HTTP 401: ${code}: ${message} (even after renewing the session); ` +
          'check that the integration user is active and the connected app may use the API';
        throw new PipelineError(redactSecrets(text, this.secrets()), { status: 401, code });
      }
    }
    return response;
  }

  private async send(
    session: Session,
    { method, path, headers = {}, body }: ApiRequest,
  ): Promise<RawResponse> {
    const response = await this.transport.send(
      {
        method,
        url: `${session.instanceUrl}${path}`,
        body,
        headers: {
          ...headers,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          Authorization: `Bearer ${session.accessToken}`,
        },
      },
      this.secrets(),
    );
    const usage = parseSforceLimitInfo(response.headers['sforce-limit-info']);
    if (usage !== undefined) this.usage = usage;
    return response;
  }

  private currentSession(): Promise<Session> {
    if (this.session === undefined) {
      const request = this.requestToken();
      this.session = request;
      // A failed token request must not be cached: the next call tries again.
      request.catch(() => {
        if (this.session === request) this.session = undefined;
      });
    }
    return this.session;
  }

  /** Replaces the rejected session unless a concurrent caller already has. */
  private renewSession(rejected: Promise<Session>): Promise<Session> {
    if (this.session === rejected) this.session = undefined;
    return this.currentSession();
  }

  private async requestToken(): Promise<Session> {
    const form = new URLSearchParams(this.grant());
    const response = await this.transport.send(
      {
        method: 'POST',
        url: `${this.loginUrl}/services/oauth2/token`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
      },
      this.secrets(),
    );
    if (response.status !== 200) {
      const error = vendorError(response.body);
      const failure = classifyHttpStatus(
        VENDOR,
        response.status,
        error,
        this.secrets(),
        retryAfterOf(response),
      );
      if (failure instanceof RetryableError) throw failure;
      // invalid_grant, invalid_client, invalid_client_id, unsupported_grant_type...: no call can
      // succeed until the credentials or the connected app are fixed.
      const text =
        `Salesforce token request rejected (${error.code ?? `HTTP ${response.status}`}): ` +
        `${error.message ?? 'no detail'}; check the ${this.settings.authFlow} credentials and the connected app`;
      throw new PipelineError(redactSecrets(text, this.secrets()), {
        status: response.status,
        code: error.code,
      });
    }
    const body = this.transport.jsonBody(response);
    if (!isRecord(body) || typeof body.access_token !== 'string' || typeof body.instance_url !== 'string') {
      throw unexpectedResponse(
        VENDOR,
        response.status,
        'token response without access_token and instance_url',
      );
    }
    if (!/^https?:\/\/[^/]+$/.test(body.instance_url.replace(/\/+$/, ''))) {
      throw unexpectedResponse(VENDOR, response.status, 'token response with an invalid instance_url');
    }
    this.accessToken = body.access_token;
    return { accessToken: body.access_token, instanceUrl: body.instance_url.replace(/\/+$/, '') };
  }

  private grant(): Record<string, string> {
    const { authFlow, clientId, clientSecret, username, privateKey } = this.settings;
    if (authFlow === 'client_credentials') {
      return { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret };
    }
    let assertion: string;
    try {
      assertion = jwt.sign({}, privateKey ?? '', {
        algorithm: 'RS256',
        issuer: clientId,
        subject: username,
        audience: this.loginUrl,
        expiresIn: '3m',
      });
    } catch (error) {
      // Only the library's message: the error object may reference the key.
      const reason = error instanceof Error ? error.message : 'unknown error';
      // A configuration problem (an unusable private key): no record can be read until it is fixed.
      throw new PipelineError(`Cannot sign the Salesforce JWT bearer assertion: ${reason}`);
    }
    this.assertion = assertion;
    return { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion };
  }

  private secrets(): string[] {
    const { clientSecret, privateKey } = this.settings;
    return [clientSecret, privateKey ?? '', this.accessToken, this.assertion];
  }
}
