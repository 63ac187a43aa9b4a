import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { normaliseRow, type RowIssue, type RowValues } from '../src/pipelines/vendor-performance/normalise';
import type { PerformanceRecord } from '../src/pipelines/vendor-performance/record';
import {
  checkTolerance,
  formatPercent,
  timeWeightedReturn,
} from '../src/pipelines/vendor-performance/returns';
import {
  parseVendorMappings,
  requiredColumns,
  vendorFor,
  VendorMappingError,
  type VendorMapping,
} from '../src/pipelines/vendor-performance/vendors';

const ROOT = path.join(__dirname, '..');
const CONFIG_FILE = 'config/vendor-mappings.json';
const SAMPLES = path.join(ROOT, 'samples/vendor-performance');

function configJson(): { vendors: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(path.join(ROOT, CONFIG_FILE), 'utf8'));
}

const defaults = parseVendorMappings(configJson(), CONFIG_FILE);

/** The error parseVendorMappings throws for the default configuration changed by `change`. */
function mappingError(change: (json: { vendors: Record<string, unknown>[] }) => void): string {
  const json = configJson();
  change(json);
  try {
    parseVendorMappings(json, CONFIG_FILE);
  } catch (error) {
    assert.ok(error instanceof VendorMappingError);
    return error.message;
  }
  assert.fail('expected the mappings to be refused');
}

const testMappingJson = {
  vendor: 'test',
  files: 'test-.*\\.csv',
  format: 'csv',
  columns: {
    accountId: 'Account',
    periodStart: 'Start',
    periodEnd: 'End',
    currency: 'Currency',
    reportedReturn: 'Return',
    subPeriods: [
      { begin: 'Begin 1', end: 'End 1', flow: 'Flow 1' },
      { begin: 'Begin 2', end: 'End 2', flow: 'Flow 2' },
      { begin: 'Begin 3', end: 'End 3', flow: 'Flow 3' },
    ],
  },
  dateFormat: 'YYYY-MM-DD',
  returnUnit: 'percent',
};

function testMapping(overrides: Record<string, unknown> = {}): VendorMapping {
  return parseVendorMappings({ vendors: [{ ...testMappingJson, ...overrides }] }, 'test')[0];
}

const goodRow: RowValues = {
  Account: 'ACC-1',
  Start: '2026-10-01',
  End: '2026-10-31',
  Currency: 'usd',
  'Begin 1': '100',
  'End 1': '110',
  'Flow 1': '0',
  'Begin 2': '110',
  'End 2': '168',
  'Flow 2': '50',
  'Begin 3': '',
  'End 3': '',
  'Flow 3': '',
  Return: '15.5',
};

function normalised(overrides: RowValues = {}, mapping = testMapping()): PerformanceRecord {
  const result = normaliseRow(mapping, { ...goodRow, ...overrides });
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.issues));
  return result.record;
}

function issuesOf(overrides: RowValues, mapping = testMapping()): RowIssue[] {
  const result = normaliseRow(mapping, { ...goodRow, ...overrides });
  assert.ok(!result.ok, 'expected the row to be refused');
  return result.issues;
}

/** The one issue a row has, as `column: message`. */
function issueOf(overrides: RowValues, mapping = testMapping()): string {
  const issues = issuesOf(overrides, mapping);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  return `${issues[0].field}: ${issues[0].message}`;
}

