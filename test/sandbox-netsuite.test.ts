import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import OAuth from 'oauth-1.0a';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import { startNetSuiteSandbox, type NetSuiteSandbox } from '../sandbox/netsuite';

const creds = SANDBOX_CREDENTIALS.netsuite;

let ns: NetSuiteSandbox;

before(async () => {
  ns = await startNetSuiteSandbox();
});
after(() => ns.close());
beforeEach(() => ns.reset());

interface SignOptions {
  consumerSecret?: string;
  tokenId?: string;
  realm?: string;
  timestamp?: number;
  /** Sign this path instead of the one requested (to prove the query is covered). */
  signedPath?: string;
}

/** An OAuth 1.0a TBA header built with the oauth-1.0a package, independent of the sandbox verifier. */
function authorization(method: string, path: string, o: SignOptions = {}): string {
  const oauth = new OAuth({
    consumer: { key: creds.consumerKey, secret: o.consumerSecret ?? creds.consumerSecret },
    signature_method: 'HMAC-SHA256',
    realm: o.realm ?? creds.accountId,
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
  });
  if (o.timestamp !== undefined) oauth.getTimeStamp = () => o.timestamp as number;
  const data = oauth.authorize(
    { url: `${ns.url}${o.signedPath ?? path}`, method },
    { key: o.tokenId ?? creds.tokenId, secret: creds.tokenSecret },
  );
  return oauth.toHeader(data).Authorization;
}

