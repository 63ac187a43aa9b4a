import type { IncomingMessage, ServerResponse } from 'node:http';
import { SANDBOX_CREDENTIALS } from './credentials';
import { delay, isPlainObject, listen, readBody, sendJson } from './http';
import { isAuthenticated, login, UNAUTHORIZED, type MedusaAdminCredentials } from './medusa-auth';
import { errorReply, MedusaError, UNKNOWN_ERROR, type MedusaReply } from './medusa-errors';
import { renderProduct, type RenderedProduct, type SandboxCategory } from './medusa-product';
import { adminProductRoute, routePattern } from './medusa-routes';
import { ProductStore } from './medusa-store';

export type { RenderedProduct as MedusaProduct, SandboxCategory } from './medusa-product';

/**
 * Local stand-in for a Medusa v2 store's Admin API, for the storefront end of the product
 * ingestion pipeline (issue #13): authentication by secret API key or JWT, products with options,
 * variants and prices, and Medusa's error bodies, as strict as Medusa is and harsher where its
 * documentation leaves room. Modelled on Medusa 2.x's source and reference:
 *
 * - https://docs.medusajs.com/api/admin (Authentication; Products: POST /admin/products,
 *   GET /admin/products, GET|POST|DELETE /admin/products/{id}, POST /admin/products/{id}/variants,
 *   POST|DELETE /admin/products/{id}/variants/{variant_id}, POST /admin/products/{id}/variants/batch)
 * - https://docs.medusajs.com/resources/commerce-modules/product/guides/manage-with-admin-api
 *   (a secret API key is the documented choice for server-side scripts)
 * - https://docs.medusajs.com/user-guide/settings/developer/secret-api-keys
 * - https://docs.medusajs.com/resources/lint/rules/prices-in-major-units (amounts are major units)
 * - github.com/medusajs/medusa: packages/medusa/src/api/admin/products/{validators,route,
 *   middlewares,query-config,helpers}.ts, packages/core/framework/src/http/middlewares/
 *   {authenticate-middleware,error-handler}.ts, packages/core/framework/src/zod/zod-helpers.ts,
 *   packages/core/utils/src/dal/mikro-orm/db-error-mapper.ts, packages/modules/product/src/
 *   {services/product-module-service,models/*}.ts, integration-tests/http/__tests__/product.
 *
 * What a connector must cope with: a create answers 200 (not 201); a second product with a taken
 * handle is refused 400 invalid_data "Product with handle: x, already exists." (the database
 * error mapper's words; not duplicate_error), but external_id is not unique, so a retried create
 * without a handle-first lookup makes a second product unless the handle is the same; unknown
 * list filters are ignored (every product comes back); `variants` on a product update is the
 * whole variant list (variants sent without their id are created, SKUs then collide with the
 * ones about to be deleted); updating a variant that is not the product's answers 200 and changes
 * nothing; a malformed JSON body answers 500 unknown_error.
 *
 * Medusa itself does not rate limit: the 429 knob stands for a gateway or CDN in front of it, so
 * it answers text/plain, not a Medusa body.
 */

export interface MedusaFaults {
  latencyMs: number;
  /** The next N requests answer 500 with Medusa's unknown_error body. */
  serverErrors: number;
  /** The next N requests answer 429 from the gateway in front, with Retry-After. */
  rateLimited: number;
  /** Seconds sent as Retry-After with a 429. */
  retryAfterS: number;
  /** The next N committed writes lose their response: the socket is destroyed unanswered. */
  dropAfterCommit: number;
  /** Every connection is reset before an answer (the store is down), until cleared. */
  down: boolean;
  /** The secret API key was revoked: it authenticates nothing (a JWT still does). Until cleared. */
  revokedKey: boolean;
}

export interface MedusaStats {
  /** Requests to the store (everything but /__admin), answered or not. */
  requests: number;
  /** By route pattern, e.g. `POST /admin/products/:id`. */
  byRoute: Record<string, number>;
  /** By status code, plus 'dropped' and 'reset' for requests that never got one. */
  byStatus: Record<string, number>;
  /** Error answers by Medusa error type ('unauthorized' for 401s, 'rate_limited' for 429s). */
  errorsByType: Record<string, number>;
  productsCreated: number;
  productUpdates: number;
  /** Variant creates, updates and deletes through the variant routes. */
  variantWrites: number;
  productsDeleted: number;
}

