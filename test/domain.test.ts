import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountSchema, ACCOUNT_FIELDS } from '../src/domain/account';
import {
  checkpointAt,
  checkpointOf,
  compareCheckpoints,
  isSalesforceId,
  laterCheckpoint,
  toIsoInstant,
} from '../src/domain/checkpoint';
import { customerSchema } from '../src/domain/customer';
import { PERMANENT_FAILURE, RETRYABLE_FAILURE } from '../src/domain/failures';
import { describeIssues, mapAccountToCustomer, type FieldIssue } from '../src/pipelines/accounts/mapping';
import { changedAccountsQuery, soqlDateTime, soqlString } from '../src/domain/soql';

const account = {
  attributes: { type: 'Account', url: '/services/data/v60.0/sobjects/Account/001000000000001AAA' },
  Id: '001000000000001AAA',
  Name: 'Acme Corporation',
  BillingStreet: '1 Market St',
  BillingCity: 'San Francisco',
  BillingState: 'CA',
  BillingPostalCode: '94105',
  BillingCountry: 'United States',
  Phone: '+1 415 555 0100',
  Website: 'https://acme.example.com',
  Industry: 'Technology',
  AnnualRevenue: 1500000.5,
  NumberOfEmployees: 120,
  IsDeleted: false,
  LastModifiedDate: '2024-05-20T20:49:32.000+0000',
  SystemModstamp: '2024-05-20T20:49:33.000+0000',
};

function mapped(overrides: Record<string, unknown>) {
  const result = mapAccountToCustomer({ ...account, ...overrides });
  assert.ok(result.ok, result.ok ? '' : describeIssues(result.issues));
  return result.customer;
}

function issuesOf(input: unknown): FieldIssue[] {
  const result = mapAccountToCustomer(input);
  assert.ok(!result.ok, 'expected the mapping to fail');
  return result.issues;
}

function countryOf(billingCountry: string): string | undefined {
  return mapped({ BillingCountry: billingCountry }).addressBook?.items[0].addressBookAddress.country?.id;
}

describe('failures', () => {
  it('names the error types Temporal retry policies match', () => {
    assert.equal(PERMANENT_FAILURE, 'PermanentError');
    assert.equal(RETRYABLE_FAILURE, 'RetryableError');
  });
});

describe('accountSchema', () => {
  it('strips unknown fields and fills absent optional fields with null', () => {
    const parsed = accountSchema.parse({
      Id: '001000000000001',
      Name: 'A',
      SystemModstamp: '2024-01-01T00:00:00Z',
    });
    assert.equal('attributes' in parsed, false);
    assert.equal(parsed.Phone, null);
    assert.equal(parsed.BillingCountry, null);
    assert.equal(parsed.AnnualRevenue, null);
    assert.equal(parsed.IsDeleted, false);
    assert.deepEqual(Object.keys(accountSchema.parse(account)).sort(), [...ACCOUNT_FIELDS].sort());
  });

  it('enforces Salesforce field lengths', () => {
    assert.equal(accountSchema.safeParse({ ...account, BillingCity: 'x'.repeat(41) }).success, false);
    assert.equal(accountSchema.safeParse({ ...account, BillingCity: 'x'.repeat(40) }).success, true);
    assert.equal(accountSchema.safeParse({ ...account, Name: 'x'.repeat(256) }).success, false);
    assert.equal(accountSchema.safeParse({ ...account, NumberOfEmployees: 1.5 }).success, false);
  });
});

