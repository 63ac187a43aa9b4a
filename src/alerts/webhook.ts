import { createHmac } from 'node:crypto';
import type { AlertNotice } from '../domain/alerts';
import type { AlertChannel } from './channels';
import { postJson } from './http-post';

export const SIGNATURE_HEADER = 'X-Record-Sync-Signature';
export const TIMESTAMP_HEADER = 'X-Record-Sync-Timestamp';

/**
 * `sha256=<hex>`: the HMAC-SHA256, under the shared secret, of `<timestamp>.<raw body>`. The
 * timestamp (Unix seconds, its own header) is signed too, so a receiver that refuses old ones
 * cannot be fed a captured request again.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The body: the notice, flat, for receivers to route on rule, pipeline and kind. */
export function webhookBody(notice: AlertNotice) {
  const { alert } = notice;
  return {
    id: notice.id,
    kind: notice.kind,
    at: notice.at,
    rule: alert.rule,
    pipeline: alert.pipeline,
    key: alert.key,
    summary: alert.summary,
    count: alert.count,
    ...(notice.previousCount !== undefined ? { previousCount: notice.previousCount } : {}),
    since: alert.since,
    link: alert.link ?? null,
    advice: alert.advice,
    heldBack: notice.heldBack ?? 0,
  };
}

/**
 * A generic JSON webhook, signed. `Idempotency-Key` is the notice's id, the same on every retry:
 * a receiver that saw it already can answer 2xx and drop the repeat.
 */
export function webhookChannel({ url, secret }: { url: string; secret: string }): AlertChannel {
  return {
    name: 'webhook',
    async deliver(notice) {
      const body = JSON.stringify(webhookBody(notice));
      const timestamp = String(Math.floor(Date.now() / 1000));
      await postJson(
        { name: 'webhook', variables: 'ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET' },
        url,
        body,
        {
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
          'Idempotency-Key': notice.id,
        },
      );
    },
  };
}