export interface MedusaSandbox {
  /** The store's base URL: the Admin API is under `${url}/admin`. */
  url: string;
  secretApiKey: string;
  adminEmail: string;
  adminPassword: string;
  close(): Promise<void>;
  /** Every product as GET /admin/products/:id shows it, categories included. */
  products(): RenderedProduct[];
  productByHandle(handle: string): RenderedProduct | undefined;
  setFaults(f: Partial<MedusaFaults>): void;
  readonly stats: MedusaStats;
  resetStats(): void;
  /** Clears products and stats; faults return to the start options. */
  reset(): void;
}

export type MedusaSandboxOptions = {
  port?: number;
  host?: string;
  /** Lifetime of the JWTs /auth/user/emailpass issues. Default one day, as Medusa's. */
  jwtTtlS?: number;
  /** The store's product categories. Default: two demo categories. */
  categories?: SandboxCategory[];
} & Partial<MedusaAdminCredentials> &
  Partial<MedusaFaults>;

const NO_FAULTS: MedusaFaults = {
  latencyMs: 0,
  serverErrors: 0,
  rateLimited: 0,
  retryAfterS: 1,
  dropAfterCommit: 0,
  down: false,
  revokedKey: false,
};

const DEFAULT_CATEGORIES: SandboxCategory[] = [
  { id: 'pcat_01SANDBOXTOOLS000000000000', name: 'Tools', handle: 'tools' },
  { id: 'pcat_01SANDBOXGARDEN00000000000', name: 'Garden', handle: 'garden' },
];

const noStats = (): MedusaStats => ({
  requests: 0,
  byRoute: {},
  byStatus: {},
  errorsByType: {},
  productsCreated: 0,
  productUpdates: 0,
  variantWrites: 0,
  productsDeleted: 0,
});

/** The fault settings in `source`: known keys holding a value of the key's type. */
function pickFaults(source: object): Partial<MedusaFaults> {
  const picked: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(NO_FAULTS)) {
    const value: unknown = (source as Record<string, unknown>)[key];
    if (typeof value === typeof fallback && (typeof value !== 'number' || Number.isFinite(value)))
      picked[key] = value;
  }
  return picked as Partial<MedusaFaults>;
}

