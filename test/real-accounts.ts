/** Settings that look like real Salesforce and NetSuite accounts (so the sandboxes are not used). */
export const realAccounts = {
  SALESFORCE_LOGIN_URL: 'https://login.salesforce.com',
  SALESFORCE_CLIENT_ID: 'client-id',
  SALESFORCE_CLIENT_SECRET: 'client-secret-value',
  NETSUITE_ACCOUNT_ID: '1234567_SB1',
  NETSUITE_CONSUMER_KEY: 'consumer-key',
  NETSUITE_CONSUMER_SECRET: 'consumer-secret-value',
  NETSUITE_TOKEN_ID: 'token-id-value',
  NETSUITE_TOKEN_SECRET: 'token-secret-value',
};
