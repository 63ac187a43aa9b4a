import type { IncomingMessage, ServerResponse } from 'node:http';
import { SANDBOX_CREDENTIALS } from './credentials';
import { delay, isPlainObject, readJson, sendJson } from './http';
import { executeRequest } from './pimcore-execute';
import { nginxErrorPage, readLimited, sendHtml, startListener, symfonyErrorPage } from './pimcore-http';
import { DEFAULT_CURRENCIES } from './pimcore-product';
import { ProductStore, type SandboxProduct, type SaveEvent } from './pimcore-store';
import { webhookPayload, WebhookSender, type WebhookDelivery } from './pimcore-webhooks';

export type { SandboxProduct } from './pimcore-store';
export type { WebhookDelivery } from './pimcore-webhooks';

/**
 * Local stand-in for Pimcore as the PIM of the product ingestion pipeline (issue #13): the Pimcore
 * Datahub GraphQL endpoint a connector upserts Product objects through, and the signed webhook
 * Pimcore sends when a product is published. Modelled on pimcore/data-hub's source and docs:
 *
 * - doc/10_GraphQL/README.md: POST /pimcore-graphql-webservices/{configurationname}?apikey=...
 * - src/Service/CheckConsumerPermissionsService.php: the key is read from the `apikey` header, then
 *   `X-API-Key`, then the `apikey` query parameter; a wrong or missing key is
 *   AccessDeniedHttpException: 403 with Symfony's HTML error page, not JSON. An unknown endpoint
 *   name is a 404 page (NotFoundHttpException).
 * - src/Controller/WebserviceController.php: the query is read from the JSON body only; a body
 *   that is not JSON is an empty document ("Syntax Error: Unexpected <EOF>."). Every GraphQL
 *   answer is HTTP 200, errors included.
 * - src/GraphQL/Mutation/MutationType.php and doc/10_GraphQL/07_Mutation/20_DataObject_Mutations.md:
 *   createProduct(key!, parentId | path, published (default TRUE), type: "object"|"variant",
 *   omitMandatoryCheck, input) and updateProduct(id | fullpath, parentId, input) answer
 *   {success, message, output}; one product's failure is its own, other mutations of the request
 *   still run. There is no upsert, no conditional update and no way to publish through update.
 * - src/GraphQL/Resolver/QueryType.php and doc/10_GraphQL/04_Query/10_Filtering.md:
 *   getProduct(id | fullpath), getProductListing(filter, published, first, after, sortBy, ...);
 *   unpublished products only with `published: false` (see pimcore-listing.ts).
 * - Field collections (doc/.../15_Fieldcollection_Mutations.md): `replace` defaults to false.
 * - Pimcore core's data types for the validation messages, and mandatory fields checked only when
 *   an object is published (pimcore-product.ts).
 *
 * Where Pimcore documents no limit the sandbox sets one and says so: at most
 * `maxMutationsPerRequest` (default 100) top-level fields per request, refused as a GraphQL
 * validation error; bodies over `maxBodyBytes` (default 1 MiB, nginx's client_max_body_size
 * default) answer nginx's 413 page. Pimcore itself neither rate limits nor signs webhooks: the 429
 * knob stands for nginx's limit_req in front of it, and the webhook signature is Symfony's Webhook
 * component's (pimcore-webhooks.ts).
 *
 * Products are created as the connector asks (it should ask for published: false); a person
 * publishes them in Pimcore: `publish(...)`, POST /__admin/publish, or `autoPublishAfterMs` after
 * a create. Publishing checks the mandatory fields and, once published, every save of the product
 * is a signed webhook to `webhookUrl`.
 */

export interface PimcoreFaults {
  latencyMs: number;
  /** The next N requests answer 500 with Symfony's error page. */
  serverErrors: number;
  /** The next N requests answer nginx's 429 with Retry-After. */
  rateLimited: number;
  /** Seconds sent as Retry-After with a 429. */
  retryAfterS: number;
  /** The next N requests that save anything commit, then lose their response (socket destroyed). */
  dropAfterCommit: number;
  /**
   * 'refuse': nothing listens (ECONNREFUSED), the admin API included, so over the admin API it
   * needs `downForMs`; '503': nginx's 503 page for the GraphQL endpoint. false: up.
   */
  down: false | 'refuse' | '503';
  /** Deliver every webhook twice, with the same Webhook-Id. */
  webhookDuplicates: boolean;
  /** The next N webhooks are lost: never sent. */
  webhookLost: number;
}

export interface PimcoreStats {
  /** Requests to the GraphQL endpoint. */
  requests: number;
  /** Objects saved through GraphQL (successful creates and updates). */
  writes: number;
  /** Responses by status, plus 'dropped' for those destroyed after a commit and 'refused' for connections. */
  byStatus: Record<string, number>;
  /** Requests refused with 403 for their API key. */
  rejectedApiKeys: number;
  /** Products published, and publications refused (mandatory fields empty). */
  published: number;
  publishRefused: number;
}