/** Express's json parser: JSON bodies only, `{}` for none; a parse failure is an unknown error. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (!/application\/json/i.test(req.headers['content-type'] ?? '') || text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null)
      throw new Error('strict mode: objects and arrays only');
    return parsed;
  } catch {
    throw new MedusaError('unknown_error', 'entity.parse.failed');
  }
}

export async function startMedusaSandbox(opts: MedusaSandboxOptions = {}): Promise<MedusaSandbox> {
  const creds: MedusaAdminCredentials = { ...SANDBOX_CREDENTIALS.medusa };
  for (const key of ['secretApiKey', 'email', 'password', 'jwtSecret'] as const) {
    const value = opts[key];
    if (typeof value === 'string') creds[key] = value;
  }
  if (!creds.secretApiKey.startsWith('sk_')) throw new Error('a Medusa secret API key starts with sk_');
  const jwtTtlS = opts.jwtTtlS ?? 86_400;
  const categories = new Map((opts.categories ?? DEFAULT_CATEGORIES).map((c) => [c.id, c]));
  const store = new ProductStore(categories);
  const initialFaults: MedusaFaults = { ...NO_FAULTS, ...pickFaults(opts) };
  let faults = { ...initialFaults };
  let stats = noStats();

  function count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  function send(res: ServerResponse, reply: MedusaReply, write = false): void {
    if (write && faults.dropAfterCommit > 0) {
      faults.dropAfterCommit -= 1;
      count(stats.byStatus, 'dropped');
      res.socket?.destroy();
      return;
    }
    count(stats.byStatus, String(reply.status));
    if (reply.status >= 400) {
      const body = reply.json as { type?: string } | undefined;
      count(stats.errorsByType, body?.type ?? (reply.status === 401 ? 'unauthorized' : String(reply.status)));
    }
    // Express's res.json: application/json; charset=utf-8.
    sendJson(res, reply.status, reply.json ?? {}, reply.headers, 'application/json; charset=utf-8');
  }

  /** Express's answer for a path no route takes. */
  function cannot(res: ServerResponse, method: string, path: string): void {
    count(stats.byStatus, '404');
    const html = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${method} ${path}</pre>\n</body>\n</html>\n`;
    res.writeHead(404, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
    });
    res.end(html);
  }

  /** Faults that strike before Medusa sees the request, in a fixed precedence. */
  function injected(res: ServerResponse): boolean {
    if (faults.rateLimited > 0) {
      faults.rateLimited -= 1;
      count(stats.byStatus, '429');
      count(stats.errorsByType, 'rate_limited');
      const headers = {
        'Content-Type': 'text/plain; charset=utf-8',
        'Retry-After': String(Math.ceil(faults.retryAfterS)),
      };
      res.writeHead(429, headers);
      res.end('Too Many Requests');
      return true;
    }
    if (faults.serverErrors > 0) {
      faults.serverErrors -= 1;
      send(res, { status: 500, json: UNKNOWN_ERROR });
      return true;
    }
    return false;
  }

  async function api(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    stats.requests += 1;
    const method = req.method ?? 'GET';
    if (faults.down) {
      count(stats.byStatus, 'reset');
      req.socket.destroy();
      return;
    }
    const isLogin = path === '/auth/user/emailpass' && method === 'POST';
    const route = isLogin ? 'POST /auth/user/emailpass' : routePattern(method, path);
    if (route) count(stats.byRoute, route);
    await delay(faults.latencyMs);
    if (injected(res)) return;
    try {
      if (isLogin) return send(res, login(await readJsonBody(req), creds, jwtTtlS));
      if (!path.startsWith('/admin/') && path !== '/admin') return cannot(res, method, path);
      if (!isAuthenticated(req.headers.authorization, creds, faults.revokedKey))
        return send(res, UNAUTHORIZED);
      const body = method === 'POST' ? await readJsonBody(req) : undefined;
      const outcome = adminProductRoute({ method, path, query, body, store, categories });
      if (!outcome) return cannot(res, method, path);
      if (outcome.effect) stats[outcome.effect] += 1;
      send(res, outcome.reply, outcome.write);
    } catch (err) {
      if (!(err instanceof MedusaError)) throw err;
      send(res, errorReply(err));
    }
  }

  async function admin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /__admin/products') {
      const handle = query.get('handle');
      const all = sandbox.products();
      return sendJson(res, 200, handle === null ? all : all.filter((p) => p.handle === handle));
    }
    if (route === 'GET /__admin/stats') return sendJson(res, 200, stats);
    if (route === 'POST /__admin/reset') {
      sandbox.reset();
      return sendJson(res, 200, {});
    }
    if (route === 'POST /__admin/faults') {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)) || '{}');
      } catch {
        body = undefined;
      }
      if (!isPlainObject(body)) return sendJson(res, 400, { error: 'body must be a JSON object' });
      sandbox.setFaults(body as Partial<MedusaFaults>);
      return sendJson(res, 200, faults);
    }
    sendJson(res, 404, { error: `no admin route ${route}` });
  }

  const server = await listen(
    async (req, res) => {
      const { pathname, searchParams } = new URL(req.url ?? '/', 'http://sandbox');
      if (pathname.startsWith('/__admin/')) return admin(req, res, pathname, searchParams);
      return api(req, res, pathname, searchParams);
    },
    opts.port ?? 0,
    opts.host ?? '127.0.0.1',
  );

  const render = (withCategories: boolean) =>
    store.all().map((p) => renderProduct(p, categories, withCategories));
  const sandbox: MedusaSandbox = {
    url: server.url,
    secretApiKey: creds.secretApiKey,
    adminEmail: creds.email,
    adminPassword: creds.password,
    close: () => server.close(),
    products: () => render(true),
    productByHandle: (handle) => render(true).find((p) => p.handle === handle),
    setFaults: (f) => {
      // Only known keys with values of their type: the admin API passes client JSON straight through.
      faults = { ...faults, ...pickFaults(f) };
    },
    get stats() {
      return stats;
    },
    resetStats: () => {
      stats = noStats();
    },
    reset: () => {
      store.clear();
      faults = { ...initialFaults };
      stats = noStats();
    },
  };
  return sandbox;
}