describe('parseVendorMappings', () => {
  it('reads the default mappings, with "." as the default decimal separator', () => {
    assert.deepEqual(
      defaults.map((mapping) => [mapping.vendor, mapping.format, mapping.dateFormat, mapping.returnUnit]),
      [
        ['vendor-a', 'csv', 'YYYY-MM-DD', 'percent'],
        ['vendor-b', 'xlsx', 'DD/MM/YYYY', 'fraction'],
        ['vendor-c', 'json', 'MM/DD/YYYY', 'percent'],
      ],
    );
    assert.equal(testMapping().decimalSeparator, '.');
  });

  it('names the file, the vendor and the path of a missing field', () => {
    const message = mappingError(
      (json) => delete (json.vendors[1].columns as Record<string, unknown>).periodEnd,
    );
    assert.equal(message, 'config/vendor-mappings.json: vendors[1] (vendor-b).columns.periodEnd: required');
  });

  it('says what is expected of a wrong value, one line per problem', () => {
    const message = mappingError((json) => {
      json.vendors[0].dateFormat = 'YYYY/MM/DD';
      json.vendors[2].returnUnit = 'basis points';
      json.vendors[2].files = 'vendor-c-(\\d{4}';
    });
    assert.deepEqual(message.split('\n'), [
      'config/vendor-mappings.json: vendors[0] (vendor-a).dateFormat: must be one of YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY',
      'config/vendor-mappings.json: vendors[2] (vendor-c).files: must be a regular expression (Invalid regular expression: /vendor-c-(\\d{4}/: Unterminated group)',
      'config/vendor-mappings.json: vendors[2] (vendor-c).returnUnit: must be one of percent, fraction',
    ]);
  });

  it('names the path into sub-periods, unknown fields and values of the wrong type', () => {
    const message = mappingError((json) => {
      const columns = json.vendors[0].columns as { subPeriods: Record<string, unknown>[] } & Record<
        string,
        unknown
      >;
      delete columns.subPeriods[1].flow;
      columns.periodend = 'Period End';
      json.vendors[1].columns = 'Portfolio ID';
      json.vendors[2].files = 42;
    });
    assert.deepEqual(message.split('\n'), [
      'config/vendor-mappings.json: vendors[0] (vendor-a).columns.subPeriods[1].flow: required',
      'config/vendor-mappings.json: vendors[0] (vendor-a).columns.periodend: unknown field',
      'config/vendor-mappings.json: vendors[1] (vendor-b).columns: must be an object',
      'config/vendor-mappings.json: vendors[2] (vendor-c).files: must be text',
    ]);
  });

  it('needs a currency column unless there is a default currency, and checks the default', () => {
    assert.equal(
      mappingError((json) => delete (json.vendors[0].columns as Record<string, unknown>).currency),
      'config/vendor-mappings.json: vendors[0] (vendor-a).columns.currency: required unless defaultCurrency is set',
    );
    assert.equal(
      mappingError((json) => (json.vendors[1].defaultCurrency = 'EURO')),
      'config/vendor-mappings.json: vendors[1] (vendor-b).defaultCurrency: must be an ISO 4217 currency code such as USD',
    );
  });

  it('refuses a vendor id that cannot be part of a record key, a repeated vendor and a column read twice', () => {
    assert.equal(
      mappingError((json) => (json.vendors[0].vendor = 'Vendor/A')),
      'config/vendor-mappings.json: vendors[0] (Vendor/A).vendor: must be lower-case letters, digits and "-", such as vendor-a',
    );
    assert.equal(
      mappingError((json) => (json.vendors[2].vendor = 'vendor-a')),
      'config/vendor-mappings.json: vendors[2] (vendor-a).vendor: "vendor-a" is already used by vendors[0]',
    );
    assert.equal(
      mappingError(
        (json) => ((json.vendors[0].columns as Record<string, unknown>).periodEnd = 'Period Start'),
      ),
      'config/vendor-mappings.json: vendors[0] (vendor-a).columns.periodEnd: "Period Start" is already the column for periodStart',
    );
  });

  it('needs at least one sub-period and at least one vendor', () => {
    assert.equal(
      mappingError((json) => ((json.vendors[0].columns as Record<string, unknown>).subPeriods = [])),
      'config/vendor-mappings.json: vendors[0] (vendor-a).columns.subPeriods: must list at least one sub-period',
    );
    assert.equal(
      mappingError((json) => (json.vendors = [])),
      'config/vendor-mappings.json: vendors: must list at least one vendor',
    );
    assert.throws(() => parseVendorMappings([], 'm.json'), {
      message: 'm.json: must be an object with a "vendors" list',
    });
  });
});

