import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../src/config';
import { realAccounts as accounts } from './real-accounts';

const realAccounts = {
  ...accounts,
  RECORD_SYNC_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};

function configError(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

describe('configuration', () => {
  it('needs a payload key; with no account or file drop configured, no pipeline is', () => {
    assert.match(configError({}), /RECORD_SYNC_ENCRYPTION_KEYS: is required but not set/);
    const config = parseConfig({ RECORD_SYNC_ENCRYPTION_KEYS: realAccounts.RECORD_SYNC_ENCRYPTION_KEYS });
    assert.equal(config.accounts, null);
    assert.equal(config.vendorPerformance, null);
    assert.equal(config.pipeline.scheduleId, 'sync-accounts');
    assert.equal(config.pipeline.intervalMs, 300_000);
    assert.deepEqual(config.pipeline.retry, {
      initialIntervalMs: 5_000,
      backoffCoefficient: 5,
      maximumIntervalMs: 300_000,
      budgetMs: 3_600_000,
    });
    assert.equal(config.pipeline.lookbackMs, 300_000);
    assert.equal(config.pipeline.runTimeoutMs, 6 * 3_600_000);
  });

  it('reads real accounts, deriving the NetSuite host from the account id', () => {
    const config = parseConfig({ ...realAccounts, SYNC_INTERVAL: '30s', SYNC_PAGE_SIZE: '500' });
    assert.equal(
      config.accounts?.netsuite.baseUrl,
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest',
    );
    assert.equal(config.pipeline.intervalMs, 30_000);
    assert.equal(config.accounts?.salesforce.pageSize, 500);
  });

  for (const typed of ['1234567_SB1', '1234567-sb1', '1234567_sb1', '1234567-SB1', ' 1234567-Sb1 ']) {
    it(`normalises NETSUITE_ACCOUNT_ID=${JSON.stringify(typed)} to the realm, the host to its slug`, () => {
      const config = parseConfig({ ...realAccounts, NETSUITE_ACCOUNT_ID: typed });
      assert.equal(config.accounts?.netsuite.accountId, '1234567_SB1');
      assert.equal(
        config.accounts?.netsuite.baseUrl,
        'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest',
      );
    });
  }

  it('keeps a production account id as it is, and normalises it beside an explicit base URL', () => {
    const production = parseConfig({ ...realAccounts, NETSUITE_ACCOUNT_ID: '1234567' });
    assert.equal(production.accounts?.netsuite.accountId, '1234567');
    assert.equal(
      production.accounts?.netsuite.baseUrl,
      'https://1234567.suitetalk.api.netsuite.com/services/rest',
    );
    const explicit = parseConfig({
      ...realAccounts,
      NETSUITE_ACCOUNT_ID: 'tstdrv123-sb2',
      NETSUITE_BASE_URL: 'https://proxy.example/services/rest',
    });
    assert.equal(explicit.accounts?.netsuite.accountId, 'TSTDRV123_SB2');
    assert.equal(explicit.accounts?.netsuite.baseUrl, 'https://proxy.example/services/rest');
  });

  it('names each missing variable when accounts are configured only in part', () => {
    const message = configError({ SALESFORCE_LOGIN_URL: 'https://login.salesforce.com' });
    for (const variable of ['SALESFORCE_CLIENT_ID', 'NETSUITE_ACCOUNT_ID', 'NETSUITE_TOKEN_SECRET']) {
      assert.match(message, new RegExp(`${variable}: is required but not set`));
    }
  });

  const badValues: [string, string, RegExp][] = [
    ['SYNC_PAGE_SIZE', '50', /SYNC_PAGE_SIZE: must be at least 200/],
    ['SYNC_PAGE_SIZE', 'lots', /SYNC_PAGE_SIZE: must be a whole number/],
    ['SYNC_INTERVAL', 'every five minutes', /SYNC_INTERVAL: must be a duration/],
    ['SYNC_RETRY_BACKOFF_COEFFICIENT', '-1', /SYNC_RETRY_BACKOFF_COEFFICIENT: must be a number/],
    ['SALESFORCE_LOGIN_URL', 'login.salesforce.com', /SALESFORCE_LOGIN_URL: must be a URL/],
    ['SALESFORCE_LOGIN_URL', 'ftp://login.salesforce.com', /SALESFORCE_LOGIN_URL: must start with http/],
    ['SALESFORCE_API_VERSION', 'v60', /SALESFORCE_API_VERSION: must be an API version/],
    ['SALESFORCE_AUTH_FLOW', 'password', /SALESFORCE_AUTH_FLOW:/],
    ['NETSUITE_ACCOUNT_ID', '1234567-SB1!', /NETSUITE_ACCOUNT_ID: must be a NetSuite account id/],
    ['NETSUITE_ACCOUNT_ID', '1234567.evil.example', /NETSUITE_ACCOUNT_ID: must be a NetSuite account id/],
    ['NETSUITE_ACCOUNT_ID', '-1234567', /NETSUITE_ACCOUNT_ID: must be a NetSuite account id/],
    ['NETSUITE_ACCOUNT_ID', '1234567__SB1', /NETSUITE_ACCOUNT_ID: must be a NetSuite account id/],
    ['NETSUITE_ACCOUNT_ID', '1234567 SB1', /NETSUITE_ACCOUNT_ID: must be a NetSuite account id/],
    ['NETSUITE_MAX_CONCURRENT_REQUESTS', '0', /NETSUITE_MAX_CONCURRENT_REQUESTS: must be at least 1/],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233', /TEMPORAL_ADDRESS: must be host:port/],
    ['SYNC_PIPELINE', 'Accounts Sync', /SYNC_PIPELINE: may contain only/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL:/],
    [
      'SYNC_RETRY_MAXIMUM_ATTEMPTS',
      '3',
      /SYNC_RETRY_MAXIMUM_ATTEMPTS: is no longer used: .*SYNC_RETRY_BUDGET/,
    ],
    ['SYNC_RETRY_BUDGET', '0s', /SYNC_RETRY_BUDGET: must be at least 1s/],
    ['SYNC_LOOKBACK', 'five minutes', /SYNC_LOOKBACK: must be a duration/],
    ['SYNC_RUN_TIMEOUT', '10s', /SYNC_RUN_TIMEOUT: must be at least 1m/],
    ['SYNC_CONFLICT_POLICY', 'newest-wins', /SYNC_CONFLICT_POLICY:/],
    ['NETSUITE_SUBSIDIARY', 'Parent Company', /NETSUITE_SUBSIDIARY: must be a subsidiary internal id/],
    [
      'SALESFORCE_WRITEBACK_STATUS_FIELD',
      'Sync Status',
      /SALESFORCE_WRITEBACK_STATUS_FIELD: must be a custom field/,
    ],
    [
      'SALESFORCE_WRITEBACK_ID_FIELD',
      'NetSuite_Id__c',
      /SALESFORCE_WRITEBACK_ID_FIELD: needs SALESFORCE_WRITEBACK_STATUS_FIELD/,
    ],
  ];
  for (const [variable, value, expected] of badValues) {
    it(`rejects ${variable}=${JSON.stringify(value)}, naming the variable`, () => {
      assert.match(configError({ ...realAccounts, [variable]: value }), expected);
    });
  }

  it('requires the JWT settings for the jwt_bearer flow', () => {
    const message = configError({ ...realAccounts, SALESFORCE_AUTH_FLOW: 'jwt_bearer' });
    assert.match(message, /SALESFORCE_USERNAME: is required when SALESFORCE_AUTH_FLOW is jwt_bearer/);
    assert.match(message, /SALESFORCE_PRIVATE_KEY: or SALESFORCE_PRIVATE_KEY_FILE is required/);
  });

  it('never echoes a secret value in its messages', () => {
    const message = configError({ ...realAccounts, NETSUITE_ACCOUNT_ID: 'bad id', SYNC_PAGE_SIZE: 'x' });
    for (const secret of Object.values(realAccounts)) {
      if (secret.endsWith('-value')) assert.ok(!message.includes(secret));
    }
  });

  for (const entry of ['src/worker.ts', 'scripts/start.ts', 'src/client.ts']) {
    it(`stops ${entry} at start-up with a message naming the bad variable`, () => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', entry, 'status'], {
        env: { ...process.env, ...realAccounts, SYNC_WINDOW_SIZE: 'wide', TEMPORAL_ADDRESS: '127.0.0.1:1' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /SYNC_WINDOW_SIZE: must be a whole number/);
    });
  }
});
