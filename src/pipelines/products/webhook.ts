import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebhookRefused } from '../../webhooks/server';
import type { WebhookReceipt } from '../contract';
import { PUBLISHED_EVENT } from './stages';

/**
 * Pimcore's product webhooks (Datahub Webhooks, subscribed to pimcore.dataobject.postAdd and
 * postUpdate of the Product class, published objects only), signed as Symfony's Webhook
 * component signs them: `Webhook-Signature: sha256=<hex HMAC-SHA256 of event + id + raw body>`
 * with the shared secret, `Webhook-Event` and `Webhook-Id` beside it. A save of a published
 * product in the products folder (not a variant) is the product published; it names the record
 * workflow that last wrote it (its syncWorkflowId field). Everything else is answered and ignored.
 */

/** A webhook older than this (by the timestamp it signs) is a replay, not a delivery: refused. */
export const WEBHOOK_MAX_AGE_MS = 10 * 60_000;
/** Clocks differ: a timestamp this far ahead is still taken. */
const WEBHOOK_MAX_SKEW_MS = 5 * 60_000;

const SAVE_EVENTS = ['pimcore.dataobject.postAdd', 'pimcore.dataobject.postUpdate'];

const webhookBody = z.object({
  general: z.object({ eventName: z.string(), timestamp: z.number().int() }),
  subject: z
    .object({
      id: z.number().int(),
      path: z.string(),
      published: z.boolean(),
      type: z.string(),
      'SKU (sku)': z.string().nullish(),
      'Source version (sourceVersion)': z.string().nullish(),
      'Sync workflow id (syncWorkflowId)': z.string().nullish(),
    })
    .loose(),
});

/** What a published product's webhook tells its record: checked, trimmed to what stage 2 reads. */
export interface PublishedProduct {
  pimId: number;
  sku: string;
  /** The record version the PIM published (what record-sync last wrote). */
  sourceVersion: string | null;
  /** The delivery's id; absent when the PIM held the product published already (no webhook). */
  webhookId?: string;
}

export const publishedProductSchema = z.object({
  pimId: z.number().int(),
  sku: z.string().min(1),
  sourceVersion: z.string().nullable(),
  webhookId: z.string().optional(),
});

function signatureOf(secret: string, event: string, id: string, body: Buffer): Buffer {
  return Buffer.from(
    `sha256=${createHmac('sha256', secret).update(event).update(id).update(body).digest('hex')}`,
  );
}

export function verifyProductWebhook(
  request: { headers: Record<string, string | undefined>; body: Buffer },
  settings: { secret: string; pipeline: string; productsFolder: string; now?: number },
): WebhookReceipt {
  const event = request.headers['webhook-event'];
  const id = request.headers['webhook-id'];
  const signature = request.headers['webhook-signature'];
  if (!event || !id || !signature) {
    throw new WebhookRefused(401, 'not signed: Webhook-Event, Webhook-Id and Webhook-Signature are required');
  }
  const expected = signatureOf(settings.secret, event, id, request.body);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WebhookRefused(401, 'the signature does not match (PIMCORE_WEBHOOK_SECRET)');
  }
  let json: unknown;
  try {
    json = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new WebhookRefused(400, 'the body is not JSON');
  }
  const parsed = webhookBody.safeParse(json);
  if (!parsed.success)
    throw new WebhookRefused(400, `not a Pimcore object webhook: ${parsed.error.issues[0].message}`);
  const { general, subject } = parsed.data;
  if (general.eventName !== event) throw new WebhookRefused(400, 'Webhook-Event and the body disagree');
  const age = (settings.now ?? Date.now()) - general.timestamp * 1000;
  if (age > WEBHOOK_MAX_AGE_MS || age < -WEBHOOK_MAX_SKEW_MS) {
    throw new WebhookRefused(401, `stale: its timestamp is ${Math.round(age / 1000)} s away from now`);
  }

  if (!SAVE_EVENTS.includes(event))
    return { accepted: false, reason: `${event} is not a product being published` };
  if (subject.type !== 'Product' || !subject.published) {
    return { accepted: false, reason: 'not a published product' };
  }
  const parent = subject.path.slice(0, subject.path.lastIndexOf('/'));
  if (parent !== settings.productsFolder) {
    return {
      accepted: false,
      reason: `not a product of ${settings.productsFolder} (a variant, or another folder)`,
    };
  }
  const workflowId = subject['Sync workflow id (syncWorkflowId)'];
  const sku = subject['SKU (sku)'];
  // Only a record workflow of this pipeline: the field is editable in Pimcore, and a webhook must
  // never reach any other workflow.
  if (!workflowId || !workflowId.startsWith(`record-sync-${settings.pipeline}-`) || !sku) {
    return { accepted: false, reason: 'a product record-sync did not write' };
  }
  const payload: PublishedProduct = {
    pimId: subject.id,
    sku,
    sourceVersion: subject['Source version (sourceVersion)'] ?? null,
    webhookId: id,
  };
  return { accepted: true, workflowId, event: PUBLISHED_EVENT, payload };
}