describe('mapAccountToCustomer', () => {
  it('maps every field', () => {
    const result = mapAccountToCustomer(account);
    assert.deepEqual(result, {
      ok: true,
      customer: {
        externalId: '001000000000001AAA',
        companyName: 'Acme Corporation',
        phone: '+1 415 555 0100',
        url: 'https://acme.example.com',
        isInactive: false,
        addressBook: {
          items: [
            {
              defaultBilling: true,
              defaultShipping: false,
              addressBookAddress: {
                addr1: '1 Market St',
                city: 'San Francisco',
                state: 'CA',
                zip: '94105',
                country: { id: 'US' },
              },
            },
          ],
        },
        custentity_sf_account_id: '001000000000001AAA',
        custentity_sf_system_modstamp: '2024-05-20T20:49:33.000Z',
      },
    });
    if (result.ok) assert.equal(customerSchema.safeParse(result.customer).success, true);
  });

  it('trims the name and keeps unicode intact', () => {
    assert.equal(mapped({ Name: '  Société Générale  ' }).companyName, 'Société Générale');
    assert.equal(mapped({ Name: '株式会社テスト' }).companyName, '株式会社テスト');
    assert.equal(mapped({ Name: 'Zoë & Ørsted 🚀' }).companyName, 'Zoë & Ørsted 🚀');
  });

  it('rejects a name longer than NetSuite allows instead of truncating it', () => {
    assert.equal(mapped({ Name: 'x'.repeat(83) }).companyName.length, 83);
    const issues = issuesOf({ ...account, Name: 'x'.repeat(84) });
    assert.deepEqual(
      issues.map((i) => i.field),
      ['Name'],
    );
  });

  it('names each failing Salesforce field', () => {
    const issues = issuesOf({ Id: '001 bad', SystemModstamp: 'yesterday', NumberOfEmployees: 'many' });
    const fields = issues.map((i) => i.field).sort();
    assert.deepEqual(fields, ['Id', 'Name', 'NumberOfEmployees', 'SystemModstamp']);
    assert.deepEqual(
      issues.find((i) => i.field === 'Name'),
      { field: 'Name', message: 'Required' },
    );
    assert.deepEqual(
      issuesOf({ ...account, Name: null }).map((i) => i.message),
      ['Required'],
    );
    assert.deepEqual(issuesOf({ ...account, Name: '   ' })[0].field, 'Name');
    assert.equal(issuesOf(null)[0].field, '(record)');
  });

  it('normalises the website', () => {
    assert.equal(mapped({ Website: 'www.acme.com' }).url, 'https://www.acme.com');
    assert.equal(mapped({ Website: 'http://acme.com/about' }).url, 'http://acme.com/about');
    assert.equal(mapped({ Website: null }).url, null);
    assert.equal(mapped({ Website: '  ' }).url, null);
    for (const website of ['not a url', 'javascript:alert(1)', 'ftp://files.acme.com', 'localhost']) {
      const issues = issuesOf({ ...account, Website: website });
      assert.deepEqual(issues, [{ field: 'Website', message: 'not a valid URL' }], website);
    }
  });

  it('passes phone numbers through without judging them', () => {
    assert.equal(mapped({ Phone: '123' }).phone, '123');
    assert.equal(mapped({ Phone: null }).phone, null);
    assert.equal(mapped({ Phone: undefined }).phone, null);
  });

  it('marks soft-deleted accounts inactive', () => {
    assert.equal(mapped({ IsDeleted: true }).isInactive, true);
    assert.equal(mapped({ IsDeleted: undefined }).isInactive, false);
  });

  it('maps country names and codes to ISO alpha-2', () => {
    const cases: [string, string | undefined][] = [
      ['United States', 'US'],
      ['USA', 'US'],
      ['U.S.A.', 'US'],
      ['us', 'US'],
      ['United Kingdom', 'GB'],
      ['UK', 'GB'],
      ['gb', 'GB'],
      ['Germany', 'DE'],
      ['  germany ', 'DE'],
      ['France', 'FR'],
      ['Japan', 'JP'],
      ['Canada', 'CA'],
      ['Australia', 'AU'],
      ['The Netherlands', 'NL'],
      ['España', 'ES'],
      ['Italy', 'IT'],
      ['India', 'IN'],
      ['Brazil', 'BR'],
      ['México', 'MX'],
      ['Switzerland', 'CH'],
      ['Sweden', 'SE'],
      ['Denmark', 'DK'],
      ['Norway', 'NO'],
      ['Ireland', 'IE'],
      ['Narnia', undefined],
      ['XX', undefined],
      ['constructor', undefined],
    ];
    for (const [name, id] of cases) assert.equal(countryOf(name), id, name);
  });

  it('builds an address only from billing fields that are present; none is an empty address book', () => {
    const none = { BillingStreet: null, BillingCity: null, BillingState: null, BillingPostalCode: null };
    assert.deepEqual(mapped({ ...none, BillingCountry: null }).addressBook, { items: [] });
    assert.deepEqual(mapped({ ...none, BillingCountry: 'Narnia' }).addressBook, { items: [] });
    assert.deepEqual(mapped({ ...none, BillingCity: 'Berlin', BillingCountry: 'Narnia' }).addressBook, {
      items: [{ defaultBilling: true, defaultShipping: false, addressBookAddress: { city: 'Berlin' } }],
    });
  });

  it('puts street lines into addr1, addr2 and addr3, joining any further lines into addr3', () => {
    const address = (street: string) =>
      mapped({ BillingStreet: street }).addressBook.items[0].addressBookAddress;
    const two = address('Suite 400\r\n1 Market St\n');
    assert.deepEqual([two.addr1, two.addr2, two.addr3], ['Suite 400', '1 Market St', undefined]);
    const long = address('Building C\nFloor 3\nWing 2\nDesk 14');
    assert.deepEqual([long.addr1, long.addr2, long.addr3], ['Building C', 'Floor 3', 'Wing 2, Desk 14']);
  });

  it('accepts ISO Z datetimes as well as Salesforce +0000', () => {
    assert.equal(
      mapped({ SystemModstamp: '2024-05-20T20:49:33Z' }).custentity_sf_system_modstamp,
      '2024-05-20T20:49:33.000Z',
    );
  });

  it('describes issues on one line', () => {
    assert.equal(
      describeIssues([
        { field: 'Name', message: 'Required' },
        { field: 'Website', message: 'not a valid URL' },
      ]),
      'Name: Required; Website: not a valid URL',
    );
  });
});

