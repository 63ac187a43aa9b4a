import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import OAuth from 'oauth-1.0a';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import {
  startNetSuiteSandbox,
  type NetSuiteSandbox,
  type NetSuiteSandboxOptions,
  type SandboxCustomer,
} from '../sandbox/netsuite';

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
      'SELECT id FROM customer ORDER BY companyname',
      'SELECT id, password FROM customer ORDER BY id',
    ]) {
      assert.equal((await run(SUITEQL, q)).status, 400, q);
    }
    assert.equal((await run(SUITEQL, 'SELECT id FROM customer ORDER BY id', {})).status, 400);
    assert.equal((await run(`${SUITEQL}?limit=1001`, 'SELECT id FROM customer ORDER BY id')).status, 400);
  });
});

/** Runs `fn` against a sandbox started with `opts` (call() signs for whichever sandbox `ns` is). */
async function using(opts: NetSuiteSandboxOptions, fn: (sandbox: NetSuiteSandbox) => Promise<void>) {
  const saved = ns;
  ns = await startNetSuiteSandbox(opts);
  try {
    await fn(ns);
  } finally {
    await ns.close();
    ns = saved;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await call('GET', path);
  assert.equal(res.status, 200, path);
  return (await res.json()) as Record<string, unknown>;
}

const idOf = (res: Response) => (res.headers.get('location') ?? '').split('/').at(-1) as string;

const berlin = {
  defaultBilling: true,
  defaultShipping: false,
  addressBookAddress: { addr1: 'Unter den Linden 1', city: 'Berlin', zip: '10117', country: { id: 'DE' } },
};
const boston = {
  defaultBilling: true,
  defaultShipping: false,
  addressBookAddress: {
    addr1: '1 Main St',
    city: 'Boston',
    state: 'MA',
    zip: '02108',
    country: { id: 'US' },
  },
};
const lines = (eid: string) => ns.customerByExternalId(eid)?.addressBook?.items ?? [];

describe('netsuite sandbox: sublists on update', () => {
  it('an upsert without replace adds a second address line; with replace=addressBook keeps exactly one', async () => {
    const put = (body: unknown, query = '') => call('PUT', `${CUSTOMER}/eid:SUB-1${query}`, body);
    assert.equal((await put({ ...valid, addressBook: { items: [boston] } })).status, 204);
    assert.deepEqual(lines('SUB-1'), [boston]);
    // The same body again: NetSuite merges sublists, so the line is added, not matched.
    assert.equal((await put({ ...valid, addressBook: { items: [boston] } })).status, 204);
    assert.deepEqual(lines('SUB-1'), [boston, boston]);
    assert.equal((await put({ addressBook: { items: [berlin] } }, '?replace=addressBook')).status, 204);
    assert.deepEqual(lines('SUB-1'), [berlin]);
    assert.equal((await put({ addressBook: { items: [berlin] } }, '?replace=addressBook')).status, 204);
    assert.deepEqual(lines('SUB-1'), [berlin]);
    // Body fields outside the sublist keep PATCH semantics either way.
    assert.equal(ns.customerByExternalId('SUB-1')?.companyName, valid.companyName);
  });

  it('PATCH merges too; replace with no lines clears; the name is case-insensitive, unknown names are refused', async () => {
    const id = idOf(
      await call('POST', CUSTOMER, {
        ...valid,
        externalId: 'SUB-2',
        addressBook: { items: [berlin, boston] },
      }),
    );
    assert.equal(lines('SUB-2').length, 2, 'on create the lines sent are the lines');
    assert.equal(
      (await call('PATCH', `${CUSTOMER}/${id}`, { addressBook: { items: [boston] } })).status,
      204,
    );
    assert.equal(lines('SUB-2').length, 3);
    assert.equal(
      (
        await call('PATCH', `${CUSTOMER}/${id}?replace=addressbook,contactRoles`, {
          addressBook: { items: [] },
        })
      ).status,
      204,
    );
    assert.deepEqual(ns.customerByExternalId('SUB-2')?.addressBook, { items: [] });
    for (const query of ['?replace=addresses', '?replace=', '?replace=addressBook,nope']) {
      await expectError(
        await call('PATCH', `${CUSTOMER}/${id}${query}`, { addressBook: { items: [boston] } }),
        400,
        'INVALID_PARAMETER',
        'replace',
      );
    }
    assert.deepEqual(ns.customerByExternalId('SUB-2')?.addressBook, { items: [] });
  });

  it('a line naming an existing line id updates that line (a keyed sublist)', async () => {
    const id = idOf(
      await call('PUT', `${CUSTOMER}/eid:SUB-3`, { ...valid, addressBook: { items: [berlin, boston] } }),
    );
    const book = await getJson(`${CUSTOMER}/${id}?expandSubResources=true`);
    const [first, second] = (book.addressBook as { items: { id: number }[] }).items;
    const update = { id: second.id, addressBookAddress: { zip: '02109', state: null } };
    assert.equal(
      (await call('PATCH', `${CUSTOMER}/${id}`, { addressBook: { items: [update] } })).status,
      204,
    );
    const after = lines('SUB-3');
    assert.equal(after.length, 2);
    assert.deepEqual(after[0], berlin);
    assert.deepEqual(after[1].addressBookAddress, {
      addr1: '1 Main St',
      city: 'Boston',
      zip: '02109',
      country: { id: 'US' },
    });
    // With replace, matched lines are updated and the others removed.
    const keep = { id: first.id, defaultShipping: true };
    assert.equal(
      (await call('PATCH', `${CUSTOMER}/${id}?replace=addressBook`, { addressBook: { items: [keep] } }))
        .status,
      204,
    );
    assert.deepEqual(lines('SUB-3'), [{ ...berlin, defaultShipping: true }]);
    await expectError(
      await call('PATCH', `${CUSTOMER}/${id}`, {
        addressBook: { items: [{ id: 'x1', defaultBilling: true }] },
      }),
      400,
      'INVALID_CONTENT',
      'addressBook.items[0].id',
    );
  });
});

describe('netsuite sandbox: read-back as NetSuite does it', () => {
  it('GET: sublists as links, references with refName, defaults and stamps filled in', async () => {
    const res = await call('PUT', `${CUSTOMER}/eid:RB-1`, {
      companyName: 'Read Back Inc',
      phone: '+1 617 555 0100',
      subsidiary: { id: 1 },
      custentity_sf_account_id: '001000000000001AAA',
      addressBook: { items: [boston] },
    });
    const location = res.headers.get('location') as string;
    const id = idOf(res);
    const customer = await getJson(`${CUSTOMER}/eid:RB-1`);
    assert.deepEqual(customer, {
      links: [{ rel: 'self', href: location }],
      id,
      addressBook: { links: [{ rel: 'self', href: `${location}/addressBook` }] },
      companyName: 'Read Back Inc',
      custentity_sf_account_id: '001000000000001AAA',
      dateCreated: customer.dateCreated,
      entityId: 'Read Back Inc',
      externalId: 'RB-1',
      isInactive: false,
      isPerson: false,
      lastModifiedDate: customer.lastModifiedDate,
      phone: '+1 617 555 0100',
      subsidiary: {
        links: [{ rel: 'self', href: `${ns.url}/services/rest/record/v1/subsidiary/1` }],
        id: '1',
        refName: 'Parent Company',
      },
    });
    // REST datetimes: ISO 8601 UTC; system stamps to the minute by default.
    assert.match(String(customer.lastModifiedDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    assert.ok(Math.abs(Date.parse(String(customer.dateCreated)) - Date.now()) < 120_000);
    // What tests inspect stays the stored form, as written.
    assert.deepEqual(ns.customerByExternalId('RB-1')?.addressBook, { items: [boston] });
  });

  it('expandSubResources=true returns the lines, each with links, its id and the address subrecord', async () => {
    const location = (
      await call('PUT', `${CUSTOMER}/eid:RB-2`, { ...valid, addressBook: { items: [boston] } })
    ).headers.get('location') as string;
    const customer = await getJson(`${CUSTOMER}/eid:RB-2?expandSubResources=true`);
    const book = customer.addressBook as { links: unknown; items: Record<string, unknown>[] };
    assert.equal(book.items.length, 1);
    const [line] = book.items;
    const lineUrl = `${location}/addressBook/${String(line.id)}`;
    assert.equal(typeof line.id, 'number');
    assert.deepEqual(line, {
      links: [{ rel: 'self', href: lineUrl }],
      id: line.id,
      defaultBilling: true,
      defaultShipping: false,
      isResidential: false,
      label: '1 Main St',
      addressBookAddress: {
        links: [{ rel: 'self', href: `${lineUrl}/addressBookAddress` }],
        addr1: '1 Main St',
        city: 'Boston',
        state: 'MA',
        zip: '02108',
        country: { id: 'US', refName: 'United States' },
        addrText: '1 Main St\nBoston MA 02108\nUnited States',
      },
    });
    // The sublist and its parts as subresources.
    const collection = await getJson(`${CUSTOMER}/eid:RB-2/addressBook`);
    assert.deepEqual(collection, {
      links: [{ rel: 'self', href: `${location}/addressBook` }],
      items: [{ links: [{ rel: 'self', href: lineUrl }], id: line.id }],
      totalResults: 1,
    });
    const single = await getJson(`${CUSTOMER}/eid:RB-2/addressBook/${String(line.id)}`);
    assert.deepEqual(single.addressBookAddress, {
      links: [{ rel: 'self', href: `${lineUrl}/addressBookAddress` }],
    });
    const address = await getJson(`${CUSTOMER}/eid:RB-2/addressBook/${String(line.id)}/addressBookAddress`);
    assert.deepEqual(address.country, { id: 'US', refName: 'United States' });
    await expectError(await call('GET', `${CUSTOMER}/eid:RB-2/addressBook/1`), 404, 'NONEXISTENT_ID');
    await expectError(await call('GET', `${CUSTOMER}/eid:RB-2/contacts`), 404, 'INVALID_URL');
    await expectError(await call('PATCH', `${CUSTOMER}/eid:RB-2/addressBook`, {}), 405, 'METHOD_NOT_ALLOWED');
    await expectError(
      await call('GET', `${CUSTOMER}/eid:RB-2?expandSubResources=yes`),
      400,
      'INVALID_PARAMETER',
      'expandSubResources',
    );
  });

  it('fields= limits the body fields to those named, plus id and links; unknown names are refused', async () => {
    await call('PUT', `${CUSTOMER}/eid:RB-3`, { ...valid, custentity_sync_checksum: 'abc' });
    const customer = await getJson(`${CUSTOMER}/eid:RB-3?fields=companyName,PHONE,custentity_sync_checksum`);
    assert.deepEqual(Object.keys(customer).sort(), [
      'companyName',
      'custentity_sync_checksum',
      'id',
      'links',
      'phone',
    ]);
    assert.equal(customer.phone, valid.phone);
    const stamps = await getJson(`${CUSTOMER}/eid:RB-3?fields=lastModifiedDate,addressBook`);
    assert.deepEqual(Object.keys(stamps).sort(), ['addressBook', 'id', 'lastModifiedDate', 'links']);
    await expectError(
      await call('GET', `${CUSTOMER}/eid:RB-3?fields=companyName,Name`),
      400,
      'INVALID_PARAMETER',
      'fields',
    );
  });

  it('countries must be real ISO codes, as NetSuite knows its country list', async () => {
    const address = (id: string) => ({
      addressBook: { items: [{ addressBookAddress: { city: 'X', country: { id } } }] },
    });
    for (const code of ['XX', 'ZZ', 'EU', 'us']) {
      await expectError(
        await call('POST', CUSTOMER, { ...valid, ...address(code) }),
        400,
        'INVALID_FLD_VALUE',
        'addressBook.items[0].addressBookAddress.country',
      );
    }
    assert.equal((await call('POST', CUSTOMER, { ...valid, ...address('XK') })).status, 204);
  });
});

describe('netsuite sandbox: stamps and edits by users', () => {
  it('dateCreated stays, lastModifiedDate moves on every committed write; a user edit moves it and leaves custom fields', async () => {
    await using({ stampPrecision: 'second' }, async (sandbox) => {
      const body = { ...valid, custentity_sf_system_modstamp: '2024-05-20T20:49:32.000Z' };
      assert.equal((await call('PUT', `${CUSTOMER}/eid:ED-1`, body)).status, 204);
      const created = sandbox.customerByExternalId('ED-1') as SandboxCustomer;
      assert.match(created.lastModifiedDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(created.dateCreated, created.lastModifiedDate);
      await sleep(1100);
      assert.equal((await call('PUT', `${CUSTOMER}/eid:ED-1`, body)).status, 204);
      const written = sandbox.customerByExternalId('ED-1') as SandboxCustomer;
      assert.equal(written.dateCreated, created.dateCreated);
      assert.ok(written.lastModifiedDate > created.lastModifiedDate);

      await sleep(1100);
      const edited = sandbox.editAsUser('ED-1', { phone: '+49 30 7654321', comments: 'called them' });
      assert.ok(edited.lastModifiedDate > written.lastModifiedDate);
      assert.equal(edited.phone, '+49 30 7654321');
      assert.equal(edited.custentity_sf_system_modstamp, body.custentity_sf_system_modstamp);
      assert.equal(sandbox.stats.writes, 2, 'a user edit is not an API write');
      const read = await getJson(`${CUSTOMER}/eid:ED-1`);
      assert.equal(read.lastModifiedDate, edited.lastModifiedDate);
      assert.equal(read.comments, 'called them');

      // A user saving the address form saves the lines shown.
      sandbox.editAsUser('ED-1', { addressBook: { items: [berlin] } });
      sandbox.editAsUser('ED-1', { addressBook: { items: [berlin] } });
      assert.deepEqual(sandbox.customerByExternalId('ED-1')?.addressBook, { items: [berlin] });
      assert.throws(() => sandbox.editAsUser('nobody', { phone: '+49 30 7654321' }), /nobody/);
      assert.throws(() => sandbox.editAsUser('ED-1', { phone: '12' }), /seven digits/);
      assert.throws(() => sandbox.editAsUser('ED-1', { companyName: null }), /Company Name/);

      const admin = await fetch(`${sandbox.url}/__admin/edit-as-user`, {
        method: 'POST',
        body: JSON.stringify({ externalId: 'ED-1', fields: { isInactive: true } }),
      });
      assert.equal(admin.status, 200);
      assert.equal(((await admin.json()) as SandboxCustomer).isInactive, true);
    });
  });
});

describe('netsuite sandbox: OneWorld subsidiaries', () => {
  it('requireSubsidiary: a create without one is refused, an update without one is fine', async () => {
    ns.setFaults({ requireSubsidiary: true });
    for (const res of [
      await call('POST', CUSTOMER, valid),
      await call('PUT', `${CUSTOMER}/eid:OW-1`, valid),
    ]) {
      assert.equal(res.status, 400);
      assert.deepEqual((await errorOf(res))['o:errorDetails'], [
        {
          detail: 'Please enter value(s) for: Subsidiary',
          'o:errorCode': 'USER_ERROR',
          'o:errorPath': 'subsidiary',
        },
      ]);
    }
    const missingBoth = await errorOf(await call('PUT', `${CUSTOMER}/eid:OW-1`, { phone: valid.phone }));
    assert.deepEqual(
      missingBoth['o:errorDetails'].map((d) => d['o:errorPath']),
      ['companyName', 'subsidiary'],
    );
    assert.equal(ns.customers().length, 0);
    assert.equal(
      (await call('PUT', `${CUSTOMER}/eid:OW-1`, { ...valid, subsidiary: { id: '1' } })).status,
      204,
    );
    assert.equal((await call('PUT', `${CUSTOMER}/eid:OW-1`, { phone: '+49 30 7654321' })).status, 204);
    await expectError(
      await call('PUT', `${CUSTOMER}/eid:OW-1`, { subsidiary: null }),
      400,
      'USER_ERROR',
      'subsidiary',
    );
    await expectError(
      await call('PUT', `${CUSTOMER}/eid:OW-1`, { subsidiary: { id: '99' } }),
      400,
      'INVALID_FLD_VALUE',
      'subsidiary',
    );
    ns.setFaults({ requireSubsidiary: false });
    assert.equal((await call('PUT', `${CUSTOMER}/eid:OW-2`, valid)).status, 204);
  });

  it("a start option with the account's subsidiaries; the reference reads back with its name", async () => {
    await using(
      { requireSubsidiary: true, subsidiaries: { '1': 'Honeycomb Holdings', '3': 'Honeycomb EMEA' } },
      async (sandbox) => {
        await expectError(await call('POST', CUSTOMER, valid), 400, 'USER_ERROR', 'subsidiary');
        assert.equal(
          (await call('PUT', `${CUSTOMER}/eid:OW-3`, { ...valid, subsidiary: { id: '3' } })).status,
          204,
        );
        const customer = await getJson(`${CUSTOMER}/eid:OW-3`);
        assert.deepEqual(customer.subsidiary, {
          links: [{ rel: 'self', href: `${sandbox.url}/services/rest/record/v1/subsidiary/3` }],
          id: '3',
          refName: 'Honeycomb EMEA',
        });
        sandbox.setFaults({ requireSubsidiary: false });
        sandbox.reset();
        await expectError(await call('POST', CUSTOMER, valid), 400, 'USER_ERROR', 'subsidiary');
      },
    );
  });
});

describe('netsuite sandbox: SuiteQL for reconciliation', () => {
  const run = (q: string, query = '') => call('POST', `${SUITEQL}${query}`, { q }, { Prefer: 'transient' });
  interface Page {
    links: { rel: string; href: string }[];
    count: number;
    hasMore: boolean;
    offset: number;
    totalResults: number;
    items: Record<string, unknown>[];
  }
  const page = async (res: Response) => {
    assert.equal(res.status, 200);
    return (await res.json()) as Page;
  };
  const RECONCILE =
    'SELECT id, externalid, lastmodifieddate, custentity_sf_system_modstamp, custentity_record_sync_checksum FROM customer WHERE externalid IN ';

  it('answers the reconciliation query: an IN list of external ids, custom fields as lower-case columns', async () => {
    await call('PUT', `${CUSTOMER}/eid:R-a`, {
      ...valid,
      custentity_sf_system_modstamp: '2024-05-20T20:49:32.000Z',
      custentity_record_sync_checksum: 'c0ffee',
    });
    await call('PUT', `${CUSTOMER}/eid:R-b`, {
      ...valid,
      custentity_sf_system_modstamp: '2024-05-21T08:00:00.000Z',
    });
    await call('PUT', `${CUSTOMER}/eid:R-c`, valid);
    const result = await page(await run(`${RECONCILE}('R-a', 'R-b', 'missing', 'r-c') ORDER BY id`));
    assert.equal(result.totalResults, 2);
    assert.equal(result.hasMore, false);
    const a = ns.customerByExternalId('R-a') as SandboxCustomer;
    const b = ns.customerByExternalId('R-b') as SandboxCustomer;
    // Dates as the user's preferences show them: date only, M/D/YYYY, in their zone (Pacific).
    const localDate = (iso: string) =>
      new Date(Date.parse(iso)).toLocaleDateString('en-US', { timeZone: 'America/Los_Angeles' });
    assert.deepEqual(result.items, [
      {
        links: [],
        id: a.id,
        externalid: 'R-a',
        lastmodifieddate: localDate(a.lastModifiedDate),
        custentity_sf_system_modstamp: '2024-05-20T20:49:32.000Z',
        custentity_record_sync_checksum: 'c0ffee',
      },
      // A null column is left out of the row.
      {
        links: [],
        id: b.id,
        externalid: 'R-b',
        lastmodifieddate: localDate(b.lastModifiedDate),
        custentity_sf_system_modstamp: '2024-05-21T08:00:00.000Z',
      },
    ]);
    assert.match(String(result.items[0].lastmodifieddate), /^\d{1,2}\/\d{1,2}\/\d{4}$/);
    // The same with = and with quotes inside a literal.
    const one = await page(await run("SELECT externalid FROM customer WHERE externalid = 'R-a'"));
    assert.deepEqual(one.items, [{ links: [], externalid: 'R-a' }]);
    const none = await page(await run("SELECT id FROM customer WHERE externalid IN ('it''s')"));
    assert.equal(none.totalResults, 0);
  });

  it('IN lists of up to 1000, paged with limit/offset (offset a multiple of limit), hasMore and links', async () => {
    for (let i = 0; i < 5; i++)
      await call('PUT', `${CUSTOMER}/eid:P-${i}`, { ...valid, companyName: `P ${i}` });
    const ids = Array.from({ length: 1000 }, (_, i) => `'P-${i}'`).join(',');
    const first = await page(
      await run(
        `SELECT externalid FROM customer WHERE externalid IN (${ids}) ORDER BY id`,
        '?limit=2&offset=0',
      ),
    );
    assert.deepEqual(
      { count: first.count, hasMore: first.hasMore, offset: first.offset, totalResults: first.totalResults },
      { count: 2, hasMore: true, offset: 0, totalResults: 5 },
    );
    assert.deepEqual(
      first.links.map((l) => l.rel),
      ['first', 'next', 'last', 'self'],
    );
    assert.match(first.links.find((l) => l.rel === 'last')?.href ?? '', /limit=2&offset=4$/);
    const last = await page(
      await run(
        `SELECT externalid FROM customer WHERE externalid IN (${ids}) ORDER BY id`,
        '?limit=2&offset=4',
      ),
    );
    assert.deepEqual(last.items, [{ links: [], externalid: 'P-4' }]);
    assert.equal(last.hasMore, false);
    const tooMany = `${ids},'P-1000'`;
    await expectError(
      await run(`SELECT id FROM customer WHERE externalid IN (${tooMany})`),
      400,
      'INVALID_PARAMETER',
      'q',
    );
    await expectError(
      await run('SELECT id FROM customer ORDER BY id', '?limit=2&offset=3'),
      400,
      'INVALID_PARAMETER',
    );
  });

  it('without ORDER BY the order is unspecified and differs between requests', async () => {
    for (let i = 0; i < 20; i++) await call('PUT', `${CUSTOMER}/eid:U-${i}`, valid);
    const orders = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const result = await page(await run('SELECT externalid FROM customer'));
      assert.equal(result.totalResults, 20);
      orders.add(result.items.map((r) => r.externalid).join());
    }
    assert.ok(orders.size > 1, 'the same unordered query came back in one order every time');
    const ordered = await page(await run('SELECT externalid FROM customer ORDER BY id ASC'));
    assert.deepEqual(
      ordered.items.map((r) => r.externalid),
      Array.from({ length: 20 }, (_, i) => `U-${i}`),
    );
  });

  it("TO_CHAR gives the time, in the user's zone; aliases name columns; preferences are start options", async () => {
    await using({ stampPrecision: 'second', timeZone: 'UTC', dateFormat: 'DD.MM.YYYY' }, async (sandbox) => {
      await call('PUT', `${CUSTOMER}/eid:T-1`, { ...valid, isInactive: true });
      const customer = sandbox.customerByExternalId('T-1') as SandboxCustomer;
      const q =
        `SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DD"T"HH24:MI:SS') AS modified, TO_CHAR(datecreated, 'YYYY'), ` +
        "datecreated created, isinactive, isperson, entityid FROM customer WHERE externalid = 'T-1' ORDER BY id";
      const [row] = (await page(await run(q))).items;
      const [y, m, d] = customer.dateCreated.slice(0, 10).split('-');
      assert.deepEqual(row, {
        links: [],
        modified: customer.lastModifiedDate.replace('Z', ''),
        expr1: y,
        created: `${d}.${m}.${y}`,
        isinactive: 'T',
        isperson: 'F',
        entityid: valid.companyName,
      });
    });
    await assert.rejects(startNetSuiteSandbox({ dateFormat: 'YYYY-MM' }), /date format/);
    await assert.rejects(startNetSuiteSandbox({ timeZone: 'Mars/Olympus' }));
  });

  it('refuses what it does not understand, as NetSuite does, never a silently wrong answer', async () => {
    for (const q of [
      'SELECT id FROM customer WHERE externalid IN () ORDER BY id',
      "SELECT id FROM customer WHERE id IN ('1')",
      "SELECT TO_CHAR(companyname, 'YYYY') FROM customer",
      "SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DDTHH24') FROM customer",
      "SELECT id FROM customer WHERE externalid = 'a' AND isinactive = 'F'",
      'SELECT id FROM customer ORDER BY id DESC',
      'SELECT id FROM customer; DROP TABLE customer',
      'SELECT id, id FROM customer',
      'SELECT id AS from FROM customer',
      'SELECT id FROM customer -- comment',
      'SELECT Custentity-x FROM customer',
    ]) {
      const res = await run(q);
      assert.equal(res.status, 400, q);
      const [detail] = (await errorOf(res))['o:errorDetails'];
      assert.equal(detail['o:errorCode'], 'INVALID_PARAMETER', q);
      assert.match(detail.detail, /^Invalid search query/, q);
    }
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
