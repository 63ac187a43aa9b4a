import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAlertActivities } from '../src/activities/alerts';
import { ChannelRefusedError, ChannelUnavailableError } from '../src/alerts/channel-errors';
import { alertChannels } from '../src/alerts/channels';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../src/alerts/webhook';
import { ConfigError, configuredSecrets, parseConfig } from '../src/config';
import { ALERT_CHANNEL_REFUSED, type AlertCheck, type AlertNotice } from '../src/domain/alerts';
import { startSmtpReceiver, startWebhookReceiver } from './alert-receivers';

const KEYS = { RECORD_SYNC_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };
const SECRET = 'whsec-0123456789abcdef';
const SMTP = { user: 'alerts', password: 'smtp-password-42' };

const notice: AlertNotice = {
  id: 'pipeline-paused-accounts-abc123-m1-0',
  kind: 'raised',
  at: '2026-03-02T12:00:00.000Z',
  alert: {
    rule: 'pipeline-paused',
    pipeline: 'accounts',
    key: 'pipeline-paused:accounts',
    summary: 'Pipeline accounts is paused since 2026-03-02T11:59:00.000Z: authentication failed.',
    count: 1,
    link: 'http://localhost:8233/namespaces/default/workflows?query=WorkflowId%20%3D%20%22run-1%22',
    advice: 'Fix the cause, then run `npx record-sync resume --pipeline accounts`.',
    since: '2026-03-02T12:00:00.000Z',
  },
};

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function configError(env: Record<string, string>): string {
  try {
    parseConfig({ ...KEYS, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('accepted');
}

describe('alert settings', () => {
  it('defaults: checks every minute, reminds after 4 h, 10 notices per rule an hour; no channel', () => {
    const { alerts } = parseConfig(KEYS);
    assert.deepEqual(alerts.channels, { slack: null, webhook: null, email: null });
    assert.deepEqual(alerts.policy, {
      checkIntervalMs: 60_000,
      repeatIntervalMs: 4 * 3_600_000,
      maxPerRulePerHour: 10,
      deliveryGiveUpMs: 3_600_000,
    });
    assert.equal(alerts.thresholds.deadLettersOver, 0);
    assert.equal(alerts.links.temporalUi, 'http://localhost:8233');
  });

  it('names each bad or missing variable, and lists the channel secrets as secrets', () => {
    const message = configError({
      ALERT_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/x',
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/record-sync',
      ALERT_EMAIL_TO: 'ops@example.com, not-an-address',
      ALERT_ERROR_RATE_OVER: '150',
      ALERT_REPEAT_INTERVAL: 'often',
    });
    for (const variable of [
      'ALERT_SLACK_WEBHOOK_URL',
      'ALERT_WEBHOOK_SECRET: is required with ALERT_WEBHOOK_URL',
      'ALERT_EMAIL_TO',
      'ALERT_SMTP_HOST: is required',
      'ALERT_EMAIL_FROM: is required',
      'ALERT_ERROR_RATE_OVER: must be at most 100',
      'ALERT_REPEAT_INTERVAL: must be a duration',
    ]) {
      assert.ok(message.includes(`  ${variable}`), `${variable} in:\n${message}`);
    }
    const config = parseConfig({
      ...KEYS,
      ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/slack-token-1',
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/record-sync?token=webhook-token-2',
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_SMTP_HOST: 'smtp.example.com',
      ALERT_SMTP_USER: SMTP.user,
      ALERT_SMTP_PASSWORD: SMTP.password,
      ALERT_EMAIL_FROM: 'record-sync@example.com',
      ALERT_EMAIL_TO: 'ops@example.com, oncall@example.com',
    });
    assert.deepEqual(config.alerts.channels.email?.to, ['ops@example.com', 'oncall@example.com']);
    const secrets = configuredSecrets(config);
    for (const secret of [
      'https://hooks.slack.com/services/T0/B0/slack-token-1',
      'https://hooks.example.com/record-sync?token=webhook-token-2',
      SECRET,
      SMTP.password,
    ]) {
      assert.ok(secrets.includes(secret), secret);
    }
  });
});

describe('alert channels (local receivers)', () => {
  let http: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  before(async () => {
    http = await startWebhookReceiver();
    smtp = await startSmtpReceiver(SMTP);
  });
  after(async () => {
    await http?.close();
    await smtp?.close();
  });

  const channels = (overrides: { slack?: string; webhook?: string; password?: string; port?: number } = {}) =>
    alertChannels({
      slack: { url: `${http.url}${overrides.slack ?? '/services/T0/B0/slack'}` },
      webhook: { url: `${http.url}${overrides.webhook ?? '/hook'}`, secret: SECRET },
      email: {
        host: smtp.host,
        port: overrides.port ?? smtp.port,
        tls: 'none',
        auth: { user: SMTP.user, password: overrides.password ?? SMTP.password },
        from: 'record-sync@example.com',
        to: ['ops@example.com', 'oncall@example.com'],
      },
    });

  it('Slack: posts text and blocks with the link', async () => {
    await channels().get('slack')!.deliver(notice);
    const [request] = http.to('/services/T0/B0/slack');
    const message = JSON.parse(request.body) as { text: string; blocks: { text: { text: string } }[] };
    assert.match(message.text, /ALERT: pipeline-paused on pipeline accounts, count 1/);
    assert.match(message.blocks[1].text.text, /\*What to do:\* Fix the cause/);
    assert.match(
      message.blocks[1].text.text,
      /<http:\/\/localhost:8233\/namespaces\/default\/workflows\?query=[^|]+\|open>/,
    );
  });

  it('webhook: signs timestamp and body with the secret, and keys the delivery by the notice id', async () => {
    await channels().get('webhook')!.deliver(notice);
    const [request] = http.to('/hook');
    const timestamp = request.headers[TIMESTAMP_HEADER.toLowerCase()] as string;
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60);
    assert.equal(
      request.headers[SIGNATURE_HEADER.toLowerCase()],
      webhookSignature(SECRET, timestamp, request.body),
    );
    assert.notEqual(
      request.headers[SIGNATURE_HEADER.toLowerCase()],
      webhookSignature('another secret', timestamp, request.body),
    );
    assert.equal(request.headers['idempotency-key'], notice.id);
    const body = JSON.parse(request.body) as Record<string, unknown>;
    assert.equal(body.id, notice.id);
    assert.equal(body.rule, 'pipeline-paused');
    assert.equal(body.count, 1);
  });

  it('email: one mail to every address, logged in, naming pipeline, count, link and advice', async () => {
    await channels().get('email')!.deliver(notice);
    const [mail] = smtp.mails;
    assert.deepEqual(mail.to, ['ops@example.com', 'oncall@example.com']);
    assert.equal(mail.user, SMTP.user);
    assert.match(mail.subject, /\[record-sync\] ALERT: pipeline-paused on pipeline accounts, count 1/);
    assert.match(
      mail.text,
      /What to do: Fix the cause, then run `npx record-sync resume --pipeline accounts`/,
    );
    assert.ok(mail.text.includes(`Where to look: ${notice.alert.link}`));
    assert.match(mail.headers, /Message-ID: <pipeline-paused-accounts-abc123-m1-0@record-sync>/i);
  });

  it('a 4xx is a refusal naming the channel and its variable, never its URL; 5xx, 429 and no answer are retried', async () => {
    http.answer('/gone', 404);
    http.answer('/busy', 429, { headers: { 'retry-after': '7' } });
    http.answer('/down', 503);
    const refused = await channels({ slack: '/gone' })
      .get('slack')!
      .deliver(notice)
      .catch((error: Error) => error);
    assert.ok(refused instanceof ChannelRefusedError);
    assert.match(
      refused.message,
      /alert channel slack refused the notice with HTTP 404 "no_service": check ALERT_SLACK_WEBHOOK_URL/,
    );
    assert.ok(!refused.message.includes(http.url.replace('http://', '')), 'no URL in the message');
    const busy = await channels({ webhook: '/busy' })
      .get('webhook')!
      .deliver(notice)
      .catch((error: Error) => error);
    assert.ok(busy instanceof ChannelUnavailableError);
    assert.equal(busy.retryAfterMs, 7_000);
    const down = await channels({ webhook: '/down' })
      .get('webhook')!
      .deliver(notice)
      .catch((error: Error) => error);
    assert.ok(down instanceof ChannelUnavailableError);
    const closed = await alertChannels({
      slack: { url: `http://127.0.0.1:${await closedPort()}/x` },
      webhook: null,
      email: null,
    })
      .get('slack')!
      .deliver(notice)
      .catch((error: Error) => error);
    assert.ok(closed instanceof ChannelUnavailableError);
    assert.match(closed.message, /could not be reached \(ECONNREFUSED\)/);
  });

  it('email: a wrong password is a refusal; no mail server is retried', async () => {
    const refused = await channels({ password: 'wrong' })
      .get('email')!
      .deliver(notice)
      .catch((error: Error) => error);
    assert.ok(refused instanceof ChannelRefusedError, String(refused));
    assert.match(refused.message, /alert channel email refused the notice \(EAUTH.*check ALERT_SMTP_HOST/);
    assert.ok(!refused.message.includes('wrong'));
    const closed = await channels({ port: await closedPort() })
      .get('email')!
      .deliver(notice)
      .catch((error: Error) => error);
    assert.ok(closed instanceof ChannelUnavailableError, String(closed));
  });

  it('the activity: a refusal fails for good (AlertChannelRefused), an unknown channel too', async () => {
    http.answer('/gone', 404);
    const activities = createAlertActivities({
      health: async () => [],
      rules: {
        thresholds: parseConfig(KEYS).alerts.thresholds,
        links: { temporalUi: 'http://localhost:8233', namespace: 'default', dashboard: undefined },
      },
      policy: parseConfig(KEYS).alerts.policy,
      channels: channels({ slack: '/gone' }),
    });
    const environment = new MockActivityEnvironment();
    for (const channel of ['slack', 'pager']) {
      const failure = await environment
        .run(activities.deliverAlert, { notice, channel })
        .catch((error: unknown) => error);
      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.type, ALERT_CHANNEL_REFUSED);
      assert.equal(failure.nonRetryable, true);
    }
    await environment.run(activities.deliverAlert, { notice, channel: 'webhook' });
    const check = await environment.run<[], AlertCheck, typeof activities.checkAlertConditions>(
      activities.checkAlertConditions,
    );
    assert.deepEqual(check.channels, ['slack', 'webhook', 'email']);
    assert.deepEqual(check.conditions, []);
  });
});