describe('checkpoints', () => {
  it('normalises Salesforce datetimes to ISO instants', () => {
    assert.equal(toIsoInstant('2024-05-20T20:49:32.000+0000'), '2024-05-20T20:49:32.000Z');
    assert.equal(toIsoInstant('2024-05-20T22:49:32.5+02:00'), '2024-05-20T20:49:32.500Z');
    assert.equal(toIsoInstant('2024-05-20T20:49:32Z'), '2024-05-20T20:49:32.000Z');
    for (const bad of [
      '2024-02-30T00:00:00Z',
      '2024-05-20',
      '2024-05-20T25:00:00Z',
      'now',
      '2024-05-20T20:49:32',
    ]) {
      assert.throws(() => toIsoInstant(bad), /Invalid datetime/, bad);
    }
  });

  it('orders by instant, then by id ordinally and case-sensitively', () => {
    const at = (time: string, id: string) => ({ systemModstamp: time, id });
    const t1 = '2024-05-20T20:49:32.000Z';
    const t2 = '2024-05-20T20:49:32.001Z';
    assert.ok(compareCheckpoints(at(t1, 'z'), at(t2, 'A')) < 0);
    assert.ok(compareCheckpoints(at(t1, '001000000000002AAA'), at(t1, '001000000000001AAA')) > 0);
    assert.ok(compareCheckpoints(at(t1, '001000000000001AAZ'), at(t1, '001000000000001AAa')) < 0);
    assert.ok(compareCheckpoints(at(t1, ''), at(t1, '001000000000001AAA')) < 0);
    assert.equal(compareCheckpoints(at(t1, 'a'), at('2024-05-20T20:49:32.000+0000', 'a')), 0);
  });

  it('picks the later checkpoint, treating null as "nothing yet"', () => {
    const a = { systemModstamp: '2024-05-20T20:49:32.000Z', id: '001000000000001AAA' };
    const b = { systemModstamp: '2024-05-20T20:49:32.000Z', id: '001000000000002AAA' };
    assert.equal(laterCheckpoint(a, b), b);
    assert.equal(laterCheckpoint(b, a), b);
    assert.equal(laterCheckpoint(null, a), a);
    assert.equal(laterCheckpoint(a, null), a);
    assert.equal(laterCheckpoint(null, null), null);
  });

  it('builds checkpoints from records and times', () => {
    assert.deepEqual(
      checkpointOf({ Id: '001000000000001AAA', SystemModstamp: '2024-05-20T20:49:32.000+0000' }),
      {
        systemModstamp: '2024-05-20T20:49:32.000Z',
        id: '001000000000001AAA',
      },
    );
    assert.deepEqual(checkpointAt('2024-01-01T00:00:00Z'), {
      systemModstamp: '2024-01-01T00:00:00.000Z',
      id: '',
    });
    assert.throws(() => checkpointAt('last tuesday'), /Invalid checkpoint time 'last tuesday'/);
  });

  it('recognises Salesforce ids', () => {
    assert.ok(isSalesforceId('001000000000001'));
    assert.ok(isSalesforceId('001000000000001AAA'));
    assert.ok(!isSalesforceId('001000000000001AA'));
    assert.ok(!isSalesforceId("001000000000' OR"));
    assert.ok(!isSalesforceId(''));
  });
});

