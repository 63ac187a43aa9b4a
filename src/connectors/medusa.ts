import {
  classifyHttpStatus,
  PermanentError,
  RetryableError,
  unexpectedResponse,
  type ConnectorError,
} from './errors';
import { isRecord, parseJson, retryAfterOf, Transport, type RawResponse } from './transport';

export interface MedusaSettings {
  /** The store's base URL; the Admin API is under /admin. */
  url: string;
  /** A secret API key (`sk_…`), sent as Basic authentication. */
  secretApiKey: string;
  timeoutMs: number;
}

export interface MedusaPrice {
  currency_code: string;
  amount: number;
}

export interface MedusaVariantBody {
  title: string;
  sku: string;
  options: Record<string, string>;
  prices: MedusaPrice[];
  manage_inventory?: boolean;
}

/** A POST /admin/products body as record-sync writes it. */
export interface MedusaProductBody {
  title: string;
  handle: string;
  external_id: string;
  variants: MedusaVariantBody[];
  options: { title: string; values: string[] }[];
  [field: string]: unknown;
}

/** What the Admin API shows of a product, as far as the upsert needs it. */
export interface MedusaProduct {
  id: string;
  handle: string;
  external_id: string | null;
  variants: { id: string; sku: string | null; prices: { id: string; currency_code: string }[] }[];
}

const VENDOR = 'Medusa';

/**
 * Medusa v2's Admin API for one product at a time, by handle: its list filters are the only
 * lookup (an unknown filter is ignored, so every answer is checked against the handle asked for),
 * a create answers 200, and an update's `variants` is the product's whole variant list (variants
 * matched here by SKU keep their ids, prices by currency keep theirs).
 */
export class MedusaClient {
  private readonly transport: Transport;
  private readonly secrets: string[];
  private readonly authorization: string;

  constructor(private readonly settings: MedusaSettings) {
    this.transport = new Transport(VENDOR, settings.timeoutMs);
    this.secrets = [settings.secretApiKey];
    this.authorization = `Basic ${Buffer.from(`${settings.secretApiKey}:`).toString('base64')}`;
  }

  async findByHandle(handle: string): Promise<MedusaProduct | null> {
    const query = new URLSearchParams({ handle, limit: '2' });
    const body = await this.call('GET', `/admin/products?${query}`);
    if (!isRecord(body) || !Array.isArray(body.products)) {
      throw unexpectedResponse(VENDOR, 200, 'a product list without products');
    }
    const matching = (body.products as unknown[]).filter(
      (p): p is MedusaProduct => isRecord(p) && p.handle === handle && typeof p.id === 'string',
    );
    return matching[0] ?? null;
  }

  /**
   * Creates the product, or brings the one with its handle to this body; never a second product.
   * A create whose answer was lost (or that met another writer's create of the handle) is looked
   * up again: if it is there, it is updated instead of created twice.
   */
  async upsertProduct(body: MedusaProductBody): Promise<{ id: string; created: boolean }> {
    const found = await this.findByHandle(body.handle);
    if (found) return { id: await this.update(found, body), created: false };
    try {
      const created = await this.call('POST', '/admin/products', body);
      return { id: productIdOf(created), created: true };
    } catch (error) {
      if (!mayHaveCommitted(error)) throw error;
      const again = await this.findByHandle(body.handle);
      if (!again) throw error;
      return { id: await this.update(again, body), created: false };
    }
  }

  private async update(found: MedusaProduct, body: MedusaProductBody): Promise<string> {
    if (found.external_id !== body.external_id) {
      throw new PermanentError(
        `${VENDOR} has a product with handle ${body.handle} for ${found.external_id ?? 'no external id'}, ` +
          `not ${body.external_id}: it was not created by record-sync for this product`,
        { field: 'handle', code: 'HANDLE_TAKEN' },
      );
    }
    const update: Record<string, unknown> = {
      ...body,
      variants: body.variants.map((v) => keepIds(v, found)),
    };
    // The handle is how the product is found; it is not rewritten.
    delete update.handle;
    await this.call('POST', `/admin/products/${encodeURIComponent(found.id)}`, update);
    return found.id;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await this.transport.send(
      {
        method,
        url: `${this.settings.url}${path}`,
        headers: {
          Authorization: this.authorization,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      this.secrets,
    );
    if (response.status !== 200) throw this.failure(response);
    return this.transport.jsonBody(response);
  }

  /** Medusa's `{type, message}`; a gateway's 429 is plain text and says nothing but its status. */
  private failure(response: RawResponse): ConnectorError {
    const parsed = parseJson(response.body);
    const error = isRecord(parsed) ? parsed : {};
    const message = typeof error.message === 'string' ? error.message : undefined;
    return classifyHttpStatus(
      VENDOR,
      response.status,
      { code: typeof error.type === 'string' ? error.type : undefined, message, field: fieldOf(message) },
      this.secrets,
      retryAfterOf(response),
    );
  }
}

/** An existing variant (by SKU) keeps its id, and each of its prices (by currency) its id. */
function keepIds(variant: MedusaVariantBody, found: MedusaProduct): Record<string, unknown> {
  const own = found.variants.find((v) => v.sku === variant.sku);
  if (!own) return { ...variant };
  return {
    ...variant,
    id: own.id,
    prices: variant.prices.map((price) => {
      const same = own.prices.find((p) => p.currency_code === price.currency_code);
      return same ? { ...price, id: same.id } : price;
    }),
  };
}

function productIdOf(answer: unknown): string {
  const product = isRecord(answer) && isRecord(answer.product) ? answer.product : undefined;
  if (typeof product?.id !== 'string')
    throw unexpectedResponse(VENDOR, 200, 'a created product without an id');
  return product.id;
}

/**
 * A failure after which the product may exist: no answer at all (the create may have committed),
 * or the handle taken (another writer, or our own create whose answer was lost, came first).
 */
function mayHaveCommitted(error: unknown): boolean {
  if (error instanceof RetryableError) return error.status === undefined || error.status >= 500;
  return error instanceof PermanentError && /with handle: .*already exists/i.test(error.message);
}

/**
 * The field a Medusa message names: `for field 'variants, 0, prices'` (its validation) or
 * `Product with handle: x, already exists.` (a unique index).
 */
function fieldOf(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const validation = /for field '([^']+)'/.exec(message);
  if (validation) return validation[1].split(', ').join('.');
  const unique = /with (\w+): /.exec(message);
  if (unique) return unique[1];
  if (/relationship (\w+?)(_id)?:/.test(message)) return /relationship (\w+?)(_id)?:/.exec(message)![1];
  return undefined;
}
