import { createHmac, randomBytes, verify } from 'node:crypto';

/**
 * The Salesforce token endpoint (`POST /services/oauth2/token`): client credentials (in the body or
 * HTTP Basic) and the JWT bearer flow, answered with Salesforce's own success and error shapes.
 */

export interface OAuthConfig {
  /** Both the login URL (JWT audience) and the instance_url handed out. */
  url: string;
  clientId: string;
  clientSecret: string;
  username: string;
  publicKey: string;
}

export type TokenOutcome =
  | { ok: true; accessToken: string; body: Record<string, string> }
  | { ok: false; body: { error: string; error_description: string } };

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ORG_ID = '00D5g00000SBXorg';
const USER_ID = '0055g00000SBXusr';

function failure(error: string, description: string): TokenOutcome {
  return { ok: false, body: { error, error_description: description } };
}

/** Basic credentials are form-encoded before base64 (RFC 6749 2.3.1); tolerate raw ones too. */
function basicCredentials(authorization: string | undefined): { id?: string; secret?: string } {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return {};
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

function audiences(url: string): string[] {
  return [url, 'https://login.salesforce.com', 'https://test.salesforce.com'].flatMap((a) => [a, `${a}/`]);
}

/** Checks an RS256 JWT bearer assertion; returns an error outcome or undefined when acceptable. */
function checkAssertion(assertion: string, config: OAuthConfig): TokenOutcome | undefined {
  const parts = assertion.split('.');
  if (parts.length !== 3) return failure('invalid_grant', 'invalid assertion');
  let header: { alg?: unknown };
  let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as typeof header;
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return failure('invalid_grant', 'invalid assertion');
  }
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  if (header.alg !== 'RS256' || !verify('RSA-SHA256', signed, config.publicKey, signature)) {
    return failure('invalid_grant', 'invalid assertion');
  }
  if (claims.iss !== config.clientId) return failure('invalid_client_id', 'client identifier invalid');
  if (claims.sub !== config.username) return failure('invalid_grant', 'authentication failure');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === 'string' && audiences(config.url).includes(a))) {
    return failure('invalid_grant', 'audience is invalid');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
    return failure('invalid_grant', 'expired authorization code');
  }
  return undefined;
}

export function requestToken(
  form: URLSearchParams,
  authorization: string | undefined,
  config: OAuthConfig,
): TokenOutcome {
  const grantType = form.get('grant_type');
  if (grantType === 'client_credentials') {
    const basic = basicCredentials(authorization);
    const id = form.get('client_id') ?? basic.id;
    const secret = form.get('client_secret') ?? basic.secret;
    if (id !== config.clientId) return failure('invalid_client_id', 'client identifier invalid');
    if (secret !== config.clientSecret) return failure('invalid_client', 'invalid client credentials');
  } else if (grantType === JWT_BEARER) {
    const rejected = checkAssertion(form.get('assertion') ?? '', config);
    if (rejected) return rejected;
  } else {
    return failure('unsupported_grant_type', 'grant type not supported');
  }

  const accessToken = `${ORG_ID}!${randomBytes(48).toString('base64url')}`;
  const id = `${config.url}/id/${ORG_ID}/${USER_ID}`;
  const issuedAt = String(Date.now());
  // Salesforce signs id + issued_at with the client secret so clients can check the response.
  const signature = createHmac('sha256', config.clientSecret)
    .update(id + issuedAt)
    .digest('base64');
  return {
    ok: true,
    accessToken,
    body: {
      access_token: accessToken,
      instance_url: config.url,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature,
      scope: 'api',
    },
  };
}