describe('vendorFor', () => {
  it('matches the whole base name of the file', () => {
    assert.equal(vendorFor(defaults, 'vendor-a-2026-10.csv')?.vendor, 'vendor-a');
    assert.equal(vendorFor(defaults, 'incoming/2026/vendor-b-2026-10.xlsx')?.vendor, 'vendor-b');
    assert.equal(vendorFor(defaults, 'vendor-c-2026-10.json')?.vendor, 'vendor-c');
    assert.equal(vendorFor(defaults, 'old-vendor-a-2026-10.csv'), null);
    assert.equal(vendorFor(defaults, 'vendor-a-2026-10.csv.bak'), null);
    assert.equal(vendorFor(defaults, 'vendor-a-2026-10.csv/readme.txt'), null);
  });

  it('takes the first listed mapping when several match', () => {
    const narrow = testMapping({ vendor: 'narrow', files: 'test-special\\.csv' });
    const broad = testMapping({ vendor: 'broad' });
    assert.equal(vendorFor([narrow, broad], 'test-special.csv')?.vendor, 'narrow');
    assert.equal(vendorFor([narrow, broad], 'test-other.csv')?.vendor, 'broad');
  });
});

describe('requiredColumns', () => {
  it('lists the single-value columns and the first sub-period group', () => {
    assert.deepEqual(requiredColumns(defaults[0]), [
      'Account Number',
      'Period Start',
      'Period End',
      'Currency',
      'Reported TWR %',
      'Begin MV 1',
      'End MV 1',
      'Net Flow 1',
    ]);
  });

  it('leaves out a currency column that has a default', () => {
    assert.deepEqual(requiredColumns(defaults[2]), [
      'account.id',
      'period.start',
      'period.end',
      'reported.twrPercent',
      'valuations.0.begin',
      'valuations.0.end',
      'valuations.0.flow',
    ]);
  });
});

