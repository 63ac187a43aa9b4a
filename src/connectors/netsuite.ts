import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { Method } from 'axios';
import type { Customer } from '../domain/customer';
import { classifyHttpStatus, PermanentError, unexpectedResponse, type VendorError } from './errors';
import { RequestLimits } from './request-limits';
import { isRecord, parseJson, retryAfterOf, Transport, type RawResponse } from './transport';

const VENDOR = 'NetSuite';
const EXTERNAL_ID = /^[A-Za-z0-9_-]+$/;

export interface NetSuiteSettings {
  /** e.g. 1234567_SB1; also the OAuth realm (1234567-sb1 is accepted and normalised). */
  accountId: string;
  /** e.g. https://1234567-sb1.suitetalk.api.netsuite.com/services/rest */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
  timeoutMs: number;
  /** Requests in flight at once from this process. */
  maxConcurrentRequests: number;
  /** Request starts per second from this process; unset for no rate limit. */
  maxRequestsPerSecond?: number;
}

const ACCOUNT_ID = /^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$/;

/**
 * The account id as NetSuite's OAuth realm needs it, upper case with '_' (1234567_SB1), from
 * however a user types it: as in the host name (1234567-sb1), or in any case. Throws on anything
 * that is not letters and digits joined by single '_' or '-'.
 */
export function netsuiteAccountId(text: string): string {
  const trimmed = text.trim();
  if (!ACCOUNT_ID.test(trimmed)) throw new Error(`Invalid NetSuite account id '${text}'`);
  return trimmed.toUpperCase().replace(/-/g, '_');
}

/** The account's host name label: lower case with '-' (1234567_SB1 -> 1234567-sb1). */
export function netsuiteHostSlug(accountId: string): string {
  return netsuiteAccountId(accountId).toLowerCase().replace(/_/g, '-');
}

/** The REST base URL of an account, in either spelling of its id. */
export function netsuiteRestBaseUrl(accountId: string): string {
  return `https://${netsuiteHostSlug(accountId)}.suitetalk.api.netsuite.com/services/rest`;
}

/** NetSuite error body: `{"o:errorDetails":[{"detail","o:errorCode","o:errorPath"}]}`. */
function vendorError(body: string): VendorError {
  const parsed = parseJson(body);
  const details = isRecord(parsed) ? parsed['o:errorDetails'] : undefined;
  const first: unknown = Array.isArray(details) ? details[0] : undefined;
  if (!isRecord(first))
    return isRecord(parsed) && typeof parsed.title === 'string' ? { message: parsed.title } : {};
  const text = (key: string) => (typeof first[key] === 'string' ? first[key] : undefined);
  return { code: text('o:errorCode'), message: text('detail'), field: text('o:errorPath') };
}

export class NetSuiteClient {
  private readonly transport: Transport;
  private readonly oauth: OAuth;
  private readonly baseUrl: string;
  private readonly limits: RequestLimits;

