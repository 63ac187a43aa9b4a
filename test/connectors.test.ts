import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import { startNetSuiteSandbox, type NetSuiteFaults, type NetSuiteSandbox } from '../sandbox/netsuite';
import { startSalesforceSandbox, type SalesforceSandbox } from '../sandbox/salesforce';
import { ApplicationFailure } from '@temporalio/common';
import { asActivityFailure } from '../src/activities/failures';
import {
  classifyHttpStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  PermanentError,
  PipelineError,
  RetryableError,
} from '../src/connectors/errors';
import {
  NetSuiteClient,
  netsuiteAccountId,
  netsuiteHostSlug,
  netsuiteRestBaseUrl,
  type NetSuiteSettings,
} from '../src/connectors/netsuite';
import {
  parseSforceLimitInfo,
  SALESFORCE_CONCURRENT_LIMIT_RETRY_MS,
  SALESFORCE_DAILY_LIMIT_RETRY_MS,
  SalesforceClient,
  type SalesforceSettings,
} from '../src/connectors/salesforce';
import { checkpointOf, type Checkpoint } from '../src/domain/checkpoint';
import type { Customer } from '../src/domain/customer';
import { PERMANENT_FAILURE, PIPELINE_FAILURE, RETRYABLE_FAILURE } from '../src/domain/failures';
import { mapAccountToCustomer } from '../src/pipelines/accounts/mapping';

const sf = SANDBOX_CREDENTIALS.salesforce;
const SECRETS = [sf.clientSecret, sf.privateKey, ...Object.values(SANDBOX_CREDENTIALS.netsuite).slice(1)];

/** Every connector error message is checked here: none may reveal a credential. */
function assertNoSecrets(error: Error): void {
  for (const secret of SECRETS) assert.ok(!error.message.includes(secret), `secret leaked: ${error.message}`);
  assert.ok(!/Bearer \S|oauth_signature|Authorization:/.test(error.message), `auth leaked: ${error.message}`);
}

type FailureKind = typeof RetryableError | typeof PermanentError | typeof PipelineError;
const NAMES = new Map<FailureKind, string>([
  [RetryableError, RETRYABLE_FAILURE],
  [PermanentError, PERMANENT_FAILURE],
  [PipelineError, PIPELINE_FAILURE],
]);

function expectFailure(kind: FailureKind, pattern?: RegExp, details: Record<string, unknown> = {}) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.equal(error.name, NAMES.get(kind));
    if (pattern) assert.match(error.message, pattern);
    for (const [key, value] of Object.entries(details)) {
      assert.equal((error as unknown as Record<string, unknown>)[key], value, `${key} of ${error.message}`);
    }
    assertNoSecrets(error);
    return true;
  };
}

