import { Batches, type ItemOutcome } from './batches';
import {
  classifyHttpStatus,
  PipelineError,
  unexpectedResponse,
  type ConnectorError,
  type PermanentError,
  type RetryableError,
} from './errors';
import {
  lookupRequest,
  mutationRequest,
  planUpsert,
  refusal,
  type Mutation,
  type PimHeld,
  type PimUpsert,
  type PimUpsertOutcome,
  type Plan,
} from './pimcore-batch';
import { isRecord, retryAfterOf, Transport } from './transport';

export type { PimHeld, PimInput, PimUpsert, PimUpsertOutcome } from './pimcore-batch';

export interface PimcoreSettings {
  /** The Datahub endpoint: https://pim.example.com/pimcore-graphql-webservices/<configuration>. */
  graphqlUrl: string;
  apiKey: string;
  /** Where products are kept, e.g. /Products; their variants are their children. */
  productsFolder: string;
  timeoutMs: number;
  /** Mutations per request (seed 002: 25). */
  maxMutations?: number;
  /** How long an upsert waits for others to share its request. */
  batchWaitMs?: number;
  maxInFlight?: number;
  /** Requests larger than this are split; nginx's default limit is 1 MiB. */
  maxBodyBytes?: number;
}

const VENDOR = 'Pimcore';

interface GraphQlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[] }[];
}

/**
 * Pimcore's Datahub GraphQL for products: concurrent upserts (each record's load calls one)
 * coalesce into batches of at most `maxMutations` objects, one listing and one mutation request a
 * batch, each upsert answered with its own outcome. A product is never overwritten by an older
 * source version (`isNewer`), and it is created unpublished: a person publishes it in Pimcore.
 */
export class PimcoreClient {
  private readonly transport: Transport;
  private readonly maxMutations: number;
  private readonly maxBodyBytes: number;
  private readonly batches: Batches<PimUpsert, PimUpsertOutcome>;

  constructor(private readonly settings: PimcoreSettings) {
    this.transport = new Transport(VENDOR, settings.timeoutMs);
    this.maxMutations = settings.maxMutations ?? 25;
    this.maxBodyBytes = settings.maxBodyBytes ?? 512 * 1024;
    this.batches = new Batches({
      waitMs: settings.batchWaitMs ?? 5,
      maxInFlight: settings.maxInFlight ?? 4,
      pick: (waiting) => this.pick(waiting),
      run: (batch) => this.run(batch),
    });
  }

  /** Creates or updates the product and its variants by SKU; throws this product's own failure. */
  upsertProduct(upsert: PimUpsert): Promise<PimUpsertOutcome> {
    return this.batches.submit(upsert);
  }

  /** The objects holding these SKUs, unpublished ones included. */
  async lookup(skus: string[]): Promise<PimHeld[]> {
    if (skus.length === 0) return [];
    const answer = await this.post(lookupRequest(skus));
    const listing = answer.data?.getProductListing;
    if (answer.errors?.length || !isRecord(listing) || !Array.isArray(listing.edges)) {
      throw documentRefused(answer, 'the product listing');
    }
    return (listing.edges as { node: Record<string, unknown> }[]).map(({ node }) => ({
      id: Number(node.id),
      sku: String(node.sku),
      published: node.published === true,
      sourceVersion: typeof node.sourceVersion === 'string' && node.sourceVersion ? node.sourceVersion : null,
      syncWorkflowId:
        typeof node.syncWorkflowId === 'string' && node.syncWorkflowId ? node.syncWorkflowId : null,
      fullpath: String(node.fullpath),
    }));
  }

  /** The oldest waiting upserts that fit one request: a product's objects together, one write per SKU. */
  private pick(waiting: readonly PimUpsert[]): number[] {
    const picked: number[] = [];
    const skus = new Set<string>();
    let objects = 0;
    let bytes = 0;
    waiting.forEach((upsert, index) => {
      const count = 1 + upsert.variants.length;
      const size = Buffer.byteLength(JSON.stringify(upsert));
      const fits = objects + count <= this.maxMutations && bytes + size <= this.maxBodyBytes;
      // One larger than a request goes alone, in as many requests as it needs (see writeAll).
      if ((picked.length > 0 && !fits) || skus.has(upsert.sku)) return;
      picked.push(index);
      skus.add(upsert.sku);
      objects += count;
      bytes += size;
    });
    return picked;
  }

