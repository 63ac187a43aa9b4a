import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials';
import { formatSalesforceDatetime, parseSalesforceDatetime } from '../sandbox/datetime';
import { startSalesforceSandbox, type SalesforceSandbox, type SandboxAccount } from '../sandbox/salesforce';

const creds = SANDBOX_CREDENTIALS.salesforce;

let sf: SalesforceSandbox;
let token: string;

before(async () => {
  sf = await startSalesforceSandbox();
});
after(() => sf.close());
beforeEach(async () => {
  sf.reset();
  token = await clientCredentialsToken();
});

async function postToken(
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${sf.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

async function clientCredentialsToken(): Promise<string> {
  const res = await postToken({
    grant_type: 'client_credentials',
    client_id: creds.clientId,
    client_secret: creds.clientSecret,
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sf.url}${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

function query(soql: string, kind = 'query', headers: Record<string, string> = {}): Promise<Response> {
  return get(`/services/data/v60.0/${kind}?q=${encodeURIComponent(soql)}`, headers);
}

/** Follows nextRecordsUrl to the end, as a connector does. */
async function queryAllPages(soql: string, kind = 'query', batchSize = 200): Promise<QueryPage[]> {
  const pages: QueryPage[] = [];
  let res = await query(soql, kind, { 'Sforce-Query-Options': `batchSize=${batchSize}` });
  for (;;) {
    assert.equal(res.status, 200);
    const page = (await res.json()) as QueryPage;
    pages.push(page);
    if (page.done) return pages;
    res = await get(page.nextRecordsUrl as string);
  }
}

/** The first page of a query in pages of 200. */
async function firstPage(soql: string, kind = 'query'): Promise<QueryPage> {
  const res = await query(soql, kind, { 'Sforce-Query-Options': 'batchSize=200' });
  assert.equal(res.status, 200);
  return (await res.json()) as QueryPage;
}

async function nextPage(page: QueryPage): Promise<QueryPage> {
  const res = await get(page.nextRecordsUrl as string);
  assert.equal(res.status, 200);
  return (await res.json()) as QueryPage;
}

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { errorCode: string }[];
  assert.ok(Array.isArray(body), 'Salesforce errors are arrays');
  return body[0].errorCode;
}

const SELECT = 'SELECT Id, Name, SystemModstamp FROM Account';

/** A SOQL datetime literal. */
const iso = (ms: number) => new Date(ms).toISOString();
const ORDER = 'ORDER BY SystemModstamp, Id';

/** The seeded stamp shared by the most accounts. */
function largestTie(): { stamp: string; ids: string[] } {
  const groups = new Map<string, string[]>();
  for (const a of sf.accounts())
    groups.set(a.SystemModstamp, [...(groups.get(a.SystemModstamp) ?? []), a.Id]);
  const [stamp, ids] = [...groups].sort((a, b) => b[1].length - a[1].length)[0];
  return { stamp, ids };
}

describe('salesforce sandbox: seed', () => {
  it('is deterministic, unique 18-char Ids, large timestamp ties and a few NetSuite-invalid phones', async () => {
    const other = await startSalesforceSandbox();
    try {
      assert.deepEqual(other.accounts(), sf.accounts());
    } finally {
      await other.close();
    }
    const accounts = sf.accounts();
    assert.equal(accounts.length, 500);
    assert.equal(new Set(accounts.map((a) => a.Id)).size, 500);
    assert.ok(accounts.every((a) => /^001[A-Za-z0-9]{15}$/.test(a.Id)));
    assert.ok(largestTie().ids.length >= 150);
    // The NetSuite rule: a phone needs at least 7 digits.
    const invalid = accounts.filter((a) => a.Phone !== null && (a.Phone.match(/\d/g) ?? []).length < 7);
    assert.equal(invalid.length, 5);
    assert.ok(
      accounts.some((a) => /[\u3040-\u9fff]/.test(a.Name ?? '')),
      'CJK names',
    );
    assert.ok(accounts.some((a) => a.BillingCity === null));
  });

  it('writes get strictly increasing stamps; touchAccounts shares one', () => {
    const a = sf.createAccount({ Name: 'A' });
    const b = sf.createAccount({});
    assert.ok(b.SystemModstamp > a.SystemModstamp);
    assert.match(a.SystemModstamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.match(b.Name ?? '', /\S/);
    sf.touchAccounts([a.Id, b.Id], { Industry: 'Retail' });
    const touched = sf.accounts().filter((x) => x.Id === a.Id || x.Id === b.Id);
    assert.equal(touched[0].SystemModstamp, touched[1].SystemModstamp);
    assert.ok(touched.every((x) => x.Industry === 'Retail' && x.SystemModstamp > b.SystemModstamp));
    assert.throws(() => sf.updateAccount('001doesnotexist00', {}));
    assert.throws(() => sf.createAccount({ Id: 'x' }));
  });
});

describe('salesforce sandbox: token endpoint', () => {
  it('client credentials in the body or as HTTP Basic', async () => {
    const res = await postToken(
      { grant_type: 'client_credentials' },
      { Authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}` },
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, string>;
    assert.equal(body.instance_url, sf.url);
    assert.equal(body.token_type, 'Bearer');
    assert.match(body.issued_at, /^\d{13}$/);
    for (const key of ['access_token', 'id', 'signature', 'scope']) assert.ok(body[key], key);
  });

  it('rejects bad client credentials and grant types', async () => {
    const bad = async (form: Record<string, string>, error: string) => {
      const res = await postToken(form);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, error);
    };
    await bad(
      { grant_type: 'client_credentials', client_id: creds.clientId, client_secret: 'nope' },
      'invalid_client',
    );
    await bad(
      { grant_type: 'client_credentials', client_id: 'nope', client_secret: creds.clientSecret },
      'invalid_client_id',
    );
    await bad({ grant_type: 'password' }, 'unsupported_grant_type');
    assert.equal(sf.stats.errors.invalid_client, 1);
  });

  it('JWT bearer: verifies signature, iss, sub, aud and exp', async () => {
    const assertion = (claims: Record<string, unknown>, key: string = creds.privateKey) =>
      jwt.sign({ iss: creds.clientId, sub: creds.username, aud: sf.url, ...claims }, key, {
        algorithm: 'RS256',
        expiresIn: 180,
      });
    const grant = (a: string) =>
      postToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: a });

    for (const aud of [sf.url, `${sf.url}/`, 'https://login.salesforce.com', 'https://test.salesforce.com']) {
      const res = await grant(assertion({ aud }));
      assert.equal(res.status, 200, aud);
      const { access_token } = (await res.json()) as { access_token: string };
      assert.equal(
        (
          await fetch(`${sf.url}/services/data/v60.0/sobjects/Account/${sf.accounts()[0].Id}`, {
            headers: { Authorization: `Bearer ${access_token}` },
          })
        ).status,
        200,
      );
    }
    const { privateKey: otherKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }),
    );
    const rejected: [string, string][] = [
      [assertion({}, otherKey), 'invalid_grant'],
      [assertion({ sub: 'someone@else.example' }), 'invalid_grant'],
      [assertion({ aud: 'https://evil.example' }), 'invalid_grant'],
      [assertion({ iss: 'other-client' }), 'invalid_client_id'],
      [
        jwt.sign(
          { iss: creds.clientId, sub: creds.username, aud: sf.url, exp: Math.floor(Date.now() / 1000) - 10 },
          creds.privateKey,
          { algorithm: 'RS256' },
        ),
        'invalid_grant',
      ],
      ['not-a-jwt', 'invalid_grant'],
    ];
    for (const [a, error] of rejected) {
      const res = await grant(a);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, error);
    }
  });
});

describe('salesforce sandbox: data API auth and limits', () => {
  it('401 INVALID_SESSION_ID without a valid token and after expireTokens()', async () => {
    const path = `/services/data/v60.0/query?q=${encodeURIComponent(`${SELECT} ${ORDER}`)}`;
    let res = await fetch(`${sf.url}${path}`);
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), 'INVALID_SESSION_ID');
    res = await get(path);
    assert.equal(res.status, 200);
    await res.body?.cancel();
    sf.expireTokens();
    res = await get(path);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('sforce-limit-info') ?? '', /^api-usage=3\/15000$/);
    assert.equal(await errorCode(res), 'INVALID_SESSION_ID');
  });

  it('every data response carries Sforce-Limit-Info; versions below v50.0 are 404', async () => {
    let res = await get('/services/data/v49.0/sobjects/Account/x');
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'NOT_FOUND');
    assert.equal(res.headers.get('sforce-limit-info'), 'api-usage=1/15000');
    res = await get(`/services/data/v50.0/sobjects/Account/${sf.accounts()[0].Id}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('sforce-limit-info'), 'api-usage=2/15000');
  });
});

describe('salesforce sandbox: SOQL', () => {
  it('pages through a snapshot in (SystemModstamp, Id) order, ties straddling pages', async () => {
    const pages = await queryAllPages(`${SELECT} ${ORDER}`, 'queryAll');
    assert.equal(pages.length, 3);
    assert.deepEqual(
      pages.map((p) => p.records.length),
      [200, 200, 100],
    );
    assert.equal(pages[0].totalSize, 500);
    assert.match(pages[0].nextRecordsUrl ?? '', /^\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]{15}-200$/);
    assert.equal(pages[2].nextRecordsUrl, undefined);
    const records = pages.flatMap((p) => p.records);
    assert.deepEqual(
      records.map((r) => r.Id),
      sf.accounts().map((a) => a.Id),
    );
    assert.deepEqual(Object.keys(records[0]), ['attributes', 'Id', 'Name', 'SystemModstamp']);
    assert.deepEqual(records[0].attributes, {
      type: 'Account',
      url: `/services/data/v60.0/sobjects/Account/${records[0].Id}`,
    });
    // The big tie group crosses a page boundary.
    const { stamp } = largestTie();
    const pagesWithTie = pages.filter((p) => p.records.some((r) => r.SystemModstamp === stamp));
    assert.ok(pagesWithTie.length >= 2);
    assert.equal(sf.stats.queries, 1);
    assert.equal(sf.stats.pages, 3);
  });

  it('a query fixes its rows and their order; later pages serve current values (the default)', async () => {
    const soql = `SELECT Id, Name, IsDeleted, SystemModstamp FROM Account ${ORDER}`;
    const first = await firstPage(soql);
    const before = sf.accounts();
    // Edit a row of page 2 (its new stamp sorts last), delete one, and add a row the query would match.
    const edited = sf.updateAccount(before[250].Id, { Name: 'edited' });
    sf.deleteAccount(before[300].Id);
    const added = sf.createAccount({ Name: 'added after the query ran' });

    const second = await nextPage(first);
    assert.deepEqual(
      second.records.map((r) => r.Id),
      before.slice(200, 400).map((a) => a.Id),
    );
    const row = second.records[50];
    assert.equal(row.Name, 'edited');
    assert.equal(row.SystemModstamp, edited.SystemModstamp);
    assert.ok((row.SystemModstamp as string) > before[499].SystemModstamp, 'served out of stamp order');
    assert.equal(second.records[100].IsDeleted, true, 'a row deleted since is served as it is now');
    const third = await nextPage(second);
    assert.deepEqual(
      third.records.map((r) => r.Id),
      before.slice(400).map((a) => a.Id),
    );
    assert.ok(!third.records.some((r) => r.Id === added.Id));
    assert.deepEqual(
      [first, second, third].map((p) => p.totalSize),
      [500, 500, 500],
    );

    const res = await get('/services/data/v60.0/query/01gAAAAAAAAAAAAAAA-200');
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'INVALID_QUERY_LOCATOR');
  });

  it("pageValues 'snapshot' serves the values as of query time; a query keeps the mode it ran in", async () => {
    const soql = `${SELECT} ${ORDER}`;
    sf.setFaults({ pageValues: 'snapshot' });
    const frozen = await firstPage(soql);
    sf.setFaults({ pageValues: 'current' });
    const live = await firstPage(soql);
    const before = sf.accounts();
    const edited = sf.updateAccount(before[250].Id, { Name: 'edited' });

    const frozenRow = (await nextPage(frozen)).records[50];
    assert.deepEqual(
      [frozenRow.Id, frozenRow.Name, frozenRow.SystemModstamp],
      [before[250].Id, before[250].Name, before[250].SystemModstamp],
    );
    const liveRow = (await nextPage(live)).records[50];
    assert.deepEqual(
      [liveRow.Id, liveRow.Name, liveRow.SystemModstamp],
      [edited.Id, 'edited', edited.SystemModstamp],
    );

    // A start option; reset() goes back to it; the admin API refuses an unknown mode, changing nothing.
    const other = await startSalesforceSandbox({ seedCount: 10, pageValues: 'snapshot' });
    try {
      const postFaults = (body: unknown) =>
        fetch(`${other.url}/__admin/faults`, { method: 'POST', body: JSON.stringify(body) });
      other.setFaults({ pageValues: 'current' });
      other.reset();
      const faults = (await (await postFaults({})).json()) as Record<string, unknown>;
      assert.equal(faults.pageValues, 'snapshot');
      const refused = await postFaults({ pageValues: 'bogus', serverErrors: 3 });
      assert.equal(refused.status, 400);
      assert.deepEqual(await (await postFaults({})).json(), faults);
    } finally {
      await other.close();
    }
  });

  it('batchSize is clamped to 200..2000, default 2000', async () => {
    let pages = await queryAllPages(`${SELECT} ${ORDER}`, 'query', 50);
    assert.equal(pages[0].records.length, 200);
    for (let i = 0; i < 1600; i++) sf.createAccount({});
    pages = await queryAllPages(`${SELECT} ${ORDER}`, 'query', 5000);
    assert.deepEqual(
      pages.map((p) => p.records.length),
      [2000, 100],
    );
    const res = await query(`${SELECT} ${ORDER}`);
    assert.equal(((await res.json()) as QueryPage).records.length, 2000);
  });

  it('query hides soft-deleted rows, queryAll returns them', async () => {
    const victim = sf.accounts()[0];
    sf.deleteAccount(victim.Id);
    const soql = `SELECT Id, IsDeleted FROM Account ${ORDER}`;
    const live = (await queryAllPages(soql)).flatMap((p) => p.records);
    const all = (await queryAllPages(soql, 'queryAll')).flatMap((p) => p.records);
    assert.equal(live.length, 499);
    assert.equal(all.length, 500);
    assert.deepEqual(all.at(-1), { attributes: all.at(-1)?.attributes, Id: victim.Id, IsDeleted: true });
    const res = await get(`/services/data/v60.0/sobjects/Account/${victim.Id}`);
    assert.equal(res.status, 404);
  });

  it('tie-safe cursor returns exactly the rows after (stamp, id); literal forms are equivalent', async () => {
    const { stamp, ids } = largestTie();
    const sortedIds = [...ids].sort();
    const cursorId = sortedIds[70];
    const expected = sf
      .accounts()
      .filter((a) => a.SystemModstamp > stamp || (a.SystemModstamp === stamp && a.Id > cursorId))
      .map((a) => a.Id);
    const iso = stamp.replace('+0000', 'Z');
    for (const dt of [iso, iso.replace('.000Z', 'Z'), stamp]) {
      const soql = `select Id from account where SystemModstamp > ${dt} or (systemmodstamp = ${dt} and id > '${cursorId}') order by SystemModstamp, Id`;
      const got = (await queryAllPages(soql)).flatMap((p) => p.records.map((r) => r.Id));
      assert.deepEqual(got, expected, dt);
    }
    const plain = (
      await queryAllPages(`SELECT Id FROM Account WHERE SystemModstamp > ${iso} ${ORDER}`)
    ).flatMap((p) => p.records);
    assert.equal(plain.length, sf.accounts().filter((a) => a.SystemModstamp > stamp).length);
    const limited = (await (await query(`SELECT Id FROM Account ${ORDER} LIMIT 7`)).json()) as QueryPage;
    assert.equal(limited.totalSize, 7);
  });

  it('unescapes string literals and compares ordinally', async () => {
    const { stamp, ids } = largestTie();
    const iso = stamp.replace('+0000', 'Z');
    const where = (literal: string) =>
      `SELECT Id FROM Account WHERE SystemModstamp > ${iso} OR (SystemModstamp = ${iso} AND Id > '${literal}') ${ORDER}`;
    // "001a' OR Name != 'x" is one string value here, not SOQL.
    const tricky = "001a' OR Name != 'x";
    const escaped = tricky.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const got = (await queryAllPages(where(escaped))).flatMap((p) => p.records.map((r) => r.Id as string));
    const expectedTies = ids.filter((id) => id > tricky).sort();
    assert.deepEqual(got.slice(0, expectedTies.length), expectedTies);
    const res = await query(where('001\\q'));
    assert.equal(await errorCode(res), 'MALFORMED_QUERY');
  });

  it('rejects anything outside the supported shape', async () => {
    const malformed = [
      `SELECT Id FROM Contact ${ORDER}`,
      'SELECT Id FROM Account',
      `SELECT Id FROM Account ${ORDER} DESC`,
      `SELECT Id FROM Account WHERE Name = 'x' ${ORDER}`,
      `SELECT Id FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00Z OR (SystemModstamp = 2024-01-02T00:00:00Z AND Id > 'a') ${ORDER}`,
      `SELECT Id FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00Z OR (SystemModstamp = 2024-01-01T00:00:00Z AND Id > '') OR Name != '' ${ORDER}`,
      `SELECT Id FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00Z OR (SystemModstamp = 2024-01-01T00:00:00Z AND Id > 'a' OR Id != '') ${ORDER}`,
      `SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z' ${ORDER}`,
      `SELECT Id FROM Account WHERE SystemModstamp > 2024-02-30T00:00:00Z ${ORDER}`,
      `SELECT Id FROM Account ${ORDER} LIMIT 5; DELETE`,
      `SELECT Id, Id FROM Account ${ORDER}`,
      `SELECT Id FROM Account WHERE Id > 'unterminated ${ORDER}`,
    ];
    for (const soql of malformed) {
      const res = await query(soql);
      assert.equal(res.status, 400, soql);
      assert.equal(await errorCode(res), 'MALFORMED_QUERY', soql);
    }
    const res = await query(`SELECT Id, Nmae FROM Account ${ORDER}`);
    assert.equal(res.status, 400);
    const [error] = (await res.json()) as { errorCode: string; message: string }[];
    assert.equal(error.errorCode, 'INVALID_FIELD');
    assert.match(error.message, /No such column 'Nmae' on entity 'Account'/);
  });
});

describe('salesforce sandbox: updating a record (status write-back)', () => {
  const ACCOUNT = '/services/data/v60.0/sobjects/Account';
  const patch = (id: string, body: unknown, auth = `Bearer ${token}`) =>
    fetch(`${sf.url}${ACCOUNT}/${id}`, {
      method: 'PATCH',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const errorsOf = async (res: Response) =>
    (await res.json()) as { message: string; errorCode: string; fields: string[] }[];

  it('PATCH writes the custom fields: 204, new stamps, and the row shows up in the next incremental query', async () => {
    const before = sf.accounts();
    const target = before[0];
    const newest = before.at(-1) as SandboxAccount;
    const res = await patch(target.Id, {
      NetSuite_Id__c: '1042',
      Sync_Status__c: 'Synced',
      Last_Synced_At__c: '2026-11-24T03:20:00Z',
    });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    assert.match(res.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/15000$/);
    const after = sf.accounts().find((a) => a.Id === target.Id) as SandboxAccount;
    assert.ok(after.SystemModstamp > newest.SystemModstamp, 'a write-back is a change like any other');
    assert.equal(after.LastModifiedDate, after.SystemModstamp);
    assert.equal(after.Name, target.Name);
    assert.equal(sf.stats.updates, 1);

    const soql = `SELECT Id, NetSuite_Id__c, Sync_Status__c, Last_Synced_At__c, SystemModstamp FROM Account WHERE SystemModstamp > ${newest.SystemModstamp} ${ORDER}`;
    const [row, ...others] = (await queryAllPages(soql)).flatMap((p) => p.records);
    assert.equal(others.length, 0);
    assert.deepEqual(row, {
      attributes: row.attributes,
      Id: target.Id,
      NetSuite_Id__c: '1042',
      Sync_Status__c: 'Synced',
      // Datetimes are stored and served in Salesforce's own form.
      Last_Synced_At__c: '2026-11-24T03:20:00.000+0000',
      SystemModstamp: after.SystemModstamp,
    });
    // Unwritten custom fields of the org read back as null.
    const untouched = (await firstPage(`SELECT Id, Sync_Status__c FROM Account ${ORDER}`)).records[0];
    assert.equal(untouched.Sync_Status__c, null);
    // Field names are case-insensitive, as in Salesforce; an empty body is still a save.
    assert.equal(
      (await patch(target.Id, { sync_status__c: 'Error', attributes: { type: 'Account' } })).status,
      204,
    );
    assert.equal(sf.accounts().at(-1)?.Sync_Status__c, 'Error');
    const stamp = sf.accounts().at(-1)?.SystemModstamp as string;
    assert.equal((await patch(target.Id, {})).status, 204);
    assert.ok((sf.accounts().at(-1)?.SystemModstamp as string) > stamp);
    assert.equal((await get(`${ACCOUNT}/${target.Id}`)).status, 200);
  });

  it('refuses unknown and read-only fields, wrong types, too long and missing values, naming them', async () => {
    const id = sf.accounts()[0].Id;
    const stamp = sf.accounts()[0].SystemModstamp;
    let res = await patch(id, { Sync_Status__c: 'Synced', Bogus__c: 'x' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), [
      {
        message: "No such column 'Bogus__c' on sobject of type Account",
        errorCode: 'INVALID_FIELD',
        fields: [],
      },
    ]);
    res = await patch(id, { Sync_Status__c: 'Synced', SystemModstamp: stamp, Id: id });
    assert.equal(res.status, 400);
    const [readOnly] = await errorsOf(res);
    assert.equal(readOnly.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
    assert.deepEqual(readOnly.fields, ['SystemModstamp', 'Id']);
    assert.match(readOnly.message, /^Unable to create\/update fields: SystemModstamp, Id\./);
    for (const field of ['LastModifiedDate', 'IsDeleted']) {
      const [error] = await errorsOf(await patch(id, { [field]: field === 'IsDeleted' ? true : stamp }));
      assert.equal(error.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE', field);
    }
    const cases: [unknown, string, string[]][] = [
      [{ NumberOfEmployees: 'many' }, 'JSON_PARSER_ERROR', []],
      [{ Last_Synced_At__c: 'yesterday' }, 'JSON_PARSER_ERROR', []],
      [{ Sync_Status__c: 42 }, 'JSON_PARSER_ERROR', []],
      [{ Phone: '1'.repeat(41) }, 'STRING_TOO_LONG', ['Phone']],
      [{ NetSuite_Id__c: 'x'.repeat(256) }, 'STRING_TOO_LONG', ['NetSuite_Id__c']],
      [{ Name: null }, 'REQUIRED_FIELD_MISSING', ['Name']],
      [{ Name: '  ' }, 'REQUIRED_FIELD_MISSING', ['Name']],
      [{ OwnerId: '001000000000001AAA' }, 'MALFORMED_ID', ['OwnerId']],
      ['{"Sync_Status__c": ', 'JSON_PARSER_ERROR', []],
      [[{ Sync_Status__c: 'Synced' }], 'JSON_PARSER_ERROR', []],
    ];
    for (const [body, code, fields] of cases) {
      res = await patch(id, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const [error] = await errorsOf(res);
      assert.equal(error.errorCode, code, JSON.stringify(body));
      assert.deepEqual(error.fields, fields, JSON.stringify(body));
    }
    // Nothing was written by any of them.
    assert.equal(sf.accounts().find((a) => a.Id === id)?.SystemModstamp, stamp);
    assert.equal(sf.stats.updates, 0);
    // null clears a field that may be empty.
    assert.equal((await patch(id, { Phone: null, Sync_Status__c: null })).status, 204);
    assert.equal(sf.accounts().at(-1)?.Phone, null);
  });

  it('404 for an unknown or deleted record, 401 without a valid token, 405 for other methods', async () => {
    let res = await patch('001000000000404AAA', { Sync_Status__c: 'Synced' });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), [
      { fields: [], errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
    const victim = sf.accounts()[1].Id;
    sf.deleteAccount(victim);
    res = await patch(victim, { Sync_Status__c: 'Synced' });
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'ENTITY_IS_DELETED');
    const id = sf.accounts()[0].Id;
    res = await patch(id, { Sync_Status__c: 'Synced' }, 'Bearer not-a-token');
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), 'INVALID_SESSION_ID');
    for (const method of ['PUT', 'DELETE', 'POST']) {
      res = await fetch(`${sf.url}${ACCOUNT}/${id}`, {
        method,
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 405, method);
      assert.equal(await errorCode(res), 'METHOD_NOT_ALLOWED');
    }
    res = await fetch(`${sf.url}/services/data/v60.0/query?q=x`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 405);
    await res.body?.cancel();
    assert.equal(sf.accounts().find((a) => a.Id === id)?.Sync_Status__c, null);
  });

  it("the org's custom fields are a start option: others cannot be written or selected", async () => {
    const other = await startSalesforceSandbox({
      seedCount: 5,
      customFields: { Integration_Key__c: 'text', Synced__c: 'checkbox' },
    });
    try {
      const res = await fetch(`${other.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: creds.clientId,
          client_secret: creds.clientSecret,
        }).toString(),
      });
      const { access_token } = (await res.json()) as { access_token: string };
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${other.url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const id = other.accounts()[0].Id;
      assert.equal('NetSuite_Id__c' in other.accounts()[0], false, 'seeded rows lack fields the org lacks');
      let reply = await call('PATCH', `${ACCOUNT}/${id}`, { NetSuite_Id__c: '1' });
      assert.equal(reply.status, 400);
      assert.equal(await errorCode(reply), 'INVALID_FIELD');
      reply = await call('PATCH', `${ACCOUNT}/${id}`, { Integration_Key__c: 'k-1', Synced__c: true });
      assert.equal(reply.status, 204);
      reply = await call('PATCH', `${ACCOUNT}/${id}`, { Synced__c: 'yes' });
      assert.equal(await errorCode(reply), 'JSON_PARSER_ERROR');
      const soql = (fields: string) =>
        `/services/data/v60.0/query?q=${encodeURIComponent(`SELECT Id, ${fields} FROM Account ${ORDER}`)}`;
      reply = await call('GET', soql('NetSuite_Id__c'));
      assert.equal(reply.status, 400);
      assert.equal(await errorCode(reply), 'INVALID_FIELD');
      reply = await call('GET', soql('integration_key__c, Synced__c'));
      const page = (await reply.json()) as QueryPage;
      const row = page.records.find((r) => r.Id === id);
      assert.deepEqual([row?.Integration_Key__c, row?.Synced__c], ['k-1', true]);
      // The programmatic API stands in for an admin: a custom field it writes exists from then on.
      other.updateAccount(id, { Added_Later__c: 'x' });
      reply = await call('PATCH', `${ACCOUNT}/${id}`, { Added_Later__c: 'y' });
      assert.equal(reply.status, 204);
      other.reset();
      reply = await call('GET', soql('Added_Later__c'));
      assert.equal(reply.status, 401, 'reset drops tokens');
      assert.throws(() => other.createAccount({ SystemModstamp: 'x' }));
    } finally {
      await other.close();
    }
    await assert.rejects(startSalesforceSandbox({ customFields: ['NoSuffix'] }), /custom field/);
  });
});

describe('salesforce sandbox: late commits', () => {
  const idsAfter = async (ms: number) =>
    (await queryAllPages(`SELECT Id FROM Account WHERE SystemModstamp > ${iso(ms)} ${ORDER}`)).flatMap((p) =>
      p.records.map((r) => r.Id),
    );

  it('commitLate: visible from now on, stamped in the past, to queries starting before the stamp only', async () => {
    const lastMs = parseSalesforceDatetime(sf.accounts().at(-1)?.SystemModstamp as string);
    const stampedMs = lastMs + 1000;
    const late = sf.accounts().slice(0, 2);
    assert.deepEqual(await idsAfter(stampedMs - 500), []);

    sf.commitLate(
      late.map((a) => a.Id),
      { Name: 'Committed Late' },
      iso(stampedMs),
    );
    // A reader whose checkpoint is already past the stamp never sees them; one behind it does.
    assert.deepEqual(await idsAfter(stampedMs + 500), []);
    assert.deepEqual(await idsAfter(stampedMs - 500), late.map((a) => a.Id).sort());
    const soql = `SELECT Id, Name, LastModifiedDate, SystemModstamp FROM Account WHERE SystemModstamp > ${iso(stampedMs - 1)} ${ORDER}`;
    const [row] = (await queryAllPages(soql)).flatMap((p) => p.records);
    const stamp = formatSalesforceDatetime(stampedMs);
    assert.deepEqual([row.Name, row.LastModifiedDate, row.SystemModstamp], ['Committed Late', stamp, stamp]);
    // Later ordinary writes still get stamps of the present.
    assert.ok(sf.updateAccount(late[0].Id, {}).SystemModstamp > stamp);

    const before = sf.accounts();
    assert.throws(() => sf.commitLate([late[1].Id], {}, iso(Date.now() + 60_000)), /future/);
    assert.throws(() => sf.commitLate([late[1].Id], {}, 'yesterday'), /not a datetime/);
    assert.throws(() => sf.commitLate([late[1].Id, '001nope'], { Name: 'x' }, iso(stampedMs)), /001nope/);
    assert.throws(() => sf.commitLate([late[1].Id], { SystemModstamp: stamp }, iso(stampedMs)));
    assert.deepEqual(sf.accounts(), before);
  });

  it('commitLate over the admin API', async () => {
    const admin = (body: unknown) =>
      fetch(`${sf.url}/__admin/accounts/commit-late`, { method: 'POST', body: JSON.stringify(body) });
    const id = sf.accounts()[0].Id;
    const stampedAt = '2026-03-01T12:00:00.000+0000';
    assert.equal((await admin({ ids: [id], fields: { Phone: '+1 415 555 0199' }, stampedAt })).status, 204);
    const account = sf.accounts().find((a) => a.Id === id);
    assert.deepEqual([account?.Phone, account?.SystemModstamp], ['+1 415 555 0199', stampedAt]);
    assert.equal((await admin({ ids: [id] })).status, 400);
    assert.equal((await admin({ ids: id, stampedAt })).status, 400);
    assert.equal((await admin({ ids: [id], stampedAt: iso(Date.now() + 60_000) })).status, 400);
  });
});

describe('salesforce sandbox: faults', () => {
  it('request limit, server errors, malformed pages and latency', async () => {
    const soql = `${SELECT} ${ORDER}`;
    sf.setFaults({ requestLimitExceeded: 1, serverErrors: 1, malformedPages: 1 });
    let res = await query(soql);
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'REQUEST_LIMIT_EXCEEDED');
    res = await query(soql);
    assert.equal(res.status, 500);
    await res.body?.cancel();
    res = await query(soql);
    assert.equal(res.status, 200);
    await assert.rejects(res.json());
    res = await query(soql);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as QueryPage).totalSize, 500);
    assert.deepEqual(sf.stats.errors, { REQUEST_LIMIT_EXCEEDED: 1, UNKNOWN_EXCEPTION: 1 });

    sf.setFaults({ latencyMs: 150 });
    const started = Date.now();
    await (await get(`/services/data/v60.0/sobjects/Account/${sf.accounts()[0].Id}`)).json();
    assert.ok(Date.now() - started >= 140);
  });

  it('Sforce-Limit-Info on every data response; request-limit faults say which limit, usage over it', async () => {
    const usage = (res: Response) => res.headers.get('sforce-limit-info');
    const soql = `${SELECT} ${ORDER}`;
    sf.setFaults({ requestLimitExceeded: 1, concurrentRequestsExceeded: 1 });
    let res = await query(soql);
    assert.equal(res.status, 403);
    assert.equal(usage(res), 'api-usage=15001/15000');
    assert.deepEqual(await res.json(), [
      { fields: [], errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
    ]);
    res = await query(soql);
    assert.equal(res.status, 403);
    assert.equal(usage(res), 'api-usage=2/15000');
    const [concurrent] = (await res.json()) as { errorCode: string; message: string }[];
    assert.equal(concurrent.errorCode, 'REQUEST_LIMIT_EXCEEDED');
    assert.match(concurrent.message, /^ConcurrentRequests .*Limit exceeded\.$/);

    sf.setFaults({ serverErrors: 1, malformedPages: 1 });
    const responses = [
      await query(soql),
      await query(soql),
      await fetch(`${sf.url}/services/data/v60.0/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      }),
      await get('/services/data/v60.0/query/01gAAAAAAAAAAAAAAA-200'),
      await query('SELECT Nope FROM Account'),
    ];
    assert.deepEqual(
      responses.map((r) => r.status),
      [500, 200, 405, 400, 400],
    );
    assert.deepEqual(
      responses.map(usage),
      [3, 4, 5, 6, 7].map((n) => `api-usage=${n}/15000`),
    );
    await Promise.all(responses.map((r) => r.body?.cancel()));
    const first = await firstPage(soql);
    res = await get(first.nextRecordsUrl as string);
    assert.equal(usage(res), 'api-usage=9/15000');
    assert.deepEqual(sf.stats.errors, {
      REQUEST_LIMIT_EXCEEDED: 2,
      UNKNOWN_EXCEPTION: 1,
      METHOD_NOT_ALLOWED: 1,
      INVALID_QUERY_LOCATOR: 1,
      MALFORMED_QUERY: 1,
    });
  });
});

describe('salesforce sandbox: admin HTTP', () => {
  it('drives the same operations as the programmatic API', async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${sf.url}/__admin${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let res = await admin('POST', '/accounts', { Name: 'Über Admin', Phone: '+1 415 555 0100' });
    assert.equal(res.status, 201);
    const created = (await res.json()) as { Id: string; SystemModstamp: string };
    res = await admin('PATCH', `/accounts/${created.Id}`, { Website: 'https://admin.example' });
    assert.equal(((await res.json()) as { Website: string }).Website, 'https://admin.example');
    const other = sf.accounts()[0].Id;
    assert.equal((await admin('POST', '/accounts/touch', { ids: [created.Id, other] })).status, 204);
    const touched = sf.accounts().slice(-2);
    assert.deepEqual(touched.map((a) => a.Id).sort(), [created.Id, other].sort());
    assert.equal(touched[0].SystemModstamp, touched[1].SystemModstamp);
    assert.equal((await admin('DELETE', `/accounts/${created.Id}`)).status, 204);
    assert.equal(sf.accounts().at(-1)?.IsDeleted, true);
    assert.equal((await admin('DELETE', '/accounts/001nope')).status, 404);
    res = await admin('GET', '/accounts');
    assert.equal(((await res.json()) as unknown[]).length, 501);

    assert.equal((await admin('POST', '/faults', { serverErrors: 1 })).status, 200);
    assert.equal((await get(`/services/data/v60.0/sobjects/Account/${other}`)).status, 500);
    assert.equal((await admin('POST', '/expire-tokens')).status, 204);
    assert.equal((await get(`/services/data/v60.0/sobjects/Account/${other}`)).status, 401);
    res = await admin('GET', '/stats');
    assert.deepEqual(((await res.json()) as { errors: unknown }).errors, {
      UNKNOWN_EXCEPTION: 1,
      INVALID_SESSION_ID: 1,
    });
    assert.equal((await admin('POST', '/reset')).status, 204);
    assert.equal(sf.accounts().length, 500);
    assert.equal(sf.stats.tokenRequests, 0);
  });
});