describe('failure classification', () => {
  const cases: [number, { code?: string; message?: string; field?: string }, FailureKind][] = [
    [400, { code: 'INVALID_CONTENT', field: 'companyName' }, PermanentError],
    [404, { code: 'NOT_FOUND' }, PermanentError],
    [405, { code: 'METHOD_NOT_ALLOWED' }, PermanentError],
    [401, { code: 'INVALID_LOGIN' }, PipelineError],
    [401, {}, PipelineError],
    [403, { code: 'INSUFFICIENT_PERMISSION' }, PipelineError],
    [403, { code: 'API_DISABLED_FOR_ORG' }, PipelineError],
    [403, { code: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }, RetryableError],
    [429, { code: 'CONCURRENCY_LIMIT_EXCEEDED' }, RetryableError],
    [500, { code: 'UNEXPECTED_ERROR' }, RetryableError],
    [502, {}, RetryableError],
    [503, {}, RetryableError],
  ];
  for (const [status, vendorError, kind] of cases) {
    it(`HTTP ${status} ${vendorError.code ?? ''} is a ${NAMES.get(kind)}`, () => {
      const error = classifyHttpStatus('Vendor', status, vendorError, ['s3cret-value'], 5_000);
      expectFailure(kind, new RegExp(`HTTP ${status}`), { status, code: vendorError.code })(error);
      assert.equal(
        error instanceof RetryableError ? error.retryAfterMs : undefined,
        kind === RetryableError ? 5_000 : undefined,
      );
    });
  }

  it('keeps secrets out of a pipeline failure', () => {
    const error = classifyHttpStatus('Vendor', 401, { message: 'token s3cret-value refused' }, [
      's3cret-value',
    ]);
    assert.ok(!error.message.includes('s3cret-value'));
    assert.match(error.message, /authentication failed/);
  });

  it('parses Retry-After as delta-seconds or an HTTP-date', () => {
    const now = Date.parse('2026-10-21T07:28:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a date already past');
    assert.equal(parseRetryAfter('999999', now), MAX_RETRY_AFTER_MS);
    for (const bad of [undefined, '', '1.5', '-3', 'soon', '12abc'])
      assert.equal(parseRetryAfter(bad, now), undefined, bad);
  });

  it('parses the API usage in Sforce-Limit-Info', () => {
    assert.deepEqual(parseSforceLimitInfo('api-usage=25/15000'), { used: 25, limit: 15000 });
    assert.deepEqual(
      parseSforceLimitInfo('api-usage=14999/15000, per-app-api-usage=17/250(appName=sample-app)'),
      { used: 14999, limit: 15000 },
    );
    assert.deepEqual(parseSforceLimitInfo('per-app-api-usage=17/250(appName=x), api-usage=3/5'), {
      used: 3,
      limit: 5,
    });
    for (const bad of [undefined, '', 'api-usage=lots', 'per-app-api-usage=17/250']) {
      assert.equal(parseSforceLimitInfo(bad), undefined, bad);
    }
  });
});

describe('asActivityFailure', () => {
  it('stops the pipeline on a PipelineError: PipelineFailure, non-retryable', () => {
    const failure = asActivityFailure(
      new PipelineError('NetSuite HTTP 401: INVALID_LOGIN', { status: 401, code: 'INVALID_LOGIN' }),
      2,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, PIPELINE_FAILURE);
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'NetSuite HTTP 401: INVALID_LOGIN');
    assert.deepEqual(failure.details, [{ attempt: 2, status: 401, code: 'INVALID_LOGIN', field: undefined }]);
    assert.equal(failure.nextRetryDelay, undefined);
  });

  it("passes a vendor's retry hint on as the next retry's delay", () => {
    const failure = asActivityFailure(
      new RetryableError('NetSuite HTTP 503', { status: 503, retryAfterMs: 120_000 }),
      1,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, RETRYABLE_FAILURE);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 120_000);
    assert.equal((failure.details?.[0] as { retryAfterMs?: number }).retryAfterMs, 120_000);
    const noHint = asActivityFailure(new RetryableError('NetSuite HTTP 500', { status: 500 }), 1);
    assert.equal((noHint as ApplicationFailure).nextRetryDelay, undefined);
    const past = asActivityFailure(
      new RetryableError('NetSuite HTTP 503', { status: 503, retryAfterMs: 0 }),
      1,
    );
    assert.equal((past as ApplicationFailure).nextRetryDelay, undefined);
  });

  it('keeps record-level failures permanent and leaves unclassified errors alone', () => {
    const failure = asActivityFailure(
      new PermanentError('NetSuite HTTP 400 (field phone)', { status: 400, field: 'phone' }),
      3,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, PERMANENT_FAILURE);
    assert.equal(failure.nonRetryable, true);
    const other = new Error('bug');
    assert.equal(asActivityFailure(other, 1), other);
    const withValue = asActivityFailure(new PermanentError('x', { field: 'phone' }), 1, () => ({
      value: '12',
    }));
    assert.equal(((withValue as ApplicationFailure).details?.[0] as { value?: string }).value, '12');
  });
});