function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  sign: SignOptions = {},
) {
  return fetch(`${ns.url}${path}`, {
    method,
    headers: {
      Authorization: authorization(method, path, sign),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const CUSTOMER = '/services/rest/record/v1/customer';
const SUITEQL = '/services/rest/query/v1/suiteql';

interface ErrorBody {
  status: number;
  title: string;
  'o:errorDetails': { detail: string; 'o:errorCode': string; 'o:errorPath'?: string }[];
}

async function errorOf(res: Response): Promise<ErrorBody> {
  assert.equal(res.headers.get('content-type'), 'application/vnd.oracle.resource+json; type=error');
  return (await res.json()) as ErrorBody;
}

async function expectError(res: Response, status: number, code: string, path?: string): Promise<void> {
  assert.equal(res.status, status);
  const [detail] = (await errorOf(res))['o:errorDetails'];
  assert.equal(detail['o:errorCode'], code);
  if (path !== undefined) assert.equal(detail['o:errorPath'], path);
}

const valid = { companyName: 'Müller & Söhne GmbH', phone: '+49 30 1234567', url: 'https://mueller.example' };

describe('netsuite sandbox: TBA signatures', () => {
  it('accepts a correctly signed request, query parameters included', async () => {
    const res = await call('GET', `${CUSTOMER}/eid:missing`);
    await expectError(res, 404, 'NONEXISTENT_ID');
    const q = await call(
      'POST',
      `${SUITEQL}?limit=5&offset=0`,
      { q: 'SELECT id FROM customer ORDER BY id' },
      { Prefer: 'transient' },
    );
    assert.equal(q.status, 200);
    assert.equal(ns.stats.rejectedSignatures, 0);
  });

  it('rejects unsigned, mis-signed, unknown token, wrong realm, stale and replayed requests', async () => {
    const path = `${CUSTOMER}/eid:missing`;
    const unsigned = await fetch(`${ns.url}${path}`);
    assert.equal(unsigned.status, 401);
    assert.deepEqual(await errorOf(unsigned), {
      type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2',
      title: 'Unauthorized',
      status: 401,
      'o:errorDetails': [
        {
          detail:
            'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
          'o:errorCode': 'INVALID_LOGIN',
        },
      ],
    });
    const bad: SignOptions[] = [
      { consumerSecret: 'wrong' },
      { tokenId: 'unknown-token' },
      { realm: '7654321' },
      { timestamp: Math.floor(Date.now() / 1000) - 301 },
      { signedPath: `${SUITEQL}?limit=5` }, // signed one URL, sent another
    ];
    for (const sign of bad) {
      const res = await call(
        'POST',
        `${SUITEQL}?limit=6`,
        { q: 'SELECT id FROM customer ORDER BY id' },
        { Prefer: 'transient' },
        sign,
      );
      await expectError(res, 401, 'INVALID_LOGIN');
    }
    const header = authorization('GET', path);
    assert.equal((await fetch(`${ns.url}${path}`, { headers: { Authorization: header } })).status, 404);
    const replay = await fetch(`${ns.url}${path}`, { headers: { Authorization: header } });
    assert.equal(replay.status, 401);
    assert.equal(replay.headers.get('x-sandbox-auth-failure'), 'nonce already used');
    assert.equal(ns.stats.rejectedSignatures, 7);
  });
});

describe('netsuite sandbox: customer records', () => {
  it('creates with POST, reads by id and external id', async () => {
    const res = await call('POST', CUSTOMER, { ...valid, externalId: 'SF-001A', custentity_sf_id: '001A' });
    assert.equal(res.status, 204);
    const location = res.headers.get('location') ?? '';
    assert.match(location, new RegExp(`^${ns.url}${CUSTOMER}/\\d+$`));
    const id = location.split('/').at(-1) as string;
    for (const ref of [id, 'eid:SF-001A']) {
      const got = await call('GET', `${CUSTOMER}/${ref}`);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), 'application/vnd.oracle.resource+json; type=singular');
      const customer = (await got.json()) as Record<string, unknown>;
      assert.equal(customer.id, id);
      assert.equal(customer.companyName, valid.companyName);
      assert.equal(customer.custentity_sf_id, '001A');
      assert.deepEqual(customer.links, [{ rel: 'self', href: location }]);
      assert.match(String(customer.lastModifiedDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    await expectError(
      await call('POST', CUSTOMER, { ...valid, externalId: 'SF-001A' }),
      400,
      'DUP_RCRD',
      'externalId',
    );
    await expectError(await call('GET', `${CUSTOMER}/99999`), 404, 'NONEXISTENT_ID');
    assert.equal(ns.stats.writes, 1);
  });

  it('upsert by external id is idempotent and updates only the given fields', async () => {
    const put = (body: unknown) => call('PUT', `${CUSTOMER}/eid:SF-42`, body);
    const first = await put({ ...valid, comments: 'first' });
    assert.equal(first.status, 204);
    const second = await put({ ...valid, comments: 'first' });
    assert.equal(second.status, 204);
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    assert.equal((await put({ phone: '(415) 555-0100' })).status, 204);
    assert.equal(ns.customers().length, 1);
    const customer = ns.customerByExternalId('SF-42');
    assert.equal(customer?.companyName, valid.companyName);
    assert.equal(customer?.phone, '(415) 555-0100');
    assert.equal(customer?.externalId, 'SF-42');
    await expectError(await put({ ...valid, externalId: 'other' }), 400, 'INVALID_CONTENT', 'externalId');
    await expectError(await call('PUT', `${CUSTOMER}/eid:bad%20id`, valid), 400, 'INVALID_ID');
    await expectError(
      await call('PUT', `${CUSTOMER}/eid:new-one`, { phone: '4155550100' }),
      400,
      'USER_ERROR',
      'companyName',
    );
  });

  it('PATCH: omitted fields unchanged, null clears', async () => {
    const created = await call('PUT', `${CUSTOMER}/eid:P1`, { ...valid, email: 'ap@mueller.example' });
    const id = (created.headers.get('location') ?? '').split('/').at(-1) as string;
    assert.equal((await call('PATCH', `${CUSTOMER}/${id}`, { email: null, isInactive: true })).status, 204);
    const customer = ns.customers()[0];
    assert.equal(customer.email, undefined);
    assert.equal(customer.isInactive, true);
    assert.equal(customer.phone, valid.phone);
    await expectError(
      await call('PATCH', `${CUSTOMER}/${id}`, { companyName: null }),
      400,
      'USER_ERROR',
      'companyName',
    );
    await expectError(await call('PATCH', `${CUSTOMER}/424242`, { isInactive: true }), 404, 'NONEXISTENT_ID');
  });

  it('validates bodies and names the offending field', async () => {
    const cases: [unknown, string, string | undefined][] = [
      [{ ...valid, phone: 'n/a' }, 'INVALID_FLD_VALUE', 'phone'],
      [{ ...valid, phone: '12' }, 'INVALID_FLD_VALUE', 'phone'],
      [{ ...valid, companyName: 'x'.repeat(84) }, 'INVALID_FLD_VALUE', 'companyName'],
      [{ ...valid, companyName: '' }, 'USER_ERROR', 'companyName'],
      [{ phone: '4155550100' }, 'USER_ERROR', 'companyName'],
      [{ ...valid, url: 'www.mueller.example' }, 'INVALID_FLD_VALUE', 'url'],
      [{ ...valid, email: 'not-an-email' }, 'INVALID_FLD_VALUE', 'email'],
      [{ ...valid, isInactive: 'false' }, 'INVALID_CONTENT', 'isInactive'],
      [{ ...valid, Name: 'Salesforce field name' }, 'INVALID_CONTENT', 'Name'],
      [{ ...valid, externalId: 'has space' }, 'INVALID_FLD_VALUE', 'externalId'],
      [
        {
          ...valid,
          addressBook: { items: [{ addressBookAddress: { city: 'Berlin', country: { id: 'Germany' } } }] },
        },
        'INVALID_FLD_VALUE',
        'addressBook.items[0].addressBookAddress.country',
      ],
      [
        { ...valid, addressBook: { items: [{ addressBookAddress: { city: 42 } }] } },
        'INVALID_CONTENT',
        'addressBook.items[0].addressBookAddress.city',
      ],
      [[valid], 'INVALID_CONTENT', undefined],
      ['{"companyName": ', 'INVALID_CONTENT', undefined],
    ];
    for (const [body, code, path] of cases) {
      await expectError(await call('POST', CUSTOMER, body), 400, code, path);
    }
    assert.equal(ns.customers().length, 0);
    const full = {
      ...valid,
      externalId: 'SF-full',
      entityId: 'CUST-1',
      isPerson: false,
      email: 'billing@mueller.example',
      isInactive: false,
      subsidiary: { id: '1' },
      comments: '株式会社 🚀 שלום',
      custentity_sf_modstamp: '2024-05-20T20:49:32.000+0000',
      addressBook: {
        items: [
          {
            defaultBilling: true,
            defaultShipping: false,
            addressBookAddress: {
              addr1: 'Straße 1\nHinterhaus',
              city: 'München',
              state: 'BY',
              zip: '80331',
              country: { id: 'DE' },
            },
          },
        ],
      },
    };
    assert.equal((await call('POST', CUSTOMER, full)).status, 204);
    assert.deepEqual(ns.customerByExternalId('SF-full')?.addressBook, full.addressBook);
  });
});

describe('netsuite sandbox: SuiteQL', () => {
  it('pages with limit/offset and filters by external id', async () => {
    for (let i = 0; i < 5; i++)
      await call('PUT', `${CUSTOMER}/eid:Q${i}`, { companyName: `Q ${i}`, isInactive: i === 3 });
    const run = (path: string, q: string, headers: Record<string, string> = { Prefer: 'transient' }) =>
      call('POST', path, { q }, headers);
    let res = await run(
      `${SUITEQL}?limit=2&offset=2`,
      'SELECT id, externalid, companyname, isinactive, lastmodifieddate FROM customer ORDER BY id',
    );
    assert.equal(res.status, 200);
    const page = (await res.json()) as {
      count: number;
      hasMore: boolean;
      offset: number;
      totalResults: number;
      items: Record<string, unknown>[];
    };
    assert.deepEqual(
      { ...page, items: undefined, links: undefined },
      { count: 2, hasMore: true, offset: 2, totalResults: 5, items: undefined, links: undefined },
    );
    assert.deepEqual(
      page.items.map((i) => [i.externalid, i.companyname, i.isinactive]),
      [
        ['Q2', 'Q 2', 'F'],
        ['Q3', 'Q 3', 'T'],
      ],
    );
    assert.deepEqual(page.items[0].links, []);
    assert.ok(typeof page.items[0].lastmodifieddate === 'string');

    res = await run(SUITEQL, "select id, companyname from customer where externalid = 'Q4' order by id");
    const one = (await res.json()) as { items: Record<string, unknown>[]; hasMore: boolean };
    assert.deepEqual(
      one.items.map((i) => i.companyname),
      ['Q 4'],
    );
    assert.equal(one.hasMore, false);

    for (const q of [
      'SELECT * FROM customer ORDER BY id',
      'SELECT id FROM vendor ORDER BY id',
      "SELECT id FROM customer WHERE externalid = 'x' OR 1=1 ORDER BY id",
      'SELECT id FROM customer',
      'SELECT id, password FROM customer ORDER BY id',
    ]) {
      assert.equal((await run(SUITEQL, q)).status, 400, q);
    }
    assert.equal((await run(SUITEQL, 'SELECT id FROM customer ORDER BY id', {})).status, 400);
    assert.equal((await run(`${SUITEQL}?limit=1001`, 'SELECT id FROM customer ORDER BY id')).status, 400);
  });
});

describe('netsuite sandbox: faults', () => {
  it('concurrency limit answers 429 at once and tracks the peak', async () => {
    ns.setFaults({ concurrencyLimit: 2, latencyMs: 200 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('GET', `${CUSTOMER}/eid:none`).then(async (r) => [r.status, await r.text()] as const),
      ),
    );
    const statuses = results.map(([s]) => s).sort();
    assert.deepEqual(statuses, [404, 404, 429, 429, 429]);
    const limited = JSON.parse(results.find(([s]) => s === 429)?.[1] ?? '{}') as ErrorBody;
    assert.equal(limited.title, 'Too Many Requests');
    assert.equal(limited['o:errorDetails'][0]['o:errorCode'], 'CONCURRENCY_LIMIT_EXCEEDED');
    // Refused requests count too while they last, so the peak shows the client exceeded the limit.
    assert.ok(ns.stats.maxConcurrent >= 3);
    assert.deepEqual(ns.stats.byStatus, { 404: 2, 429: 3 });
  });

  it('a dropped response still commits the write; retrying the upsert does not duplicate', async () => {
    ns.setFaults({ dropResponses: 1 });
    await assert.rejects(call('PUT', `${CUSTOMER}/eid:D1`, valid));
    assert.equal(ns.customers().length, 1);
    assert.equal((await call('PUT', `${CUSTOMER}/eid:D1`, valid)).status, 204);
    assert.equal(ns.customers().length, 1);
    assert.equal(ns.stats.byStatus.dropped, 1);
    assert.equal(ns.stats.writes, 2);
  });

  it('one-shot HTML 502, 429 and 500, then normal service', async () => {
    ns.setFaults({ serverErrors: 1, rateLimited: 1, htmlErrors: 1 });
    const path = `${CUSTOMER}/eid:x`;
    let res = await call('GET', path);
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('content-type'), 'text/html');
    assert.equal(await res.text(), '<html><body><h1>502 Bad Gateway</h1></body></html>');
    await expectError(await call('GET', path), 429, 'CONCURRENCY_LIMIT_EXCEEDED');
    res = await call('GET', path);
    assert.equal(res.status, 500);
    await res.body?.cancel();
    await expectError(await call('GET', path), 404, 'NONEXISTENT_ID');
  });

  it('hangs hold the request until the client gives up; close() still returns', async () => {
    const own = await startNetSuiteSandbox({ hangs: 1 });
    await assert.rejects(fetch(`${own.url}${CUSTOMER}/1`, { signal: AbortSignal.timeout(200) }));
    const stuck = fetch(`${own.url}${CUSTOMER}/1`).catch(() => 'closed');
    const hung = await startNetSuiteSandbox({ hangs: 5 });
    const pending = fetch(`${hung.url}${CUSTOMER}/1`).catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 50));
    await hung.close();
    assert.equal(await pending, 'closed');
    await own.close();
    await stuck;
    assert.equal(own.stats.byStatus.hung, 1);
  });

  it('a second client holding slots of the shared limit: 429 storm in the documented error shape', async () => {
    ns.setFaults({ concurrencyLimit: 5, occupiedSlots: 5 });
    for (let i = 0; i < 3; i++) {
      const res = await call('GET', `${CUSTOMER}/eid:none`);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), null, 'NetSuite documents no Retry-After');
      assert.deepEqual(await errorOf(res), {
        type: 'https://tools.ietf.org/html/rfc6585#section-4',
        title: 'Too Many Requests',
        status: 429,
        'o:errorDetails': [
          {
            detail: 'Concurrent request limit exceeded. Request blocked.',
            'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED',
          },
        ],
      });
    }
    // One slot left: one request at a time goes through, a second one at once does not.
    ns.setFaults({ occupiedSlots: 4, latencyMs: 200, retryAfterS: 2 });
    assert.equal((await call('GET', `${CUSTOMER}/eid:none`)).status, 404);
    const both = await Promise.all([call('GET', `${CUSTOMER}/eid:a`), call('GET', `${CUSTOMER}/eid:b`)]);
    assert.deepEqual(both.map((r) => r.status).sort(), [404, 429]);
    assert.equal(both.find((r) => r.status === 429)?.headers.get('retry-after'), '2');
    await Promise.all(both.map((r) => r.body?.cancel()));
    // The peak counts our requests only.
    assert.equal(ns.stats.maxConcurrent, 2);
    ns.setFaults({ occupiedSlots: 0, latencyMs: 0 });
    assert.equal((await call('GET', `${CUSTOMER}/eid:none`)).status, 404);
  });

  it('a revoked token: every request answers 401 INVALID_LOGIN until cleared', async () => {
    ns.setFaults({ revokedToken: true });
    const res = await call('PUT', `${CUSTOMER}/eid:R1`, valid);
    await expectError(res, 401, 'INVALID_LOGIN');
    assert.equal(res.headers.get('x-sandbox-auth-failure'), 'token revoked');
    await expectError(await call('GET', `${CUSTOMER}/eid:R1`), 401, 'INVALID_LOGIN');
    assert.equal(ns.customers().length, 0);
    assert.equal(ns.stats.rejectedSignatures, 2);
    ns.setFaults({ revokedToken: false });
    assert.equal((await call('PUT', `${CUSTOMER}/eid:R1`, valid)).status, 204);
  });

  it('a role without the permission: signed requests answer 403, bad signatures still 401', async () => {
    ns.setFaults({ permissionDenied: true });
    const res = await call('PUT', `${CUSTOMER}/eid:P1`, valid);
    assert.equal(res.status, 403);
    const body = await errorOf(res);
    assert.equal(body.title, 'Forbidden');
    assert.equal(body.status, 403);
    assert.equal(body['o:errorDetails'][0]['o:errorCode'], 'INSUFFICIENT_PERMISSION');
    await expectError(
      await call('GET', `${CUSTOMER}/eid:P1`, undefined, {}, { realm: '7654321' }),
      401,
      'INVALID_LOGIN',
    );
    assert.equal(ns.customers().length, 0);
    ns.setFaults({ permissionDenied: false });
    assert.equal((await call('PUT', `${CUSTOMER}/eid:P1`, valid)).status, 204);
  });

  it('refuses a realm in the host name spelling or lower case, as NetSuite does', async () => {
    for (const realm of ['1234567-sb1', '1234567_sb1', '1234567-SB1']) {
      await expectError(
        await call('GET', `${CUSTOMER}/eid:x`, undefined, {}, { realm }),
        401,
        'INVALID_LOGIN',
      );
    }
  });

  it('an outage: 503 until cleared or until its end, JSON or an HTML maintenance page', async () => {
    const path = `${CUSTOMER}/eid:O1`;
    ns.setFaults({ outageUntil: true, retryAfterS: 120 });
    let res = await call('PUT', path, valid);
    await expectError(res, 503, 'SERVICE_UNAVAILABLE');
    assert.equal(res.headers.get('retry-after'), '120');
    ns.setFaults({ outageHtml: true, retryAfterS: 0 });
    res = await call('GET', path);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('content-type'), 'text/html');
    assert.equal(res.headers.get('retry-after'), null);
    assert.match(await res.text(), /maintenance/);
    ns.setFaults({ outageUntil: false });
    assert.equal((await call('GET', path)).status, 404);

    ns.setFaults({ outageUntil: Date.now() + 300, outageHtml: false });
    await expectError(await call('GET', path), 503, 'SERVICE_UNAVAILABLE');
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await call('PUT', path, valid)).status, 204);
    assert.equal(ns.stats.byStatus[503], 3);
    assert.equal(ns.customers().length, 1);
  });

  it('seeded serverErrorRate is reproducible', async () => {
    const pattern = async (sandbox: NetSuiteSandbox) => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${sandbox.url}${CUSTOMER}/1`)).status);
      return statuses;
    };
    const a = await startNetSuiteSandbox({ serverErrorRate: 0.5, seed: 7 });
    const b = await startNetSuiteSandbox({ serverErrorRate: 0.5, seed: 7 });
    try {
      const first = await pattern(a);
      assert.deepEqual(await pattern(b), first);
      assert.ok(first.includes(503) && first.includes(401));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('netsuite sandbox: admin HTTP', () => {
  it('customers, faults, stats and reset', async () => {
    await call('PUT', `${CUSTOMER}/eid:A1`, valid);
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${ns.url}/__admin${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    assert.equal(((await (await admin('GET', '/customers')).json()) as unknown[]).length, 1);
    assert.equal((await admin('POST', '/faults', { serverErrors: 1, bogus: 'ignored' })).status, 200);
    assert.equal((await call('GET', `${CUSTOMER}/eid:A1`)).status, 500);
    const stats = (await (await admin('GET', '/stats')).json()) as {
      requests: number;
      byStatus: Record<string, number>;
    };
    assert.deepEqual(stats.byStatus, { 204: 1, 500: 1 });
    assert.equal(stats.requests, 2);
    assert.equal((await admin('POST', '/reset')).status, 200);
    assert.equal(ns.customers().length, 0);
    assert.equal(ns.stats.requests, 0);
  });

  it('sets and clears the account knobs, ignoring values of the wrong type', async () => {
    const setFaults = async (body: unknown) =>
      (await (
        await fetch(`${ns.url}/__admin/faults`, { method: 'POST', body: JSON.stringify(body) })
      ).json()) as Record<string, unknown>;
    let faults = await setFaults({
      revokedToken: true,
      permissionDenied: 'yes',
      outageUntil: 'tomorrow',
      occupiedSlots: 3,
      concurrencyLimit: 5,
      retryAfterS: 30,
    });
    assert.equal(faults.revokedToken, true);
    assert.equal(faults.permissionDenied, false);
    assert.equal(faults.outageUntil, false);
    assert.equal(faults.occupiedSlots, 3);
    assert.equal((await call('GET', `${CUSTOMER}/eid:A1`)).status, 401);
    faults = await setFaults({ revokedToken: false, outageUntil: true });
    assert.equal(faults.outageUntil, true);
    const res = await call('GET', `${CUSTOMER}/eid:A1`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '30');
    await setFaults({ outageUntil: 0, occupiedSlots: 5 });
    assert.equal((await call('GET', `${CUSTOMER}/eid:A1`)).status, 429);
    await setFaults({ occupiedSlots: 0 });
    assert.equal((await call('GET', `${CUSTOMER}/eid:A1`)).status, 404);
    // Knobs given at start-up are what reset returns to.
    const started = await startNetSuiteSandbox({ permissionDenied: true, outageUntil: true });
    try {
      started.setFaults({ permissionDenied: false, outageUntil: false });
      started.reset();
      const res = await fetch(`${started.url}/__admin/faults`, { method: 'POST' });
      const restored = (await res.json()) as Record<string, unknown>;
      assert.equal(restored.permissionDenied, true);
      assert.equal(restored.outageUntil, true);
    } finally {
      await started.close();
    }
  });
});