describe('normaliseRow', () => {
  it('maps a row to the canonical record, returns as fractions', () => {
    assert.deepEqual(normalised(), {
      vendor: 'test',
      accountId: 'ACC-1',
      periodStart: '2026-10-01',
      periodEnd: '2026-10-31',
      currency: 'USD',
      subPeriods: [
        { begin: '100', end: '110', flow: '0' },
        { begin: '110', end: '168', flow: '50' },
      ],
      reportedReturn: '0.155',
    });
    assert.equal(
      normalised({ Return: '0.155' }, testMapping({ returnUnit: 'fraction' })).reportedReturn,
      '0.155',
    );
  });

  describe('dates', () => {
    const cases: [string, string, string][] = [
      ['YYYY-MM-DD', '2026-10-01', '2026-10-31'],
      ['MM/DD/YYYY', '10/1/2026', '10/31/2026'],
      ['DD/MM/YYYY', '01/10/2026', '31/10/2026'],
      ['DD.MM.YYYY', '1.10.2026', '31.10.2026'],
    ];
    for (const [dateFormat, start, end] of cases) {
      it(`reads ${dateFormat}`, () => {
        const record = normalised({ Start: start, End: end }, testMapping({ dateFormat }));
        assert.deepEqual([record.periodStart, record.periodEnd], ['2026-10-01', '2026-10-31']);
      });
    }

    it('refuses impossible dates, saying why', () => {
      assert.equal(issueOf({ Start: '2026-02-30' }), 'Start: is not a date: February 2026 has 28 days');
      assert.equal(issueOf({ Start: '2026-13-01' }), 'Start: is not a date: there is no month 13');
      assert.equal(issueOf({ Start: '2026-00-10' }), 'Start: is not a date: there is no month 0');
      assert.equal(issueOf({ Start: '2026-10-00' }), 'Start: is not a date: October 2026 has 31 days');
      assert.equal(normalised({ Start: '2028-02-01', End: '2028-02-29' }).periodEnd, '2028-02-29');
      // 31/10/2026 in a MM/DD/YYYY file: a day-first date where a month-first one belongs.
      assert.equal(
        issueOf({ Start: '10/01/2026', End: '31/10/2026' }, testMapping({ dateFormat: 'MM/DD/YYYY' })),
        'End: is not a date: there is no month 31',
      );
    });

    it('says which format it expected', () => {
      assert.deepEqual(issuesOf({ Start: '10/01/2026' }), [
        { field: 'Start', message: 'must be a date as YYYY-MM-DD, such as 2026-10-31', value: '10/01/2026' },
      ]);
      assert.equal(
        issueOf({ Start: '2026-10-01', End: '31.10.2026' }, testMapping({ dateFormat: 'DD.MM.YYYY' })),
        'Start: must be a date as DD.MM.YYYY, such as 31.10.2026',
      );
    });

    it('takes spreadsheet date cells (ISO) in xlsx files as well as the vendor format', () => {
      const xlsx = testMapping({ format: 'xlsx', dateFormat: 'DD/MM/YYYY' });
      const record = normalised({ Start: '2026-10-01', End: '31/10/2026' }, xlsx);
      assert.deepEqual([record.periodStart, record.periodEnd], ['2026-10-01', '2026-10-31']);
    });
  });

  describe('decimals', () => {
    const beginOf = (value: string | number, overrides: Record<string, unknown> = {}) =>
      normalised({ 'Begin 1': value, Return: 15.5 }, testMapping(overrides)).subPeriods[0].begin;

    it('reads thousands separators, signs and accounting parentheses', () => {
      assert.equal(beginOf('1,234,567.89'), '1234567.89');
      assert.equal(beginOf('1234567.89'), '1234567.89');
      assert.equal(beginOf('+100'), '100');
      assert.equal(beginOf('.5'), '0.5');
      const flowOf = (flow: string) => normalised({ 'Begin 2': '5,000', 'Flow 2': flow }).subPeriods[1].flow;
      assert.equal(flowOf('(1,234.50)'), '-1234.5');
      assert.equal(flowOf('-1,234.50'), '-1234.5');
    });

    it('reads a decimal comma, with "." or spaces grouping thousands', () => {
      const comma = { decimalSeparator: ',' };
      assert.equal(beginOf('1.234.567,89', comma), '1234567.89');
      assert.equal(beginOf('1 234 567,89', comma), '1234567.89');
      assert.equal(beginOf('1\u00a0234,5', comma), '1234.5');
      const flow = normalised(
        { 'Begin 2': '20.000', 'Flow 2': '(12.500,00)', Return: 15.5 },
        testMapping(comma),
      ).subPeriods[1].flow;
      assert.equal(flow, '-12500');
      assert.equal(normalised({ Return: '15,5' }, testMapping(comma)).reportedReturn, '0.155');
    });

    it('takes spreadsheet numbers as their shortest decimal text, whatever the separator', () => {
      assert.equal(beginOf(1234567.89), '1234567.89');
      assert.equal(beginOf(1234567.89, { decimalSeparator: ',' }), '1234567.89');
      assert.equal(normalised({ Return: 15.5 }).reportedReturn, '0.155');
      assert.equal(normalised({ Return: 1e-7 }).reportedReturn, '0.000000001');
    });

    it('never goes through binary floats for text', () => {
      assert.equal(beginOf('12345678901234567890.123456789'), '12345678901234567890.123456789');
      assert.equal(
        normalised({ Return: '0.1' }, testMapping({ returnUnit: 'fraction' })).reportedReturn,
        '0.1',
      );
    });

    it('refuses currency symbols, scientific notation and ambiguous grouping', () => {
      const currencySymbol =
        'Begin 1: must be a number without a currency symbol (the currency has its own column)';
      const notANumber = 'Begin 1: must be a number such as 1,234.56 or (1,234.56)';
      assert.equal(issueOf({ 'Begin 1': '$1,000' }), currencySymbol);
      assert.equal(issueOf({ 'Begin 1': '1,000 €' }), currencySymbol);
      // Text in scientific notation usually means a spreadsheet has already dropped digits.
      assert.equal(issueOf({ 'Begin 1': '1e5' }), notANumber);
      assert.equal(issueOf({ 'Begin 1': '1,00.5' }), notANumber);
      assert.equal(issueOf({ 'Begin 1': '1,5' }), notANumber);
      assert.equal(issueOf({ 'Begin 1': '-(100)' }), notANumber);
      assert.equal(issueOf({ 'Begin 1': '(100' }), notANumber);
      assert.equal(issueOf({ 'Begin 1': 'n/a' }), notANumber);
      assert.equal(issueOf({ 'Begin 1': '100.' }), notANumber);
      assert.equal(issueOf({ 'Begin 1': true }), notANumber);
      assert.equal(
        issueOf({ 'Begin 1': '1.5', Return: '15,5' }, testMapping({ decimalSeparator: ',' })),
        'Begin 1: must be a number such as 1.234,56 or (1.234,56)',
      );
    });
  });

  describe('currency', () => {
    it('takes ISO 4217 codes in any case', () => {
      assert.equal(normalised({ Currency: ' chf ' }).currency, 'CHF');
      assert.equal(issueOf({ Currency: 'EURO' }), 'Currency: must be an ISO 4217 currency code such as USD');
      assert.equal(issueOf({ Currency: 'XYZ' }), 'Currency: must be an ISO 4217 currency code such as USD');
    });

    it('uses the default currency for a blank cell or an unmapped column, and needs one otherwise', () => {
      assert.equal(normalised({ Currency: '' }, testMapping({ defaultCurrency: 'EUR' })).currency, 'EUR');
      const columns = { ...testMappingJson.columns, currency: undefined };
      assert.equal(normalised({}, testMapping({ columns, defaultCurrency: 'JPY' })).currency, 'JPY');
      assert.equal(issueOf({ Currency: null }), 'Currency: required');
    });
  });

  describe('business rules, each naming its column', () => {
    it('needs an account id of printable characters without "/"', () => {
      assert.equal(issueOf({ Account: '  ' }), 'Account: required');
      assert.equal(issueOf({ Account: 'ACC/1' }), 'Account: must be printable characters without "/"');
      assert.equal(issueOf({ Account: 'ACC\u00001' }), 'Account: must be printable characters without "/"');
      assert.equal(normalised({ Account: 10023 }).accountId, '10023');
    });

    it('needs the period to end after it starts', () => {
      assert.equal(issueOf({ End: '2026-10-01' }), 'End: must be after the period start (Start: 2026-10-01)');
      assert.equal(issueOf({ End: '2026-09-30' }), 'End: must be after the period start (Start: 2026-10-01)');
    });

    it('needs money in each sub-period: begin + flow > 0', () => {
      assert.equal(
        issueOf({ 'Begin 2': '50', 'Flow 2': '(50)' }),
        "Begin 2: plus the flow (Flow 2) must be more than 0: the sub-period's return is undefined otherwise",
      );
      // A negative begin is odd but harmless while the flow more than covers it.
      assert.equal(normalised({ 'Begin 2': '-10', 'Flow 2': '60' }).subPeriods[1].begin, '-10');
    });

    it('needs end values of at least 0', () => {
      assert.equal(issueOf({ 'End 2': '-0.01' }), 'End 2: must not be negative');
      assert.equal(normalised({ 'End 2': '0', Return: '-100' }).subPeriods[1].end, '0');
    });

    it('needs the reported return between -100 % and 1000 %', () => {
      assert.equal(issueOf({ Return: '-100.01' }), 'Return: must be between -100 % and 1000 %');
      assert.equal(issueOf({ Return: '1000.5' }), 'Return: must be between -100 % and 1000 %');
      assert.equal(
        issueOf({ Return: '10.5' }, testMapping({ returnUnit: 'fraction' })),
        'Return: must be between -100 % and 1000 %',
      );
      assert.equal(normalised({ Return: '1000' }).reportedReturn, '10');
    });
  });

  describe('sub-periods', () => {
    it('reads a blank flow as no flow', () => {
      assert.equal(normalised({ 'Flow 1': '' }).subPeriods[0].flow, '0');
    });

    it('reads a blank or absent trailing group as fewer sub-periods', () => {
      const withoutThird = Object.fromEntries(
        Object.entries(goodRow).filter(([column]) => !column.endsWith(' 3')),
      );
      const result = normaliseRow(testMapping(), withoutThird);
      assert.ok(result.ok);
      assert.equal(result.record.subPeriods.length, 2);
      const three = normalised({ 'Begin 3': '168', 'End 3': '170', 'Flow 3': '' });
      assert.equal(three.subPeriods.length, 3);
    });

    it('refuses a blank group before a filled one, a half-filled group and no sub-period at all', () => {
      assert.equal(
        issueOf({
          'Begin 2': '',
          'End 2': '',
          'Flow 2': '',
          'Begin 3': '110',
          'End 3': '168',
          'Flow 3': '50',
        }),
        'Begin 2: required: a later sub-period (Begin 3) has values',
      );
      assert.equal(issueOf({ 'End 2': '' }), 'End 2: required');
      assert.equal(
        issueOf({ 'Begin 1': '', 'End 1': '', 'Flow 1': '', 'Begin 2': '', 'End 2': '', 'Flow 2': '' }),
        'Begin 1: required',
      );
    });
  });

  it('reports every problem in a row at once, with the cell as read', () => {
    assert.deepEqual(issuesOf({ Account: '', Start: '2026-02-30', 'End 1': 'n/a', Return: 2000 }), [
      { field: 'Account', message: 'required' },
      { field: 'Start', message: 'is not a date: February 2026 has 28 days', value: '2026-02-30' },
      { field: 'End 1', message: 'must be a number such as 1,234.56 or (1,234.56)', value: 'n/a' },
      { field: 'Return', message: 'must be between -100 % and 1000 %', value: '2000' },
    ]);
  });
});

