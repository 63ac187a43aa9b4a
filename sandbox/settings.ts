import { SANDBOX_CODEC_SERVER_TOKEN, SANDBOX_CREDENTIALS, SANDBOX_ENCRYPTION_KEY } from './credentials';

/**
 * The settings that point record-sync at the sandboxes, as environment variables: the product
 * reads them like a real account's settings (it never imports the sandboxes). Used by `npm start`
 * when nothing is configured, and by the tests and benchmarks.
 */
export function sandboxSettings(urls: {
  salesforce: string;
  netsuite: string;
  /** The Medusa storefront sandbox, for the product pipeline; its settings only when given. */
  medusa?: string;
  /** The Pimcore sandbox's base URL, for the product pipeline; its settings only when given. */
  pimcore?: string;
}): Record<string, string> {
  const { salesforce: sf, netsuite: ns } = SANDBOX_CREDENTIALS;
  return {
    SALESFORCE_LOGIN_URL: urls.salesforce,
    SALESFORCE_CLIENT_ID: sf.clientId,
    SALESFORCE_CLIENT_SECRET: sf.clientSecret,
    NETSUITE_ACCOUNT_ID: ns.accountId,
    NETSUITE_BASE_URL: `${urls.netsuite}/services/rest`,
    NETSUITE_CONSUMER_KEY: ns.consumerKey,
    NETSUITE_CONSUMER_SECRET: ns.consumerSecret,
    NETSUITE_TOKEN_ID: ns.tokenId,
    NETSUITE_TOKEN_SECRET: ns.tokenSecret,
    ...productSandboxSettings(urls),
    ...demoSecrets(),
  };
}

/**
 * The products pipeline's connections to the Medusa and Pimcore sandboxes (each only when given).
 * The pipeline also needs its file drop (PRODUCT_FILES_FOLDER) and STORE_CURRENCY, and the Medusa
 * sandbox the store categories config/product-categories.json names.
 */
export function productSandboxSettings(urls: { medusa?: string; pimcore?: string }): Record<string, string> {
  const { medusa, pimcore } = SANDBOX_CREDENTIALS;
  return {
    ...(urls.medusa ? { MEDUSA_URL: urls.medusa, MEDUSA_SECRET_API_KEY: medusa.secretApiKey } : {}),
    ...(urls.pimcore
      ? {
          PIMCORE_URL: urls.pimcore,
          PIMCORE_GRAPHQL_ENDPOINT: 'recordsync',
          PIMCORE_API_KEY: pimcore.apiKey,
          PIMCORE_WEBHOOK_SECRET: pimcore.webhookSecret,
        }
      : {}),
  };
}

/** The demo payload key and codec server token: demo records are not personal data. */
export function demoSecrets(): Record<string, string> {
  return {
    RECORD_SYNC_ENCRYPTION_KEYS: SANDBOX_ENCRYPTION_KEY,
    RECORD_SYNC_CODEC_SERVER_TOKEN: SANDBOX_CODEC_SERVER_TOKEN,
  };
}
