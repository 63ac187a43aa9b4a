import { createHmac, randomUUID } from 'node:crypto';
import { PRODUCT_FIELDS, FIELD_NAMES } from './pimcore-product';
import type { PimObject, ProductStore, SaveEvent } from './pimcore-store';

/**
 * The webhooks Pimcore sends when a product is published, as Pimcore Datahub Webhooks (Pimcore's
 * enterprise bundle) would send them to one subscriber, for a configuration subscribed to
 * pimcore.dataobject.postAdd and postUpdate of class Product, "include unpublished" off: every save
 * of a published product is delivered (publishing it, and every later update while published).
 *
 * Body (https://pimcore.com/docs/platform/Datahub_Webhooks/Example_Requests):
 *   {"general": {"eventName": "pimcore.dataobject.postUpdate", "timestamp": 1690975273,
 *                "subjectType": "object", "versionOnly": false},
 *    "subject": {"id": 260, "path": "/Products/ACME-1", "parentId": 2, "published": true,
 *                "type": "Product", "SKU (sku)": "ACME-1", "Name (name)": "...", ...}}
 * Fields are keyed "Title (name)" as in Pimcore's sample; parentId is the sandbox's addition, so a
 * receiver can tell a variant's product.
 *
 * Pimcore documents no signature for these requests. The sandbox signs them as Symfony's Webhook
 * component (which Pimcore, a Symfony application, ships) does (symfony/webhook
 * Server/HeadersConfigurator, Server/HeaderSignatureConfigurator, Client/RequestParser):
 *   Webhook-Event: <eventName>
 *   Webhook-Id: <uuid, the same on every retry and duplicate of one message>
 *   Webhook-Signature: sha256=<hex HMAC-SHA256 over eventName + id + raw body, with the shared secret>
 * The body's general.timestamp (signed with it) lets a receiver refuse stale replays; Webhook-Id
 * lets it drop duplicates.
 *
 * Delivery is asynchronous (a Symfony Messenger worker): a non-2xx answer, a timeout or a network
 * error is retried with Messenger's default retry strategy (3 retries after 1 s, 2 s and 4 s:
 * max_retries 3, delay 1000, multiplier 2), then the message goes to the failure transport and the
 * subscriber never hears of it. Knobs: `duplicates` delivers every message twice (a redelivery after
 * a lost acknowledgement), `lost` drops the next N messages without a single attempt.
 */

export interface WebhookSettings {
  /** The subscriber's URL; no URL, no subscriber: nothing is sent. */
  url?: string;
  secret: string;
  /** Waits before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
  timeoutMs: number;
}

export interface WebhookKnobs {
  /** Deliver every message twice, with the same Webhook-Id. */
  webhookDuplicates: boolean;
  /** The next N messages are lost: never sent. */
  webhookLost: number;
}

export interface WebhookDelivery {
  webhookId: string;
  eventName: string;
  objectId: number;
  sku: string | null;
  status: 'pending' | 'delivered' | 'failed' | 'lost';
  /** Each attempt's HTTP status, or the network error's message. */
  attempts: (number | string)[];
  /** Times a 2xx came back (2 when duplicated). */
  deliveries: number;
}

export function webhookPayload(store: ProductStore, object: PimObject, event: SaveEvent, now: number) {
  const values = store.effective(object);
  const subject: Record<string, unknown> = {
    id: object.id,
    path: store.fullpath(object),
    parentId: object.parentId,
    published: object.published,
    type: 'Product',
  };
  for (const name of FIELD_NAMES) subject[`${PRODUCT_FIELDS[name].title} (${name})`] = values[name];
  return {
    general: {
      eventName: event.eventName,
      timestamp: Math.floor(now / 1000),
      subjectType: 'object',
      versionOnly: false,
    },
    subject,
  };
}

export function webhookSignature(secret: string, eventName: string, id: string, body: string): string {
  return `sha256=${createHmac('sha256', secret)
    .update(eventName + id + body)
    .digest('hex')}`;
}

export class WebhookSender {
  private log: WebhookDelivery[] = [];
  private inFlight = new Set<Promise<void>>();
  /** Waits under way, each with what ends it early when the sender is reset or closed. */
  private waits = new Map<NodeJS.Timeout, () => void>();
  /** Aborts the requests under way when the sender is reset or closed. */
  private aborter = new AbortController();
  private stopped = false;

  constructor(
    private readonly settings: () => WebhookSettings,
    private readonly knobs: () => WebhookKnobs,
    private readonly spendLost: () => void,
  ) {}

  /** Queues a message for an event; returns its delivery record, or undefined without a subscriber. */
  enqueue(event: SaveEvent, sku: string | null, body: string): WebhookDelivery | undefined {
    const { url } = this.settings();
    if (!url || this.stopped) return undefined;
    const delivery: WebhookDelivery = {
      webhookId: randomUUID(),
      eventName: event.eventName,
      objectId: event.objectId,
      sku,
      status: 'pending',
      attempts: [],
      deliveries: 0,
    };
    this.log.push(delivery);
    if (this.knobs().webhookLost > 0) {
      this.spendLost();
      delivery.status = 'lost';
      return delivery;
    }
    const copies = this.knobs().webhookDuplicates ? 2 : 1;
    const { signal } = this.aborter;
    const job = (async () => {
      // The worker picks the message up after the request that saved has been answered.
      await this.wait(0);
      for (let copy = 0; copy < copies && !signal.aborted; copy++)
        await this.deliver(delivery, url, body, signal);
    })();
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    return delivery;
  }

  private async deliver(
    delivery: WebhookDelivery,
    url: string,
    body: string,
    cancel: AbortSignal,
  ): Promise<void> {
    const { secret, retryDelaysMs, timeoutMs } = this.settings();
    for (let attempt = 0; !cancel.aborted; attempt++) {
      const outcome = await this.post(
        url,
        body,
        delivery,
        secret,
        AbortSignal.any([cancel, AbortSignal.timeout(timeoutMs)]),
      );
      if (cancel.aborted) return;
      delivery.attempts.push(outcome);
      if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) {
        delivery.deliveries += 1;
        delivery.status = 'delivered';
        return;
      }
      if (attempt >= retryDelaysMs.length) {
        // An earlier copy may have got through; a failed later copy does not undo it.
        if (delivery.status !== 'delivered') delivery.status = 'failed';
        return;
      }
      await this.wait(retryDelaysMs[attempt]);
    }
  }

  private async post(
    url: string,
    body: string,
    delivery: WebhookDelivery,
    secret: string,
    signal: AbortSignal,
  ): Promise<number | string> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Symfony HttpClient (Curl)',
          'Webhook-Event': delivery.eventName,
          'Webhook-Id': delivery.webhookId,
          'Webhook-Signature': webhookSignature(secret, delivery.eventName, delivery.webhookId, body),
        },
        body,
        signal,
      });
      // Symfony HttpClient reads (and drops) the body before the connection is reused.
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.waits.set(timer, resolve);
    });
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d, attempts: [...d.attempts] }));
  }

  /** Resolves once every queued message has been delivered, failed or given up (for tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Abandons the messages under way and forgets the log; after `stop` (closing) nothing is sent again. */
  reset(stop = false): void {
    this.log = [];
    this.stopped ||= stop;
    this.aborter.abort();
    this.aborter = new AbortController();
    for (const [timer, resolve] of this.waits) {
      clearTimeout(timer);
      resolve();
    }
    this.waits.clear();
  }
}
