import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import { startNetSuiteSandbox, type NetSuiteFaults, type NetSuiteSandbox } from '../sandbox/netsuite';
import { startSalesforceSandbox, type SalesforceSandbox } from '../sandbox/salesforce';
import { PermanentError, RetryableError } from '../src/connectors/errors';
import { NetSuiteClient, netsuiteRestBaseUrl, type NetSuiteSettings } from '../src/connectors/netsuite';
import { SalesforceClient, type SalesforceSettings } from '../src/connectors/salesforce';
import { checkpointOf, type Checkpoint } from '../src/domain/checkpoint';
import type { Customer } from '../src/domain/customer';
import { PERMANENT_FAILURE, RETRYABLE_FAILURE } from '../src/domain/failures';
import { mapAccountToCustomer } from '../src/domain/mapping';

const sf = SANDBOX_CREDENTIALS.salesforce;
const SECRETS = [sf.clientSecret, sf.privateKey, ...Object.values(SANDBOX_CREDENTIALS.netsuite).slice(1)];

/** Every connector error message is checked here: none may reveal a credential. */
function assertNoSecrets(error: Error): void {
  for (const secret of SECRETS) assert.ok(!error.message.includes(secret), `secret leaked: ${error.message}`);
  assert.ok(!/Bearer \S|oauth_signature|Authorization:/.test(error.message), `auth leaked: ${error.message}`);
}

function expectFailure(kind: typeof RetryableError | typeof PermanentError, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.equal(error.name, kind === RetryableError ? RETRYABLE_FAILURE : PERMANENT_FAILURE);
    if (pattern) assert.match(error.message, pattern);
    assertNoSecrets(error);
    return true;
  };
}

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
    assert.match(salesforce.apiUsage ?? '', /^api-usage=\d+\/\d+$/);
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

  it('reports bad credentials as permanent without revealing them', async () => {
    await assert.rejects(
      client({ clientSecret: 'wrong-secret-value' }).readChangedAccounts(null),
      expectFailure(PermanentError, /invalid_client/),
    );
    await assert.rejects(
      client({
        authFlow: 'jwt_bearer',
        username: 'someone@else.example',
        privateKey: sf.privateKey,
      }).getAccount(sandbox.accounts()[0].Id),
      expectFailure(PermanentError, /invalid_grant/),
    );
  });

  it('treats exhausted API limits and server errors as retryable', async () => {
    const salesforce = client();
    sandbox.setFaults({ requestLimitExceeded: 1 });
    await assert.rejects(
      salesforce.readChangedAccounts(null),
      expectFailure(RetryableError, /REQUEST_LIMIT_EXCEEDED/),
    );
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
  let server: Server;
  let url = '';
  let answer: (path: string) => { status: number; type: string; body: string };

  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/services/oauth2/token') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'scripted-token-value', instance_url: url }));
        return;
      }
      const { status, type, body } = answer(path);
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

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

  const json = 'application/json;charset=UTF-8';
  const cases: [string, { status: number; type: string; body: string }, RegExp][] = [
    ['an HTML page', { status: 200, type: 'text/html', body: '<html>Log in</html>' }, /unexpected response/],
    ['an empty body', { status: 200, type: json, body: '' }, /unexpected response/],
    ['a page without records', { status: 200, type: json, body: '{"done":true}' }, /unexpected response/],
    [
      'an unfinished page without a cursor',
      { status: 200, type: json, body: '{"done":false,"totalSize":1,"records":[]}' },
      /unexpected response/,
    ],
    [
      'a session rejected even after renewal',
      {
        status: 401,
        type: json,
        body: '[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]',
      },
      /INVALID_SESSION_ID/,
    ],
  ];
  for (const [name, response, pattern] of cases) {
    it(`retries on ${name}`, async () => {
      answer = () => response;
      await assert.rejects(client().readChangedAccounts(null), (error: unknown) => {
        expectFailure(RetryableError, pattern)(error);
        assert.ok(!(error as Error).message.includes('scripted-token-value'));
        assert.ok(!(error as Error).message.includes('scripted-secret-value'));
        return true;
      });
    });
  }

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

  it('reports a wrong token secret as permanent without revealing it', async () => {
    const wrong = 'f'.repeat(64);
    await assert.rejects(
      client({ tokenSecret: wrong }).upsertCustomer(customer('AUTH-1')),
      (error: unknown) => {
        expectFailure(PermanentError, /INVALID_LOGIN/)(error);
        assert.equal((error as PermanentError).status, 401);
        assert.ok(!(error as Error).message.includes(wrong));
        return true;
      },
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