describe('timeWeightedReturn', () => {
  it('is the simple return when there are no flows', () => {
    assert.equal(timeWeightedReturn([{ begin: '100', end: '105', flow: '0' }]).toFixed(), '0.05');
  });

  it('links sub-periods geometrically, so flows do not count as growth', () => {
    // 100 → 110 is +10 %; then 50 comes in: 160 → 168 is +5 %. 1.10 × 1.05 − 1 = 15.5 %,
    // where the money-weighted (168 − 100 − 50) / 150 would be 12 %.
    const twr = timeWeightedReturn([
      { begin: '100', end: '110', flow: '0' },
      { begin: '110', end: '168', flow: '50' },
    ]);
    assert.equal(twr.toFixed(), '0.155');
    const withdrawal = timeWeightedReturn([
      { begin: '200', end: '180', flow: '0' },
      { begin: '180', end: '88', flow: '-100' },
    ]);
    // 0.9 × 1.1 − 1
    assert.equal(withdrawal.toFixed(), '-0.01');
  });

  it('keeps at least 20 significant digits', () => {
    const third = timeWeightedReturn([{ begin: '3', end: '4', flow: '0' }]);
    assert.match(third.toFixed(), /^0\.3{20,}/);
  });

  it('refuses a sub-period with no money in it', () => {
    assert.throws(() => timeWeightedReturn([{ begin: '0', end: '0', flow: '0' }]), RangeError);
    assert.throws(() => timeWeightedReturn([]), RangeError);
  });
});

