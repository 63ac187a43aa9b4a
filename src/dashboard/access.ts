import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http-body';

/** Who may read the dashboard and act from it. */
export interface AccessRules {
  /** DASHBOARD_TOKEN: set, every read and action needs it (as a bearer token or the session cookie). */
  token?: string;
  /**
   * Listening on a loopback address: requests must name this machine in their Host header, so that
   * a web page whose host name is re-pointed at 127.0.0.1 (DNS rebinding) reads nothing.
   */
  loopbackOnly: boolean;
}

const SESSION_COOKIE = 'record_sync_dashboard';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

export const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Hashing first gives equal lengths, so the comparison takes the same time whatever is sent. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The cookie holds a value derived from the token, not the token: it is useless anywhere else. */
const sessionValue = (token: string) =>
  createHmac('sha256', token).update('record-sync dashboard session').digest('base64url');

/** Set once the page's person typed the token in: HttpOnly (no script reads it), same-site only. */
export function sessionCookie(rules: AccessRules, given: unknown): string {
  if (!rules.token) throw new HttpError(404, 'this dashboard has no token');
  if (typeof given !== 'string' || !sameSecret(given, rules.token)) {
    throw new HttpError(401, 'wrong token');
  }
  return `${SESSION_COOKIE}=${sessionValue(rules.token)}; Path=/; HttpOnly; SameSite=Strict`;
}

function cookieNamed(request: IncomingMessage, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export function checkHost(request: IncomingMessage, rules: AccessRules): void {
  if (!rules.loopbackOnly) return;
  let hostname: string | undefined;
  try {
    hostname = new URL(`http://${request.headers.host ?? ''}`).hostname;
  } catch {
    hostname = undefined;
  }
  if (!hostname || !LOOPBACK_NAMES.has(hostname)) {
    throw new HttpError(403, 'open the dashboard as localhost or 127.0.0.1');
  }
}

export function checkToken(request: IncomingMessage, rules: AccessRules): void {
  if (!rules.token) return;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = cookieNamed(request, SESSION_COOKIE);
  if (bearer !== undefined && sameSecret(bearer, rules.token)) return;
  if (cookie !== undefined && sameSecret(cookie, sessionValue(rules.token))) return;
  throw new HttpError(401, 'this dashboard needs its token (DASHBOARD_TOKEN)');
}

/**
 * Actions come from the dashboard's own page, never from another site's (cross-site request
 * forgery). Browsers say where a request comes from in Sec-Fetch-Site, which a page cannot
 * change; older ones only in Origin. A request with neither is not a browser's (curl, a script)
 * and is left to the token. A JSON body is required too: a cross-site form cannot send one, and
 * a cross-site script needs a preflight the dashboard never grants.
 */
export function checkSameOrigin(request: IncomingMessage): void {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (site !== undefined) {
    if (site !== 'same-origin') throw new HttpError(403, 'cross-site request refused');
  } else if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
    throw new HttpError(403, 'cross-site request refused');
  }
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'send the request as application/json');
  }
}
