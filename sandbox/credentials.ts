/**
 * Fixed credentials the sandbox servers accept and local clients (tests, bench, `npm start`) use.
 * Everything here is a published demo value: it protects nothing and must never be used against
 * a real Salesforce org or NetSuite account.
 */

/** Demo RSA 2048 key pair for the Salesforce JWT bearer flow (the client signs, the sandbox verifies). */
const DEMO_JWT_PRIVATE_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCs+tTlVmvV6GVN',
  'P3oPrjpDo0jKaRwn1vVbvKnCRPJt/eC7N/M7MGzzmZ+m0UcNgzxMVXT6haRGNrmb',
  '1xkqx2p/mCU0Vd77JRM7haU5rR4ng7yUg9eQtsqJsAP47wQY7dhTnvqx7PHbzZx0',
  'cC3LAmy7sRD+Biknt22/da74+UBKcx0vG/xIkuf0c9pLMB1og48JYaYaloURgtxD',
  '5lzNtbgEgsPi2ExAgPEFc8IvgcbX9ToeID2DlGPRZ2YUkUcbeVnNzlZdzhVLrNfQ',
  'tYao8abxX9xc8gQI8RGjNHvJTaxK9LYaXMJXxLmD3QIHgTrdvgNMOekpAQkc7UJQ',
  'ZuTYAUEfAgMBAAECggEAEr0wQmakqKKpaWnpU441+k0pEzcPJB28V3jOZyDy+7QX',
  'cWYJRS3kz6r3yamS6fAqoGutkCouy/sdC7iMnb7GrGs+CeJiP+YZ+ZvBH3NqozCO',
  'mwQsCR2plABBHemUEbifyRydie2M8e6J9sSO9sFyKA8cM83/uAa+A+dq0hv7uVTQ',
  'e3u50s4RvWdZoGDfskhumLtmFOWZ6qLB4WFx8cwzy7pvt4XTgXyRrY2k8+WK2h4p',
  'QuODWfDKg6quvJI/DtwGdPymi0H5nnSiJM7nag8x1/NPC+YpElttejRSU6fzxXMA',
  'odoWxIqqB34MZYZRQVTQUn2SPcu/cnGBUWKqocrvgQKBgQDv2evaVm8ne5UKb7kz',
  'iY8aCmeMIIO0k/BpibK+OPtmyMdVAF/JN1m3XqqoyXSkoXRa30XqHt/b+9KlYkWA',
  'cMJtXhcJ9iLSIuKrCGN9SB+h4dsUCaiZf6S7muTXmfuxKmpEdS8L8fp56rXlsKvU',
  'nUWamhjIDoCdwOORn3UW1yaZXwKBgQC4oFA8utevkWL2ql8ZvQH1hmMVy6RmQUhj',
  '8EbmFlnjhfSLhzlu7ZopBjtG2SqvrkmnTkH742JKNOY9yN5zDnXHgzUfMQW5cCzw',
  't8rJde2uBfhGyQ6O+Op03QM9QIKGEXoI2pQbYqxoaQla1MVD7/AxuGtbwbcTGDbk',
  'O+y+ch2wQQKBgE9wc+dKvWHsUn60ZjillNnhHE6S7kw+u1+ZFbRfFxUB5tNGXnM8',
  'e+B54DgrERD90JXQYU2bkDVCAJB6Ld7OefbTNPo9pWbH2x8eliUGYEOzlGXclRTR',
  '6/Oe57Bo9a3GCJBH558jM/xxOnGqxB6VQFpmM1L/SqX1Huo6UAOSmtwtAoGAE4f6',
  'FQKbEJqrwnZxixKAo42s68BYSuz7EH95sJuKtNQV87DBdaezGEXtfWg56M3iQs23',
  'k0MRwdHozX5zce6ErS+HLh6MgXqJdomq7TcJhtBg3HQmkx9oBibfUdqCNFai907Q',
  'PjlpDb6W28IIgFBgs5HT4agTivST0f8440jFNUECgYEAzfugew+6hupn7KIg0QQC',
  'p+wGM23QwdVJ5+HchuYHRPn+g09KK1nxxDjQ+sw4pmng6RdTnmRHn+1gHfEvNCJS',
  'Aj+DkL0cSjhNH/FjsPH2AjVS7aWVdxLHqD/Zywi5XPwQo6hauU54FDFmGq5oihik',
  'JqL/UJPtQ1677t1W40j0DtE=',
  '-----END PRIVATE KEY-----',
].join('\n');