describe('soql', () => {
  const select = `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account`;

  it('escapes string literals', () => {
    assert.equal(soqlString("O'Brien"), "'O\\'Brien'");
    assert.equal(soqlString('a\\b"c\n\r\t\b\f'), "'a\\\\b\\\"c\\n\\r\\t\\b\\f'");
    assert.equal(soqlString("' OR Name != '"), "'\\' OR Name != \\''");
  });

  it('renders datetimes strictly', () => {
    assert.equal(soqlDateTime('2024-05-20T20:49:32.000+0000'), '2024-05-20T20:49:32.000Z');
    assert.throws(() => soqlDateTime('2024-01-01T00:00:00Z OR Id != null'));
    assert.throws(() => soqlDateTime('2024-01-01'));
  });

  it('reads everything when there is no checkpoint', () => {
    assert.equal(changedAccountsQuery(null), `${select} ORDER BY SystemModstamp, Id`);
  });

  it('uses the tie-safe cursor', () => {
    assert.equal(
      changedAccountsQuery({ systemModstamp: '2024-05-20T20:49:32.000+0000', id: '001000000000001AAA' }),
      `${select} WHERE SystemModstamp > 2024-05-20T20:49:32.000Z OR ` +
        `(SystemModstamp = 2024-05-20T20:49:32.000Z AND Id > '001000000000001AAA') ORDER BY SystemModstamp, Id`,
    );
    assert.equal(
      changedAccountsQuery(checkpointAt('2024-05-20T20:49:32Z')),
      `${select} WHERE SystemModstamp > 2024-05-20T20:49:31.999Z ORDER BY SystemModstamp, Id`,
    );
  });

  it('rejects injection attempts instead of interpolating them', () => {
    const time = '2024-05-20T20:49:32.000Z';
    assert.throws(
      () => changedAccountsQuery({ systemModstamp: time, id: "001' OR Name != '" }),
      /Invalid checkpoint id/,
    );
    assert.throws(() => changedAccountsQuery({ systemModstamp: time, id: '001000000000001AAA OR' }));
    assert.throws(
      () => changedAccountsQuery({ systemModstamp: '2024-01-01T00:00:00Z OR Id != null', id: '' }),
      /Invalid datetime/,
    );
  });
});