  private async run(batch: PimUpsert[]): Promise<ItemOutcome<PimUpsertOutcome>[]> {
    const skus = batch.flatMap((upsert) => [upsert.sku, ...upsert.variants.map((v) => v.sku)]);
    const held = new Map((await this.lookup([...new Set(skus)])).map((object) => [object.sku, object]));
    const plans: Plan[] = batch.map((upsert, owner) =>
      planUpsert(owner, upsert, held, this.settings.productsFolder),
    );
    const mutations = plans.flatMap((plan) => ('mutations' in plan ? plan.mutations : []));
    const results = await this.writeAll(mutations);
    return plans.map((plan): ItemOutcome<PimUpsertOutcome> => {
      if ('error' in plan) return { ok: false, error: plan.error };
      if ('newer' in plan) return { ok: true, value: { status: 'newer', held: plan.newer } };
      const failed = plan.mutations.map((m) => results.get(m)!).find((result) => !result.ok);
      if (failed && !failed.ok) return { ok: false, error: failed.error };
      const first = results.get(plan.mutations[0]);
      const id = plan.held?.id ?? (first?.ok ? first.value : NaN);
      return {
        ok: true,
        value: {
          status: 'written',
          id,
          created: !plan.held,
          wasPublished: plan.held?.published ?? false,
          previousWorkflowId: plan.held?.syncWorkflowId ?? null,
        },
      };
    });
  }

  /** Sends the mutations, at most maxMutations a request, in order (a product before its variants). */
  private async writeAll(mutations: Mutation[]): Promise<Map<Mutation, ItemOutcome<number>>> {
    const results = new Map<Mutation, ItemOutcome<number>>();
    for (let at = 0; at < mutations.length; at += this.maxMutations) {
      const chunk = mutations.slice(at, at + this.maxMutations);
      const answer = await this.post(mutationRequest(chunk));
      if (!isRecord(answer.data)) throw documentRefused(answer, 'the upsert');
      chunk.forEach((mutation, i) => {
        const result = answer.data![`m${i}`];
        const error = answer.errors?.find((e) => e.path?.[0] === `m${i}`);
        if (isRecord(result) && result.success === true) {
          const output = isRecord(result.output) ? Number(result.output.id) : NaN;
          results.set(mutation, { ok: true, value: output });
        } else {
          const message = isRecord(result) ? String(result.message) : (error?.message ?? 'no result');
          results.set(mutation, { ok: false, error: refusal(mutation, message) });
        }
      });
    }
    return results;
  }

  private async post(body: { query: string; variables: Record<string, unknown> }): Promise<GraphQlAnswer> {
    const secrets = [this.settings.apiKey];
    const response = await this.transport.send(
      {
        method: 'POST',
        url: this.settings.graphqlUrl,
        headers: { 'Content-Type': 'application/json', 'X-API-Key': this.settings.apiKey },
        body: JSON.stringify(body),
      },
      secrets,
    );
    if (response.status !== 200) throw httpFailure(response.status, retryAfterOf(response), secrets);
    const parsed = this.transport.jsonBody(response);
    if (!isRecord(parsed)) throw unexpectedResponse(VENDOR, response.status, 'not a GraphQL answer');
    return parsed as GraphQlAnswer;
  }
}

/**
 * Pimcore answers its own errors with HTML pages: only the status tells. A 404 is the endpoint
 * (PIMCORE_GRAPHQL_ENDPOINT) missing, not a product: every record would fail alike.
 */
function httpFailure(
  status: number,
  retryAfterMs: number | undefined,
  secrets: string[],
): RetryableError | PermanentError | PipelineError {
  if (status === 404) {
    return new PipelineError(
      `${VENDOR} HTTP 404: no such Datahub endpoint; check PIMCORE_URL and PIMCORE_GRAPHQL_ENDPOINT`,
      { status },
    );
  }
  const hint = status === 403 ? 'the API key was refused (PIMCORE_API_KEY)' : 'see the PIM or its proxy';
  return classifyHttpStatus(VENDOR, status, { message: hint }, secrets, retryAfterMs);
}

/**
 * GraphQL errors for the whole document (nothing ran): the endpoint's schema is not what
 * record-sync writes (a field missing from the Product class, create or update not allowed), so
 * every batch would fail alike.
 */
function documentRefused(answer: GraphQlAnswer, what: string): ConnectorError {
  const message = answer.errors?.map((e) => e.message).join('; ') ?? 'no data';
  if (/internal server error/i.test(message)) {
    return unexpectedResponse(VENDOR, 200, `${what} failed: ${message}`);
  }
  return new PipelineError(
    `${VENDOR} refused ${what}: ${message}; check the Datahub endpoint's schema (the Product class's fields, create and update allowed)`,
    { code: 'GRAPHQL_ERROR' },
  );
}