const DEMO_JWT_PUBLIC_KEY = [
  '-----BEGIN PUBLIC KEY-----',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArPrU5VZr1ehlTT96D646',
  'Q6NIymkcJ9b1W7ypwkTybf3guzfzOzBs85mfptFHDYM8TFV0+oWkRja5m9cZKsdq',
  'f5glNFXe+yUTO4WlOa0eJ4O8lIPXkLbKibAD+O8EGO3YU576sezx282cdHAtywJs',
  'u7EQ/gYpJ7dtv3Wu+PlASnMdLxv8SJLn9HPaSzAdaIOPCWGmGpaFEYLcQ+ZczbW4',
  'BILD4thMQIDxBXPCL4HG1/U6HiA9g5Rj0WdmFJFHG3lZzc5WXc4VS6zX0LWGqPGm',
  '8V/cXPIECPERozR7yU2sSvS2GlzCV8S5g90CB4E63b4DTDnpKQEJHO1CUGbk2AFB',
  'HwIDAQAB',
  '-----END PUBLIC KEY-----',
].join('\n');

export const SANDBOX_CREDENTIALS = {
  salesforce: {
    clientId: '3MVG9SandboxDemoOnly.Rz1SSEvMvVI75tBTYJWiBevFUpHG24PNIHY3dnGNoUiYbbJ7uf2fQIl16JEmrYRW',
    clientSecret: 'E72FBF0B185AF3270AB3A3ABBC7EF05CFEF1466B118BE2388124CDF91056CA22',
    username: 'integration@sandbox.example',
    privateKey: DEMO_JWT_PRIVATE_KEY,
    publicKey: DEMO_JWT_PUBLIC_KEY,
  },
  netsuite: {
    accountId: '1234567_SB1',
    consumerKey: '04d8abdf1271fd42515f349a119291f9f7157783bfc9d45b32553f8e6d2ffb36',
    consumerSecret: '0c66a6c366e79595e10b7570cc0c21e532c87ed7e74c8390494729cd2a93a244',
    tokenId: '5611bc45af09e5222874b9e5206847df5c75b09f6262416d319ead52e6fc7ade',
    tokenSecret: '7206be60e40f34ef6f6a5ea734e8db785a274fbd3482b4c9dc172783d6df980b',
  },
  medusa: {
    secretApiKey: 'sk_sandboxdemo8d1f0c5b2a7e4e09b3c6f1d27a9e5c40',
    email: 'admin@sandbox.example',
    password: 'sandbox-demo-medusa-admin',
    jwtSecret: 'sandbox-demo-medusa-jwt-secret-6f2b91c4',
  },
  pimcore: {
    /** The Datahub GraphQL endpoint's API key (its security settings). */
    apiKey: 'c2f1b8e0a4d94f6fb7e35a9d0c8e1f27',
    /** The shared secret Pimcore signs its product webhooks with. */
    webhookSecret: 'sandbox-demo-pimcore-webhook-secret-3e9a1d7c',
  },
} as const;

/**
 * Demo payload encryption key (`RECORD_SYNC_ENCRYPTION_KEYS` format) and codec server token, used
 * only while the sandboxes stand in for real accounts: demo records are not personal data.
 */
export const SANDBOX_ENCRYPTION_KEY = 'sandbox-demo:hI1aloO8ybESIP4RGVTPi+Ej/kzgZUhQyQMBD51+O8o=';
export const SANDBOX_CODEC_SERVER_TOKEN = 'sandbox-demo-3bJK-BxQwRiDweAG9fEd-0BfxMQQP84p';

export const SANDBOX_PORTS = { salesforce: 4401, netsuite: 4402, medusa: 4403, pimcore: 4404 } as const;