describe('SalesforceClient', () => {
  let sandbox: SalesforceSandbox;

  function client(overrides: Partial<SalesforceSettings> = {}): SalesforceClient {
    return new SalesforceClient({
      loginUrl: sandbox.url,
      apiVersion: '60.0',
      clientId: sf.clientId,
      clientSecret: sf.clientSecret,
      authFlow: 'client_credentials',
      timeoutMs: 2000,
      pageSize: 200,
      ...overrides,
    });
  }

  async function readAll(salesforce: SalesforceClient, since: Checkpoint | null) {
    let page = await salesforce.readChangedAccounts(since);
    const records = [...page.records];
    while (!page.done) {
      assert.ok(page.nextRecordsUrl);
      page = await salesforce.readNextPage(page.nextRecordsUrl);
      records.push(...page.records);
    }
    return records;
  }

  before(async () => {
    sandbox = await startSalesforceSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('reads every account in (SystemModstamp, Id) order across pages, without repeats', async () => {
    const salesforce = client();
    const first = await salesforce.readChangedAccounts(null);
    assert.equal(first.records.length, 200);
    assert.equal(first.done, false);
    assert.equal(first.totalSize, sandbox.accounts().length);
    assert.equal('attributes' in first.records[0], false);

    const records = await readAll(salesforce, null);
    const ids = records.map((r) => r.Id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(
      ids,
      sandbox.accounts().map((a) => a.Id),
    );
    const usage = salesforce.apiUsage();
    assert.ok(usage && usage.used > 0 && usage.limit === 15000, JSON.stringify(usage));
    // The seed data is meant to be syncable, apart from phones the destination rejects.
    for (const record of records) assert.ok(mapAccountToCustomer(record).ok, String(record.Id));
  });

  it('resumes from a checkpoint inside a group of accounts sharing one SystemModstamp', async () => {
    const accounts = sandbox.accounts();
    const tied = accounts.findIndex((a, i) => i > 0 && a.SystemModstamp === accounts[i - 1].SystemModstamp);
    assert.ok(tied > 0, 'seed data has a tie group');
    const records = await readAll(client(), checkpointOf(accounts[tied]));
    assert.deepEqual(
      records.map((r) => r.Id),
      accounts.slice(tied + 1).map((a) => a.Id),
    );
  });

  it('picks up a bulk update and soft deletes after the last checkpoint', async () => {
    const salesforce = client();
    const all = await readAll(salesforce, null);
    const last = checkpointOf(all[all.length - 1] as { Id: string; SystemModstamp: string });
    const touched = [all[5].Id, all[3].Id, all[400].Id].map(String);
    sandbox.touchAccounts(touched, { Industry: 'Energy' });
    sandbox.deleteAccount(String(all[10].Id));

    const changed = await readAll(salesforce, last);
    assert.deepEqual(
      changed.map((r) => r.Id),
      [...[...touched].sort(), all[10].Id],
    );
    assert.equal(changed[3].IsDeleted, true);
    assert.deepEqual(
      await readAll(salesforce, checkpointOf(changed[3] as { Id: string; SystemModstamp: string })),
      [],
    );
  });

  it('renews an expired session transparently, once for concurrent callers', async () => {
    const salesforce = client();
    const id = sandbox.accounts()[0].Id;
    await Promise.all([salesforce.getAccount(id), salesforce.getAccount(id), salesforce.getAccount(id)]);
    assert.equal(sandbox.stats.tokenRequests, 1);
    sandbox.expireTokens();
    const [account] = await Promise.all([salesforce.getAccount(id), salesforce.readChangedAccounts(null)]);
    assert.equal(account?.Id, id);
    assert.equal(sandbox.stats.tokenRequests, 2);
  });

  it('reads a single account, null when it does not exist', async () => {
    const salesforce = client();
    const [account] = sandbox.accounts();
    const record = await salesforce.getAccount(account.Id);
    assert.equal(record?.Name, account.Name);
    assert.equal(record && 'attributes' in record, false);
    assert.equal(await salesforce.getAccount('001000000000000AAA'), null);
    await assert.rejects(salesforce.getAccount("001' OR Id != '"), expectFailure(PermanentError));
  });

  it('works with the JWT bearer flow', async () => {
    const salesforce = client({ authFlow: 'jwt_bearer', username: sf.username, privateKey: sf.privateKey });
    const page = await salesforce.readChangedAccounts(null);
    assert.equal(page.records.length, 200);
  });

  it('reports bad credentials as a pipeline failure without revealing them', async () => {
    await assert.rejects(
      client({ clientSecret: 'wrong-secret-value' }).readChangedAccounts(null),
      expectFailure(PipelineError, /invalid_client/),
    );
    await assert.rejects(
      client({
        authFlow: 'jwt_bearer',
        username: 'someone@else.example',
        privateKey: sf.privateKey,
      }).getAccount(sandbox.accounts()[0].Id),
      expectFailure(PipelineError, /invalid_grant/),
    );
    await assert.rejects(
      client({ authFlow: 'jwt_bearer', username: sf.username, privateKey: 'not a key' }).getAccount(
        sandbox.accounts()[0].Id,
      ),
      expectFailure(PipelineError, /Cannot sign/),
    );
  });

  it('treats exhausted API limits and server errors as retryable', async () => {
    const salesforce = client();
    sandbox.setFaults({ requestLimitExceeded: 1 });
    await assert.rejects(
      salesforce.readChangedAccounts(null),
      expectFailure(RetryableError, /REQUEST_LIMIT_EXCEEDED/, {
        status: 403,
        retryAfterMs: SALESFORCE_DAILY_LIMIT_RETRY_MS,
      }),
    );
    assert.equal(salesforce.apiUsage()?.limit, 15000);
    sandbox.setFaults({ serverErrors: 1 });
    await assert.rejects(salesforce.readChangedAccounts(null), (error: unknown) => {
      expectFailure(RetryableError, /UNKNOWN_EXCEPTION/)(error);
      assert.equal((error as RetryableError).status, 500);
      return true;
    });
    assert.equal((await salesforce.readChangedAccounts(null)).records.length, 200);
  });

  it('never takes a truncated page for a result', async () => {
    const salesforce = client();
    const first = await salesforce.readChangedAccounts(null);
    sandbox.setFaults({ malformedPages: 1 });
    await assert.rejects(
      salesforce.readNextPage(first.nextRecordsUrl ?? ''),
      expectFailure(RetryableError, /unexpected response/),
    );
    // The cursor is still good: the retry gets the page.
    assert.equal((await salesforce.readNextPage(first.nextRecordsUrl ?? '')).records.length, 200);
  });

  it('refuses to follow a cursor to another host', async () => {
    const salesforce = client();
    for (const url of ['https://evil.example/services/data/v60.0/query/01gX-200', '//evil.example/x', '/x']) {
      await assert.rejects(salesforce.readNextPage(url), expectFailure(PermanentError), url);
    }
  });

  it('gives up on a slow response within the timeout, as retryable', async () => {
    sandbox.setFaults({ latencyMs: 1000 });
    await assert.rejects(client({ timeoutMs: 200 }).readChangedAccounts(null), expectFailure(RetryableError));
  });

  it('reports an unreachable server as retryable', async () => {
    await assert.rejects(
      client({ loginUrl: 'http://127.0.0.1:9' }).readChangedAccounts(null),
      expectFailure(RetryableError, /ECONNREFUSED/),
    );
  });
});

/** Answers that no sandbox fault produces: a server scripted per path. */
describe('SalesforceClient against scripted responses', () => {
  interface Scripted {
    status: number;
    type: string;
    body: string;
    headers?: Record<string, string>;
  }
  const json = 'application/json;charset=UTF-8';
  const tokenGranted = (): Scripted => ({
    status: 200,
    type: json,
    body: JSON.stringify({ access_token: 'scripted-token-value', instance_url: url }),
  });
  let server: Server;
  let url = '';
  let answer: (path: string) => Scripted;
  let tokenAnswer: () => Scripted;
  let tokenRequests = 0;

  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      const token = path === '/services/oauth2/token';
      if (token) tokenRequests += 1;
      const { status, type, body, headers } = token ? tokenAnswer() : answer(path);
      res.writeHead(status, { ...headers, 'Content-Type': type });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    tokenAnswer = tokenGranted;
    tokenRequests = 0;
  });

  function client(): SalesforceClient {
    const settings = {
      loginUrl: url,
      apiVersion: '60.0',
      clientId: 'id',
      clientSecret: 'scripted-secret-value',
    };
    return new SalesforceClient({
      ...settings,
      authFlow: 'client_credentials',
      timeoutMs: 2000,
      pageSize: 200,
    });
  }

  /** Also checks the run-time credentials stay out of the message. */
  function expectScripted(kind: FailureKind, pattern: RegExp, details: Record<string, unknown> = {}) {
    return (error: unknown): boolean => {
      expectFailure(kind, pattern, details)(error);
      assert.ok(!(error as Error).message.includes('scripted-token-value'));
      assert.ok(!(error as Error).message.includes('scripted-secret-value'));
      return true;
    };
  }

  const errors = (errorCode: string, message: string) => JSON.stringify([{ errorCode, message, fields: [] }]);
  const cases: [string, Scripted, RegExp][] = [
    ['an HTML page', { status: 200, type: 'text/html', body: '<html>Log in</html>' }, /unexpected response/],
    ['an empty body', { status: 200, type: json, body: '' }, /unexpected response/],
    ['a page without records', { status: 200, type: json, body: '{"done":true}' }, /unexpected response/],
    [
      'an unfinished page without a cursor',
      { status: 200, type: json, body: '{"done":false,"totalSize":1,"records":[]}' },
      /unexpected response/,
    ],
  ];
  for (const [name, response, pattern] of cases) {
    it(`retries on ${name}`, async () => {
      answer = () => response;
      await assert.rejects(client().readChangedAccounts(null), expectScripted(RetryableError, pattern));
    });
  }

  it('stops the pipeline when a renewed session is refused too', async () => {
    answer = () => ({
      status: 401,
      type: json,
      body: errors('INVALID_SESSION_ID', 'Session expired or invalid'),
    });
    await assert.rejects(
      client().readChangedAccounts(null),
      expectScripted(PipelineError, /INVALID_SESSION_ID.*even after renewing/, { status: 401 }),
    );
    assert.equal(tokenRequests, 2, 'one renewal, no more');
  });

  it('stops the pipeline on a 403 other than an exhausted limit', async () => {
    answer = () => ({
      status: 403,
      type: json,
      body: errors('API_DISABLED_FOR_ORG', 'API is not enabled for this Organization or Partner'),
    });
    await assert.rejects(
      client().readChangedAccounts(null),
      expectScripted(PipelineError, /API_DISABLED_FOR_ORG/, { status: 403, code: 'API_DISABLED_FOR_ORG' }),
    );
  });

  it('waits long on the rolling 24-hour limit, briefly on the concurrent one, and reads the usage', async () => {
    const salesforce = client();
    answer = () => ({
      status: 403,
      type: json,
      body: errors('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
      headers: { 'Sforce-Limit-Info': 'api-usage=15012/15000' },
    });
    await assert.rejects(
      salesforce.readChangedAccounts(null),
      expectScripted(RetryableError, /TotalRequests/, { retryAfterMs: SALESFORCE_DAILY_LIMIT_RETRY_MS }),
    );
    assert.deepEqual(salesforce.apiUsage(), { used: 15012, limit: 15000 });
    answer = () => ({
      status: 403,
      type: json,
      body: errors('REQUEST_LIMIT_EXCEEDED', 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.'),
      headers: { 'Sforce-Limit-Info': 'api-usage=40/15000' },
    });
    await assert.rejects(
      salesforce.readChangedAccounts(null),
      expectScripted(RetryableError, /ConcurrentRequests/, {
        retryAfterMs: SALESFORCE_CONCURRENT_LIMIT_RETRY_MS,
      }),
    );
    assert.deepEqual(salesforce.apiUsage(), { used: 40, limit: 15000 });
    assert.ok(SALESFORCE_DAILY_LIMIT_RETRY_MS >= 10 * 60_000);
    assert.ok(
      SALESFORCE_CONCURRENT_LIMIT_RETRY_MS >= 5_000 && SALESFORCE_CONCURRENT_LIMIT_RETRY_MS <= 10_000,
    );
  });

  it('honours Retry-After on 503 and 429, in seconds or as a date', async () => {
    answer = () => ({
      status: 503,
      type: 'text/html',
      body: '<html>Maintenance</html>',
      headers: { 'Retry-After': '120' },
    });
    await assert.rejects(
      client().readChangedAccounts(null),
      expectScripted(RetryableError, /HTTP 503/, { status: 503, retryAfterMs: 120_000 }),
    );
    const at = new Date(Date.now() + 60_000).toUTCString();
    answer = () => ({ status: 429, type: json, body: '[]', headers: { 'Retry-After': at } });
    await assert.rejects(client().readChangedAccounts(null), (error: unknown) => {
      expectScripted(RetryableError, /HTTP 429/, { status: 429 })(error);
      const wait = (error as RetryableError).retryAfterMs ?? 0;
      assert.ok(wait > 55_000 && wait <= 60_000, String(wait));
      return true;
    });
    // Retry-After is only a hint on 429/503; a 500 leaves the delay to the retry policy.
    answer = () => ({
      status: 500,
      type: json,
      body: errors('UNKNOWN_EXCEPTION', 'x'),
      headers: { 'Retry-After': '5' },
    });
    await assert.rejects(
      client().readChangedAccounts(null),
      expectScripted(RetryableError, /HTTP 500/, { retryAfterMs: undefined }),
    );
  });

  it('stops the pipeline on any token refusal, retries a token endpoint outage', async () => {
    for (const error of ['invalid_grant', 'invalid_client', 'invalid_client_id', 'unsupported_grant_type']) {
      tokenAnswer = () => ({
        status: 400,
        type: json,
        body: JSON.stringify({ error, error_description: 'authentication failure' }),
      });
      await assert.rejects(
        client().readChangedAccounts(null),
        expectScripted(PipelineError, new RegExp(`token request rejected \\(${error}\\)`), {
          status: 400,
          code: error,
        }),
      );
    }
    tokenAnswer = () => ({
      status: 503,
      type: 'text/html',
      body: '<html>down</html>',
      headers: { 'Retry-After': '30' },
    });
    await assert.rejects(
      client().readChangedAccounts(null),
      expectScripted(RetryableError, /HTTP 503/, { retryAfterMs: 30_000 }),
    );
  });

  it('reports a malformed query as permanent, naming the vendor code', async () => {
    answer = () => ({
      status: 400,
      type: json,
      body: '[{"errorCode":"MALFORMED_QUERY","message":"unexpected token"}]',
    });
    await assert.rejects(
      client().readChangedAccounts(null),
      expectFailure(PermanentError, /MALFORMED_QUERY/),
    );
  });
});

describe('NetSuiteClient', () => {
  const ns = SANDBOX_CREDENTIALS.netsuite;
  let sandbox: NetSuiteSandbox;

  function client(overrides: Partial<NetSuiteSettings> = {}): NetSuiteClient {
    return new NetSuiteClient({
      ...ns,
      baseUrl: `${sandbox.url}/services/rest`,
      timeoutMs: 2000,
      maxConcurrentRequests: 5,
      ...overrides,
    });
  }

  function customer(externalId: string, overrides: Partial<Customer> = {}): Customer {
    return {
      externalId,
      companyName: `Company ${externalId}`,
      phone: '+1 415 555 0100',
      url: 'https://example.com',
      isInactive: false,
      addressBook: {
        items: [
          {
            defaultBilling: true,
            defaultShipping: false,
            addressBookAddress: {
              addr1: '1 Main St',
              city: 'Springfield',
              zip: '12345',
              country: { id: 'US' },
            },
          },
        ],
      },
      custentity_sf_account_id: '001000000000001AAA',
      custentity_sf_system_modstamp: '2024-05-20T20:49:32.000Z',
      ...overrides,
    };
  }

  before(async () => {
    sandbox = await startNetSuiteSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('derives the REST base URL from the account id', () => {
    assert.equal(
      netsuiteRestBaseUrl('1234567_SB1'),
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest',
    );
    assert.equal(netsuiteRestBaseUrl('1234567'), 'https://1234567.suitetalk.api.netsuite.com/services/rest');
    assert.throws(() => netsuiteRestBaseUrl('123.evil.example/'));
    for (const typed of ['1234567-sb1', '1234567_sb1', '1234567-SB1', '1234567_SB1']) {
      assert.equal(netsuiteAccountId(typed), '1234567_SB1');
      assert.equal(netsuiteHostSlug(typed), '1234567-sb1');
      assert.equal(
        netsuiteRestBaseUrl(typed),
        'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest',
      );
    }
    for (const bad of ['', '-1234567', '1234567--sb1', '1234567 sb1'])
      assert.throws(() => netsuiteAccountId(bad));
  });

  it('signs with the realm NetSuite requires, however the account id was typed', async () => {
    await client({ accountId: '1234567-sb1' }).upsertCustomer(customer('REALM-1'));
    assert.equal(sandbox.stats.rejectedSignatures, 0);
  });

  it('upserts by external id: twice is still one customer', async () => {
    const netsuite = client();
    const first = await netsuite.upsertCustomer(customer('001000000000001AAA'));
    assert.match(first.location ?? '', /\/customer\/\d+$/);
    const second = await netsuite.upsertCustomer(
      customer('001000000000001AAA', { companyName: 'Renamed Ltd' }),
    );
    assert.equal(second.location, first.location);
    assert.equal(sandbox.customers().length, 1);
    const stored = await netsuite.getCustomerByExternalId('001000000000001AAA');
    assert.equal(stored?.companyName, 'Renamed Ltd');
    assert.equal(stored?.externalId, '001000000000001AAA');
    assert.equal(await netsuite.getCustomerByExternalId('001000000000404AAA'), null);
  });

  it('signs concurrent requests independently', async () => {
    const netsuite = client();
    const ids = Array.from({ length: 10 }, (_, i) => `ACC-${i}`);
    await Promise.all(ids.map((id) => netsuite.upsertCustomer(customer(id))));
    assert.equal(sandbox.customers().length, 10);
    assert.equal(sandbox.stats.rejectedSignatures, 0);
  });

  it('reports a rejected field as permanent, naming it', async () => {
    await assert.rejects(
      client().upsertCustomer(customer('SHORT-PHONE', { phone: '12' })),
      (error: unknown) => {
        expectFailure(PermanentError, /seven digits/)(error);
        assert.equal((error as PermanentError).status, 400);
        assert.equal((error as PermanentError).field, 'phone');
        assert.ok((error as PermanentError).code);
        return true;
      },
    );
    assert.equal(sandbox.customers().length, 0);
  });

  it('treats 5xx, throttling and gateway pages as retryable', async () => {
    const netsuite = client();
    const cases: [Partial<NetSuiteFaults>, RegExp, number][] = [
      [{ serverErrors: 1 }, /UNEXPECTED_ERROR/, 500],
      [{ rateLimited: 1 }, /CONCURRENCY_LIMIT_EXCEEDED/, 429],
      [{ htmlErrors: 1 }, /HTTP 502/, 502],
    ];
    for (const [faults, pattern, status] of cases) {
      sandbox.setFaults(faults);
      await assert.rejects(netsuite.upsertCustomer(customer('RETRY-1')), (error: unknown) => {
        expectFailure(RetryableError, pattern)(error);
        assert.equal((error as RetryableError).status, status);
        return true;
      });
    }
    sandbox.setFaults({ htmlErrors: 1 });
    await assert.rejects(netsuite.getCustomerByExternalId('RETRY-1'), expectFailure(RetryableError));
    await netsuite.upsertCustomer(customer('RETRY-1'));
    assert.equal(sandbox.customers().length, 1);
  });

  it('gives up on a hung request within the timeout, as retryable', async () => {
    sandbox.setFaults({ hangs: 1 });
    const started = Date.now();
    await assert.rejects(
      client({ timeoutMs: 300 }).upsertCustomer(customer('HANG-1')),
      expectFailure(RetryableError),
    );
    assert.ok(Date.now() - started < 2000);
  });

  it('survives a lost response: the retry finds the write already made', async () => {
    const netsuite = client();
    sandbox.setFaults({ dropResponses: 1 });
    await assert.rejects(netsuite.upsertCustomer(customer('DROP-1')), expectFailure(RetryableError));
    await netsuite.upsertCustomer(customer('DROP-1'));
    assert.equal(sandbox.customers().length, 1);
  });

  it('stops the pipeline on a wrong token secret, without revealing it', async () => {
    const wrong = 'f'.repeat(64);
    await assert.rejects(
      client({ tokenSecret: wrong }).upsertCustomer(customer('AUTH-1')),
      (error: unknown) => {
        expectFailure(PipelineError, /INVALID_LOGIN/, { status: 401, code: 'INVALID_LOGIN' })(error);
        assert.ok(!(error as Error).message.includes(wrong));
        return true;
      },
    );
  });

  it('stops the pipeline on a revoked token, a wrong account and a missing permission', async () => {
    sandbox.setFaults({ revokedToken: true });
    await assert.rejects(
      client().upsertCustomer(customer('AUTH-2')),
      expectFailure(PipelineError, /INVALID_LOGIN.*authentication failed/, {
        status: 401,
        code: 'INVALID_LOGIN',
      }),
    );
    sandbox.setFaults({ revokedToken: false });
    // Another account's id: the realm does not match, and NetSuite answers INVALID_LOGIN.
    await assert.rejects(
      client({ accountId: '7654321' }).getCustomerByExternalId('AUTH-2'),
      expectFailure(PipelineError, /INVALID_LOGIN/, { status: 401 }),
    );
    sandbox.setFaults({ permissionDenied: true });
    await assert.rejects(
      client().upsertCustomer(customer('AUTH-2')),
      expectFailure(PipelineError, /INSUFFICIENT_PERMISSION.*permission denied/, {
        status: 403,
        code: 'INSUFFICIENT_PERMISSION',
      }),
    );
    await assert.rejects(
      client().suiteql('SELECT id FROM customer ORDER BY id', { limit: 1, offset: 0 }),
      expectFailure(PipelineError),
    );
    assert.equal(sandbox.customers().length, 0);
  });

  it('honours Retry-After on an outage and on a 429 storm from a client sharing the limit', async () => {
    const netsuite = client();
    sandbox.setFaults({ outageUntil: true, retryAfterS: 90 });
    await assert.rejects(
      netsuite.upsertCustomer(customer('WAIT-1')),
      expectFailure(RetryableError, /SERVICE_UNAVAILABLE/, { status: 503, retryAfterMs: 90_000 }),
    );
    sandbox.setFaults({ outageHtml: true, retryAfterS: 0 });
    await assert.rejects(
      netsuite.getCustomerByExternalId('WAIT-1'),
      expectFailure(RetryableError, /HTTP 503/, { status: 503, retryAfterMs: undefined }),
    );
    sandbox.setFaults({ outageUntil: false, concurrencyLimit: 5, occupiedSlots: 5, retryAfterS: 3 });
    await assert.rejects(
      netsuite.upsertCustomer(customer('WAIT-1')),
      expectFailure(RetryableError, /CONCURRENCY_LIMIT_EXCEEDED/, { status: 429, retryAfterMs: 3_000 }),
    );
    sandbox.setFaults({ occupiedSlots: 0 });
    await netsuite.upsertCustomer(customer('WAIT-1'));
    assert.equal(sandbox.customers().length, 1);
  });

  it('keeps a missing record and a rejected field record-level', async () => {
    const netsuite = client();
    assert.equal(await netsuite.getCustomerByExternalId('NOT-THERE'), null);
    await assert.rejects(
      netsuite.upsertCustomer(customer('FIELD-1', { companyName: '' })),
      expectFailure(PermanentError, /companyName/, { status: 400, field: 'companyName' }),
    );
  });

  it('pages through SuiteQL results', async () => {
    const netsuite = client();
    for (let i = 0; i < 7; i++) await netsuite.upsertCustomer(customer(`Q-${i}`));
    const query = 'SELECT id, externalid, companyname FROM customer ORDER BY id';
    const seen: unknown[] = [];
    for (let offset = 0, hasMore = true; hasMore; offset += 3) {
      const page = await netsuite.suiteql(query, { limit: 3, offset });
      assert.equal(page.totalResults, 7);
      assert.equal('links' in (page.items[0] ?? {}), false);
      seen.push(...page.items.map((item) => item.externalid));
      hasMore = page.hasMore;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 7 }, (_, i) => `Q-${i}`),
    );
    await assert.rejects(
      netsuite.suiteql('DELETE FROM customer', { limit: 3, offset: 0 }),
      expectFailure(PermanentError),
    );
  });
});