  constructor(private readonly settings: NetSuiteSettings) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.limits = new RequestLimits({
      maxConcurrent: settings.maxConcurrentRequests,
      maxPerSecond: settings.maxRequestsPerSecond,
    });
    this.transport = new Transport(VENDOR, settings.timeoutMs);
    this.oauth = new OAuth({
      consumer: { key: settings.consumerKey, secret: settings.consumerSecret },
      signature_method: 'HMAC-SHA256',
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
      // NetSuite refuses a realm in the host name's spelling (1234567-sb1) with INVALID_LOGIN.
      realm: netsuiteAccountId(settings.accountId),
    });
  }

  /**
   * Upsert by external id: repeating it after a lost response cannot create a duplicate,
   * which makes it the write that is safe to retry.
   */
  async upsertCustomer(
    customer: Customer,
    extra: Record<string, unknown> = {},
  ): Promise<{ location: string | null }> {
    const { externalId, ...fields } = customer;
    // Sublist lines sent on an update are added to the existing ones unless `replace` names the
    // sublist: the address book is sent whole, so it replaces.
    const url = `${this.customerUrl(externalId)}?replace=addressBook`;
    const response = await this.request('PUT', url, JSON.stringify({ ...fields, ...extra }));
    if (response.status !== 204 && response.status !== 202) throw this.failure(response);
    return { location: response.headers['location'] ?? null };
  }

  /**
   * What NetSuite holds for these customers, by external id, in one SuiteQL query (at most 1000
   * ids): their internal ids, the version and checksum record-sync last wrote, and the compared
   * fields as they are now. Customers NetSuite does not have are absent from the answer.
   */
  async customerStates(
    externalIds: string[],
    columns: readonly string[],
  ): Promise<Record<string, unknown>[]> {
    if (externalIds.length === 0) return [];
    if (externalIds.length > 1000) throw new PermanentError('At most 1000 external ids per SuiteQL read');
    for (const id of externalIds) this.customerUrl(id); // validates: only safe characters reach the query
    const list = externalIds.map((id) => `'${id}'`).join(', ');
    const query = `SELECT ${['id', 'externalid', ...columns].join(', ')} FROM customer WHERE externalid IN (${list})`;
    const { items } = await this.suiteql(query, { limit: 1000, offset: 0 });
    return items;
  }

  /** Changes some fields of an existing customer (PATCH by external id); a customer NetSuite lacks is a 404. */
  async updateCustomer(externalId: string, fields: Record<string, unknown>): Promise<void> {
    const response = await this.request('PATCH', this.customerUrl(externalId), JSON.stringify(fields));
    if (response.status !== 204) throw this.failure(response);
  }

  /**
   * Every customer, a page at a time, in internal-id order (reconciliation's pass over NetSuite).
   * Keyset paging by id rather than offsets: SuiteQL answers at most 100,000 results a query.
   */
  customersAfter(afterId: number, columns: readonly string[], limit: number) {
    if (!Number.isSafeInteger(afterId) || afterId < 0)
      throw new PermanentError(`Invalid customer id ${afterId}`);
    const query = `SELECT ${['id', 'externalid', ...columns].join(', ')} FROM customer WHERE id > ${afterId} ORDER BY id`;
    return this.suiteql(query, { limit, offset: 0 });
  }

  async getCustomerByExternalId(externalId: string): Promise<Record<string, unknown> | null> {
    const response = await this.request('GET', this.customerUrl(externalId));
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.failure(response);
    const body = this.transport.jsonBody(response);
    if (!isRecord(body)) throw unexpectedResponse(VENDOR, response.status, 'customer is not a JSON object');
    return body;
  }

  async suiteql(
    query: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: Record<string, unknown>[]; hasMore: boolean; totalResults: number }> {
    const { limit, offset } = page;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(offset) || offset < 0) {
      throw new PermanentError(
        `Invalid SuiteQL page: limit must be 1..1000 and offset >= 0 (got ${limit}, ${offset})`,
      );
    }
    const url = `${this.baseUrl}/query/v1/suiteql?limit=${limit}&offset=${offset}`;
    // Prefer: transient is required by SuiteQL over REST.
    const response = await this.request('POST', url, JSON.stringify({ q: query }), { Prefer: 'transient' });
    if (response.status !== 200) throw this.failure(response);
    const body = this.transport.jsonBody(response);
    if (!isRecord(body) || !Array.isArray(body.items) || typeof body.hasMore !== 'boolean') {
      throw unexpectedResponse(
        VENDOR,
        response.status,
        'SuiteQL result without items array and boolean hasMore',
      );
    }
    const items: unknown[] = body.items;
    if (!items.every(isRecord)) {
      throw unexpectedResponse(VENDOR, response.status, 'SuiteQL result with an item that is not an object');
    }
    return {
      // Each row carries an empty 'links' array that is not a column.
      items: items.map(({ links: _links, ...columns }) => columns),
      hasMore: body.hasMore,
      totalResults: typeof body.totalResults === 'number' ? body.totalResults : offset + items.length,
    };
  }

  private customerUrl(externalId: string): string {
    // The id goes into the URL path (and the signature base string) unencoded, so it must be safe as is.
    if (!EXTERNAL_ID.test(externalId)) {
      throw new PermanentError(`Invalid NetSuite external id '${externalId}': only letters, digits, _ and -`);
    }
    return `${this.baseUrl}/record/v1/customer/eid:${externalId}`;
  }

  /**
   * Signs each attempt afresh (NetSuite rejects a reused nonce, so retries must never replay a
   * header), and only once the request limits let it go, so its timestamp is never stale.
   */
  private request(method: Method, url: string, body?: string, headers: Record<string, string> = {}) {
    return this.limits.run(() => {
      const { tokenId, tokenSecret } = this.settings;
      const signed = this.oauth.authorize({ url, method }, { key: tokenId, secret: tokenSecret });
      return this.transport.send(
        {
          method,
          url,
          body,
          headers: {
            ...headers,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            Authorization: this.oauth.toHeader(signed).Authorization,
          },
        },
        this.secrets(),
      );
    });
  }

  private failure(response: RawResponse) {
    if (response.status >= 200 && response.status < 300) {
      return unexpectedResponse(VENDOR, response.status, 'success status that this call never returns');
    }
    // 401 INVALID_LOGIN (revoked token, wrong realm) and 403 stop the pipeline; 429/5xx honour Retry-After.
    return classifyHttpStatus(
      VENDOR,
      response.status,
      vendorError(response.body),
      this.secrets(),
      retryAfterOf(response),
    );
  }

  private secrets(): string[] {
    const { consumerKey, consumerSecret, tokenId, tokenSecret } = this.settings;
    return [consumerKey, consumerSecret, tokenId, tokenSecret];
  }
}
