import jwt from 'jsonwebtoken';
import { isSalesforceId, type Checkpoint } from '../domain/checkpoint';
import { changedAccountsQuery } from '../domain/soql';
import {
  classifyHttpStatus,
  PermanentError,
  redactSecrets,
  RetryableError,
  unexpectedResponse,
  type VendorError,
} from './errors';
import { isRecord, parseJson, Transport, type RawResponse } from './transport';

const VENDOR = 'Salesforce';
/** Token endpoint errors that mean the configured credentials or connected app are wrong. */
const CREDENTIAL_ERRORS = new Set(['invalid_grant', 'invalid_client', 'invalid_client_id']);

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
}

export interface AccountPage {
  /** Records with Salesforce's 'attributes' removed. */
  records: Record<string, unknown>[];
  done: boolean;
  nextRecordsUrl: string | null;
  totalSize: number;
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
  private usage: string | undefined;
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

  /** The last Sforce-Limit-Info header, e.g. 'api-usage=25/15000'. */
  get apiUsage(): string | undefined {
    return this.usage;
  }

  /** queryAll rather than query, so soft-deleted accounts arrive and their customers can be made inactive. */
  async readChangedAccounts(since: Checkpoint | null): Promise<AccountPage> {
    const q = encodeURIComponent(changedAccountsQuery(since));
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
      throw classifyHttpStatus(VENDOR, response.status, vendorError(response.body), this.secrets());
    }
    return this.transport.jsonBody(response);
  }

  /** GET against the instance; Salesforce tokens have no stated lifetime, so a 401 triggers one renewal. */
  private async get(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    let session = this.currentSession();
    let response = await this.send(await session, path, headers);
    if (response.status === 401) {
      session = this.renewSession(session);
      response = await this.send(await session, path, headers);
      if (response.status === 401) {
        const { code = 'INVALID_SESSION_ID', message = 'no detail' } = vendorError(response.body);
        const text = `Salesforce HTTP 401: ${code}: ${message} (even after renewing the session)`;
        throw new RetryableError(redactSecrets(text, this.secrets()), { status: 401, code });
      }
    }
    return response;
  }

  private async send(session: Session, path: string, headers: Record<string, string>): Promise<RawResponse> {
    const response = await this.transport.send(
      {
        method: 'GET',
        url: `${session.instanceUrl}${path}`,
        headers: { ...headers, Accept: 'application/json', Authorization: `Bearer ${session.accessToken}` },
      },
      this.secrets(),
    );
    const usage = response.headers['sforce-limit-info'];
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
      if (error.code !== undefined && CREDENTIAL_ERRORS.has(error.code)) {
        throw new PermanentError(
          `Salesforce token request rejected (${error.code}): ${error.message ?? 'no detail'}; ` +
            `check the ${this.settings.authFlow} credentials and the connected app`,
          { status: response.status, code: error.code },
        );
      }
      throw classifyHttpStatus(VENDOR, response.status, error, this.secrets());
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
      throw new PermanentError(`Cannot sign the Salesforce JWT bearer assertion: ${reason}`);
    }
    this.assertion = assertion;
    return { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion };
  }

  private secrets(): string[] {
    const { clientSecret, privateKey } = this.settings;
    return [clientSecret, privateKey ?? '', this.accessToken, this.assertion];
  }
}
