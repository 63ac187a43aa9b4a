import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifier for NetSuite token-based auth: OAuth 1.0a (RFC 5849), HMAC-SHA256, realm = account id.
 * Written from the RFC rather than shared with any client, so a client signing bug cannot be
 * mirrored here and go unnoticed.
 */

export interface TbaCredentials {
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

export interface SignedRequest {
  method: string;
  /** The Host header, as the client addressed the server. */
  host: string;
  /** Path and query exactly as received (req.url). */
  url: string;
  authorization: string | undefined;
}

const MAX_CLOCK_SKEW_S = 300;
const NONCE_TTL_MS = 10 * 60_000;

/** RFC 3986 percent-encoding: only unreserved characters stay as they are. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseAuthorization(header: string | undefined): Map<string, string> | undefined {
  const match = /^OAuth\s+(.*)$/is.exec(header ?? '');
  if (!match) return undefined;
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const pair = /^\s*([A-Za-z0-9_]+)\s*=\s*"([^"]*)"\s*$/.exec(part);
    if (!pair) return undefined;
    try {
      params.set(pair[1], decodeURIComponent(pair[2]));
    } catch {
      return undefined;
    }
  }
  return params;
}

/** Query parameters are form-encoded (RFC 5849 3.4.1.3.1), hence `+` is a space. */
function queryParams(query: string): [string, string][] {
  if (query === '') return [];
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const [key, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return [decode(key), decode(value)];
  });
}

export function signatureBaseString(req: SignedRequest, oauthParams: Map<string, string>): string {
  const [path, query = ''] = req.url.split(/\?(.*)/s);
  // Default port is not part of the base URI (RFC 5849 3.4.1.2).
  const host = req.host.toLowerCase().replace(/:80$/, '');
  const params = [...oauthParams].filter(([key]) => key !== 'oauth_signature' && key !== 'realm');
  const normalized = [...params, ...queryParams(query)]
    .map(([key, value]) => [rfc3986(key), rfc3986(value)])
    .sort(([k1, v1], [k2, v2]) => (k1 === k2 ? (v1 < v2 ? -1 : v1 > v2 ? 1 : 0) : k1 < k2 ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return [req.method.toUpperCase(), rfc3986(`http://${host}${path}`), rfc3986(normalized)].join('&');
}

/** Remembers nonces for as long as a timestamp could still be accepted, so replays fail. */
export class NonceRegistry {
  private seen = new Map<string, number>();

  /** Records the nonce; false if it was already used. */
  claim(nonce: string, nowMs: number): boolean {
    for (const [key, expiry] of this.seen) {
      if (expiry > nowMs) break; // insertion order = expiry order
      this.seen.delete(key);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs + NONCE_TTL_MS);
    return true;
  }

  clear(): void {
    this.seen.clear();
  }
}

/** Returns why the request is not authentic, or undefined when it is. */
export function verifyTba(
  req: SignedRequest,
  creds: TbaCredentials,
  nonces: NonceRegistry,
  nowMs: number,
): string | undefined {
  const params = parseAuthorization(req.authorization);
  if (!params) return 'missing or unparsable OAuth Authorization header';
  if (params.get('realm') !== creds.accountId) return 'realm is not the account id';
  if (params.get('oauth_consumer_key') !== creds.consumerKey) return 'unknown consumer key';
  if (params.get('oauth_token') !== creds.tokenId) return 'unknown token';
  if (params.get('oauth_signature_method') !== 'HMAC-SHA256') return 'signature method must be HMAC-SHA256';
  if (params.has('oauth_version') && params.get('oauth_version') !== '1.0')
    return 'oauth_version must be 1.0';
  const timestamp = Number(params.get('oauth_timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(nowMs / 1000 - timestamp) > MAX_CLOCK_SKEW_S) {
    return 'timestamp missing or too far from the server clock';
  }
  const nonce = params.get('oauth_nonce');
  if (!nonce) return 'nonce missing';

  const key = `${rfc3986(creds.consumerSecret)}&${rfc3986(creds.tokenSecret)}`;
  let baseString: string;
  try {
    baseString = signatureBaseString(req, params);
  } catch {
    return 'unparsable query string';
  }
  const expected = createHmac('sha256', key).update(baseString).digest();
  const given = Buffer.from(params.get('oauth_signature') ?? '', 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';
  // Only a correctly signed request consumes its nonce, so forged requests cannot burn real ones.
  if (!nonces.claim(`${creds.tokenId}:${nonce}`, nowMs)) return 'nonce already used';
  return undefined;
}