describe('checkTolerance', () => {
  const record = (reportedReturn: string): PerformanceRecord => ({
    vendor: 'test',
    accountId: 'ACC-1',
    periodStart: '2026-10-01',
    periodEnd: '2026-10-31',
    currency: 'USD',
    subPeriods: [
      { begin: '100', end: '110', flow: '0' },
      { begin: '110', end: '168', flow: '50' },
    ],
    reportedReturn,
  });

  it('passes at exactly the tolerance', () => {
    assert.deepEqual(checkTolerance(record('0.1549'), 1), {
      passed: true,
      computed: '0.155',
      reported: '0.1549',
      differenceBps: '1.00',
    });
    assert.equal(checkTolerance(record('0.1551'), 1).passed, true);
    assert.equal(checkTolerance(record('0.155'), 0).passed, true);
  });

  it('fails just over it, and never shows a failing difference as within it', () => {
    assert.deepEqual(checkTolerance(record('0.15489999'), 1), {
      passed: false,
      computed: '0.155',
      reported: '0.15489999',
      differenceBps: '1.01',
    });
    assert.equal(checkTolerance(record('0.1549'), 0.5).passed, false);
  });

  it('rounds the computed return to 12 places', () => {
    const thirds = { ...record('0.3333'), subPeriods: [{ begin: '3', end: '4', flow: '0' }] };
    assert.equal(checkTolerance(thirds, 1).computed, '0.333333333333');
  });

  it('refuses a negative tolerance', () => {
    assert.throws(() => checkTolerance(record('0.155'), -1), RangeError);
  });
});

describe('formatPercent', () => {
  it('shows four decimals', () => {
    assert.equal(formatPercent('0.051234'), '5.1234 %');
    assert.equal(formatPercent('0.155'), '15.5000 %');
    assert.equal(formatPercent('-0.0525'), '-5.2500 %');
    assert.equal(formatPercent('0.0000012345'), '0.0001 %');
    assert.equal(formatPercent('-0.0000001'), '0.0000 %');
  });
});

// The sample files, read as simply as possible, against what their README says is wrong with them.