export interface PublishResult {
  published: { id: number; sku: string | null }[];
  refused: { target: string | number; message: string }[];
}

export interface PimcoreSettings {
  /** The webhook subscriber's URL (record-sync's endpoint); none, no webhooks. */
  webhookUrl?: string;
  /** Publish every created product this long after its create (a person reviewing quickly); 0 = never. */
  autoPublishAfterMs?: number;
}

export type PimcoreSandboxOptions = {
  port?: number;
  host?: string;
  apiKey?: string;
  /** The Datahub configuration's name: the endpoint is /pimcore-graphql-webservices/{endpoint}. */
  endpoint?: string;
  webhookSecret?: string;
  /** Waits before each webhook retry. Default [1000, 2000, 4000] (Symfony Messenger's default). */
  webhookRetryDelaysMs?: number[];
  /** Webhook request timeout. Default 10,000 ms. */
  webhookTimeoutMs?: number;
  maxBodyBytes?: number;
  maxMutationsPerRequest?: number;
  /** The Currency select's options. Default DEFAULT_CURRENCIES. */
  currencies?: string[];
  /** The Categories multiselect's options; default: any category. */
  categories?: string[];
  /** Folders that exist from the start. Default ['/Products']. */
  folders?: string[];
} & PimcoreSettings &
  Partial<PimcoreFaults>;

export interface PimcoreSandbox {
  url: string;
  /** The Datahub endpoint, without the API key. */
  graphqlUrl: string;
  close(): Promise<void>;
  /** Products and variants, inherited values resolved, in id order. */
  products(): SandboxProduct[];
  productBySku(sku: string): SandboxProduct | undefined;
  /** Save & Publish in Pimcore's UI, by SKU or object id; each publication sends its webhook. */
  publish(targets: string | number | (string | number)[]): PublishResult;
  setFaults(f: Partial<PimcoreFaults> & { downForMs?: number }): void;
  configure(settings: PimcoreSettings): void;
  /** Resolves once a pending stop or restart of the listener (down: 'refuse') is done. */
  ready(): Promise<void>;
  webhooks(): WebhookDelivery[];
  /** Resolves once every queued webhook was delivered or given up. */
  webhooksSettled(): Promise<void>;
  readonly stats: PimcoreStats;
  resetStats(): void;
  /** Empty tree, start-up faults and settings, no webhooks under way, zero stats. */
  reset(): void;
}

const NO_FAULTS: PimcoreFaults = {
  latencyMs: 0,
  serverErrors: 0,
  rateLimited: 0,
  retryAfterS: 1,
  dropAfterCommit: 0,
  down: false,
  webhookDuplicates: false,
  webhookLost: 0,
};
const FAULT_KEYS = Object.keys(NO_FAULTS) as (keyof PimcoreFaults)[];
const GRAPHQL_PATH = /^\/pimcore-graphql-webservices\/([^/]+)\/?$/;

