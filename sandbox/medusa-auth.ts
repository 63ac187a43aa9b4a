import jwt from 'jsonwebtoken';
import { isPlainObject } from './http';
import type { MedusaReply } from './medusa-errors';

/**
 * The two ways a server-to-server integration authenticates to Medusa v2's Admin API
 * (@medusajs/framework http/middlewares/authenticate-middleware.ts, docs.medusajs.com/api/admin
 * "Authentication"):
 *
 * - A secret API key (`sk_…`, created by an admin user under Settings > Secret API Keys), sent
 *   as `Authorization: Basic base64("sk_…:")`. Medusa also takes the bare key after `Basic `.
 * - A JWT from POST /auth/user/emailpass {email, password} → {token}, sent as
 *   `Authorization: Bearer <token>`; it expires (Medusa's jwtExpiresIn, 1 day by default).
 *
 * Any failure answers 401 with the body `{"message": "Unauthorized"}`, no `type`: the middleware
 * writes it itself instead of going through the error handler.
 */

export interface MedusaAdminCredentials {
  secretApiKey: string;
  email: string;
  password: string;
  /** Signs the sandbox's JWTs (Medusa's projectConfig.http.jwtSecret). */
  jwtSecret: string;
}

export const UNAUTHORIZED: MedusaReply = { status: 401, json: { message: 'Unauthorized' } };

/** The key a Basic header carries, base64-encoded or not, without the password's colon. */
function secretKeyOf(authorization: string): string | undefined {
  const [scheme, token] = authorization.split(' ');
  if (scheme.toLowerCase() !== 'basic' || !token) return undefined;
  let key = token.startsWith('sk_') ? token : Buffer.from(token, 'base64').toString('utf8');
  if (key.endsWith(':')) key = key.slice(0, -1);
  return key.startsWith('sk_') ? key : undefined;
}

function bearerActor(authorization: string, secret: string): boolean {
  const match = /(\S+)\s+(\S+)/.exec(authorization);
  if (!match || match[1].toLowerCase() !== 'bearer') return false;
  try {
    const claims = jwt.verify(match[2], secret, { algorithms: ['HS256'] });
    return isPlainObject(claims) && claims.actor_type === 'user' && Boolean(claims.actor_id);
  } catch {
    return false;
  }
}

/** Whether an Admin API request is authenticated; a revoked key authenticates nothing. */
export function isAuthenticated(
  authorization: string | undefined,
  creds: MedusaAdminCredentials,
  keyRevoked: boolean,
): boolean {
  if (!authorization) return false;
  const key = secretKeyOf(authorization);
  if (key !== undefined && key === creds.secretApiKey && !keyRevoked) return true;
  return bearerActor(authorization, creds.jwtSecret);
}

/** POST /auth/user/emailpass, with the emailpass provider's refusals (401, type unauthorized). */
export function login(body: unknown, creds: MedusaAdminCredentials, ttlS: number): MedusaReply {
  const fields = isPlainObject(body) ? body : {};
  const refuse = (message: string): MedusaReply => ({ status: 401, json: { type: 'unauthorized', message } });
  if (typeof fields.password !== 'string') return refuse('Password should be a string');
  if (typeof fields.email !== 'string') return refuse('Email should be a string');
  if (fields.email !== creds.email || fields.password !== creds.password)
    return refuse('Invalid email or password');
  const token = jwt.sign(
    {
      actor_id: 'user_01SANDBOXADMIN0000000000',
      actor_type: 'user',
      auth_identity_id: 'authid_01SANDBOXADMIN000000000',
      app_metadata: { user_id: 'user_01SANDBOXADMIN0000000000' },
    },
    creds.jwtSecret,
    { algorithm: 'HS256', expiresIn: ttlS },
  );
  return { status: 200, json: { token } };
}