/** `| Row | Column | Why |` tables under `## <file name>` headings. */
function readmeBadRows(): Map<string, string[]> {
  const readme = readFileSync(path.join(SAMPLES, 'README.md'), 'utf8');
  const tables = new Map<string, string[]>();
  let file = '';
  for (const line of readme.split('\n')) {
    const heading = /^## (\S+)/.exec(line);
    if (heading) {
      file = heading[1];
      tables.set(file, []);
      continue;
    }
    const cells = line.split('|').map((cell) => cell.trim());
    if (file === '' || cells.length < 4 || cells[1] === 'Row' || /^-+$/.test(cells[1])) continue;
    tables.get(file)!.push(`${cells[1]} ${cells[2].replace(/^`|`$/g, '')}`);
  }
  return tables;
}

interface SampleRow {
  row: string;
  values: RowValues;
}

/** CSV fields, with quotes around fields that hold commas. */
function csvFields(line: string): string[] {
  const field = /(?:"((?:[^"]|"")*)"|([^,"]*))(,|$)/y;
  const fields: string[] = [];
  for (;;) {
    const match = field.exec(line);
    assert.ok(match, `not CSV: ${line}`);
    fields.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]);
    if (match[3] !== ',') return fields;
  }
}

function readCsv(file: string): SampleRow[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split(/\r?\n/);
  const columns = csvFields(header);
  return lines
    .map((line, index) => ({ line, number: index + 2 }))
    .filter(({ line }) => line !== '')
    .map(({ line, number }) => {
      const fields = csvFields(line);
      return {
        row: String(number),
        values: Object.fromEntries(columns.map((column, i) => [column, fields[i]])),
      };
    });
}

function flatten(value: unknown, prefix: string, into: RowValues): RowValues {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into[prefix] = value as RowValues[string];
  }
  return into;
}

function readJson(file: string): SampleRow[] {
  const { accounts } = JSON.parse(readFileSync(file, 'utf8')) as { accounts: unknown[] };
  return accounts.map((account, index) => ({ row: `accounts[${index}]`, values: flatten(account, '', {}) }));
}

/** The first sheet with a row holding every required column; that row is the header. */
async function readXlsx(file: string, mapping: VendorMapping): Promise<SampleRow[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const cellValue = (value: ExcelJS.CellValue): RowValues[string] => {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (typeof value === 'string' || typeof value === 'number') return value;
    assert.ok(value === null || value === undefined, `unexpected cell ${JSON.stringify(value)}`);
    return null;
  };
  for (const sheet of workbook.worksheets) {
    let columns: string[] | undefined;
    const rows: SampleRow[] = [];
    sheet.eachRow((row) => {
      const cells = Array.from({ length: sheet.columnCount }, (_, i) => cellValue(row.getCell(i + 1).value));
      if (columns) {
        rows.push({
          row: String(row.number),
          values: Object.fromEntries(columns.map((c, i) => [c, cells[i]])),
        });
      } else if (requiredColumns(mapping).every((column) => cells.includes(column))) {
        columns = cells.map(String);
      }
    });
    if (columns) return rows;
  }
  assert.fail(`no sheet in ${file} has the header row`);
}

/** `row column` for each issue and each failed tolerance check (1 bp). */
function badRows(mapping: VendorMapping, rows: SampleRow[]): string[] {
  return rows.flatMap(({ row, values }) => {
    const result = normaliseRow(mapping, values);
    if (!result.ok) return result.issues.map((issue) => `${row} ${issue.field}`);
    return checkTolerance(result.record, 1).passed ? [] : [`${row} ${mapping.columns.reportedReturn}`];
  });
}

describe('sample files', () => {
  const expected = readmeBadRows();
  const samples: [string, (file: string, mapping: VendorMapping) => SampleRow[] | Promise<SampleRow[]>][] = [
    ['vendor-a-2026-10.csv', readCsv],
    ['vendor-b-2026-10.xlsx', readXlsx],
    ['vendor-c-2026-10.json', readJson],
  ];
  for (const [name, read] of samples) {
    it(`${name} has exactly the bad rows its README lists`, async () => {
      const mapping = vendorFor(defaults, name);
      assert.ok(mapping, `no vendor for ${name}`);
      const rows = await read(path.join(SAMPLES, name), mapping);
      assert.equal(rows.length, 20);
      assert.ok(expected.get(name)?.length, `the README lists no bad rows for ${name}`);
      assert.deepEqual(badRows(mapping, rows), expected.get(name));
    });
  }
});