export async function startPimcoreSandbox(opts: PimcoreSandboxOptions = {}): Promise<PimcoreSandbox> {
  const apiKey = opts.apiKey ?? SANDBOX_CREDENTIALS.pimcore.apiKey;
  const endpoint = opts.endpoint ?? 'recordsync';
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const maxRootFields = opts.maxMutationsPerRequest ?? 100;
  const initialFaults: PimcoreFaults = { ...NO_FAULTS, ...pickFaults(opts) };
  const initialSettings: PimcoreSettings = {
    webhookUrl: opts.webhookUrl,
    autoPublishAfterMs: opts.autoPublishAfterMs,
  };
  const store = new ProductStore(
    { currencies: opts.currencies ?? DEFAULT_CURRENCIES, categories: opts.categories },
    opts.folders ?? ['/Products'],
  );
  let faults = { ...initialFaults };
  let settings = { ...initialSettings };
  const noStats = (): PimcoreStats => ({
    requests: 0,
    writes: 0,
    byStatus: {},
    rejectedApiKeys: 0,
    published: 0,
    publishRefused: 0,
  });
  let stats = noStats();
  let transition = Promise.resolve();
  let downTimer: NodeJS.Timeout | undefined;
  const publishTimers = new Map<number, NodeJS.Timeout>();
  const sender = new WebhookSender(
    () => ({
      url: settings.webhookUrl,
      secret: opts.webhookSecret ?? SANDBOX_CREDENTIALS.pimcore.webhookSecret,
      retryDelaysMs: opts.webhookRetryDelaysMs ?? [1000, 2000, 4000],
      timeoutMs: opts.webhookTimeoutMs ?? 10_000,
    }),
    () => faults,
    () => {
      faults.webhookLost -= 1;
    },
  );

  const count = (outcome: string | number) => {
    stats.byStatus[outcome] = (stats.byStatus[outcome] ?? 0) + 1;
  };

  function notify(event: SaveEvent): void {
    const object = store.get(event.objectId);
    if (!object) return;
    const body = JSON.stringify(webhookPayload(store, object, event, Date.now()));
    sender.enqueue(event, store.effective(object).sku, body);
  }

  function schedulePublish(id: number): void {
    const after = settings.autoPublishAfterMs ?? 0;
    if (after <= 0) return;
    const timer = setTimeout(() => {
      publishTimers.delete(id);
      const object = store.get(id);
      if (object && !object.published) publishOne(id, id);
    }, after);
    timer.unref();
    publishTimers.set(id, timer);
  }

  function publishOne(target: string | number, id: number | undefined, result?: PublishResult): void {
    const outcome = id === undefined ? undefined : store.publish(id);
    if (!outcome?.success || id === undefined) {
      stats.publishRefused += 1;
      result?.refused.push({
        target,
        message: outcome?.message ?? `no product with SKU '${String(target)}'`,
      });
      return;
    }
    stats.published += 1;
    clearTimeout(publishTimers.get(id));
    publishTimers.delete(id);
    result?.published.push({ id, sku: store.get(id)?.data.sku ?? null });
    if (outcome.event) notify(outcome.event);
  }

  function fail(
    res: ServerResponse,
    status: number,
    html: string,
    headers: Record<string, string> = {},
  ): void {
    count(status);
    sendHtml(res, status, html, headers);
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, name: string, query: URLSearchParams) {
    stats.requests += 1;
    if (faults.down === '503') return fail(res, 503, nginxErrorPage(503, 'Service Temporarily Unavailable'));
    const text = await readLimited(req, maxBodyBytes);
    // nginx answers and closes: the rest of an oversized body is never read.
    if (text === undefined)
      return fail(res, 413, nginxErrorPage(413, 'Request Entity Too Large'), { Connection: 'close' });
    await delay(faults.latencyMs);
    if (faults.rateLimited > 0) {
      faults.rateLimited -= 1;
      const retryAfter = String(Math.max(0, Math.ceil(faults.retryAfterS)));
      return fail(res, 429, nginxErrorPage(429, 'Too Many Requests'), { 'Retry-After': retryAfter });
    }
    if (faults.serverErrors > 0) {
      faults.serverErrors -= 1;
      return fail(res, 500, symfonyErrorPage(500, 'Internal Server Error'));
    }
    if (name !== endpoint) return fail(res, 404, symfonyErrorPage(404, 'Not Found'));
    const header = (h: string) => {
      const v = req.headers[h];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const presented = header('apikey') ?? header('x-api-key') ?? query.get('apikey') ?? '';
    if (presented !== apiKey) {
      stats.rejectedApiKeys += 1;
      // Real Pimcore says only "Permission denied, apikey not valid" (in its logs); the header helps a connector author.
      const why = presented === '' ? 'no api key' : 'wrong api key';
      return fail(res, 403, symfonyErrorPage(403, 'Forbidden'), { 'X-Sandbox-Auth-Failure': why });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const execution = executeRequest(body, { store, maxRootFields });
    stats.writes += execution.writes;
    for (const event of execution.events) notify(event);
    for (const id of execution.created) if (!store.get(id)?.published) schedulePublish(id);
    if (execution.writes > 0 && faults.dropAfterCommit > 0) {
      faults.dropAfterCommit -= 1;
      count('dropped');
      res.socket?.destroy();
      return;
    }
    count(200);
    sendJson(res, 200, execution.response, {}, 'application/json');
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /__admin/products') return sendJson(res, 200, sandbox.products());
    const bySku = /^GET \/__admin\/products\/(.+)$/.exec(route);
    if (bySku) {
      const product = sandbox.productBySku(decodeURIComponent(bySku[1]));
      return product
        ? sendJson(res, 200, product)
        : sendJson(res, 404, { error: 'no product with that SKU' });
    }
    if (route === 'GET /__admin/stats') return sendJson(res, 200, stats);
    if (route === 'GET /__admin/webhooks') return sendJson(res, 200, sender.deliveries());
    const body = req.method === 'POST' ? await readJson(req, {}) : undefined;
    if (req.method === 'POST' && !isPlainObject(body))
      return sendJson(res, 400, { error: 'body must be a JSON object' });
    const fields = (body ?? {}) as Record<string, unknown>;
    if (route === 'POST /__admin/reset') {
      sandbox.reset();
      return sendJson(res, 200, {});
    }
    if (route === 'POST /__admin/publish') {
      const targets = [
        ...(Array.isArray(fields.skus) ? fields.skus : []),
        ...(Array.isArray(fields.ids) ? fields.ids : []),
      ].filter((t): t is string | number => typeof t === 'string' || typeof t === 'number');
      if (targets.length === 0)
        return sendJson(res, 400, { error: 'body must be {"skus": [...]} or {"ids": [...]}' });
      return sendJson(res, 200, sandbox.publish(targets));
    }
    if (route === 'POST /__admin/faults') {
      if (fields.down === 'refuse' && typeof fields.downForMs !== 'number')
        return sendJson(res, 400, { error: 'down: "refuse" stops the admin API too: give downForMs' });
      sandbox.setFaults(fields as Partial<PimcoreFaults> & { downForMs?: number });
      return sendJson(res, 200, faults);
    }
    if (route === 'POST /__admin/configure') {
      sandbox.configure(fields as PimcoreSettings);
      return sendJson(res, 200, settings);
    }
    sendJson(res, 404, { error: `no admin route ${route}` });
  }

  const listener = await startListener(
    async (req, res) => {
      const { pathname, searchParams } = new URL(req.url ?? '/', 'http://sandbox');
      const match = GRAPHQL_PATH.exec(pathname);
      if (match) return graphql(req, res, decodeURIComponent(match[1]), searchParams);
      if (pathname.startsWith('/__admin/')) return admin(req, res, pathname);
      sendHtml(res, 404, symfonyErrorPage(404, 'Not Found'));
    },
    opts.port ?? 0,
    opts.host ?? '127.0.0.1',
  );

  /** Listens or not, as `down` says; the steps run one after another. */
  function applyDown(): void {
    const refuse = faults.down === 'refuse';
    transition = transition.then(() => (refuse ? listener.pause() : listener.resume()));
  }

  const sandbox: PimcoreSandbox = {
    url: listener.url,
    graphqlUrl: `${listener.url}/pimcore-graphql-webservices/${endpoint}`,
    close: async () => {
      sender.reset(true);
      for (const timer of publishTimers.values()) clearTimeout(timer);
      clearTimeout(downTimer);
      await transition;
      await listener.close();
    },
    products: () => store.products().map((o) => store.view(o)),
    productBySku: (sku) => {
      const object = store.bySku(sku);
      return object ? store.view(object) : undefined;
    },
    publish: (targets) => {
      const result: PublishResult = { published: [], refused: [] };
      for (const target of Array.isArray(targets) ? targets : [targets]) {
        const id = typeof target === 'number' ? target : store.bySku(target)?.id;
        publishOne(target, id, result);
      }
      return result;
    },
    setFaults: (f) => {
      const wasDown = faults.down;
      // Only known keys with values of their type: the admin API passes client JSON straight through.
      faults = { ...faults, ...pickFaults(f) };
      if ((wasDown === 'refuse') !== (faults.down === 'refuse')) applyDown();
      clearTimeout(downTimer);
      if (faults.down !== false && typeof f.downForMs === 'number' && f.downForMs > 0) {
        downTimer = setTimeout(() => sandbox.setFaults({ down: false }), f.downForMs);
        downTimer.unref();
      }
    },
    configure: (s) => {
      // A webhookUrl given as null or '' removes the subscriber.
      if ('webhookUrl' in s)
        settings.webhookUrl = typeof s.webhookUrl === 'string' && s.webhookUrl ? s.webhookUrl : undefined;
      if (typeof s.autoPublishAfterMs === 'number') settings.autoPublishAfterMs = s.autoPublishAfterMs;
    },
    ready: () => transition,
    webhooks: () => sender.deliveries(),
    webhooksSettled: () => sender.settled(),
    get stats() {
      return stats;
    },
    resetStats: () => {
      stats = noStats();
    },
    reset: () => {
      store.clear();
      sender.reset();
      for (const timer of publishTimers.values()) clearTimeout(timer);
      publishTimers.clear();
      sandbox.setFaults({ ...initialFaults });
      settings = { ...initialSettings };
      stats = noStats();
    },
  };
  return sandbox;
}

/** The fault settings in `source`: known keys holding a value of the key's type. */
function pickFaults(source: object): Partial<PimcoreFaults> {
  const picked: Record<string, unknown> = {};
  for (const key of FAULT_KEYS) {
    const value: unknown = (source as Record<string, unknown>)[key];
    const ok =
      key === 'down'
        ? value === false || value === 'refuse' || value === '503'
        : typeof value === typeof NO_FAULTS[key] && (typeof value !== 'number' || Number.isFinite(value));
    if (ok) picked[key] = value;
  }
  return picked as Partial<PimcoreFaults>;
}
