import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activeAlerts, checkAlertsNow, ensureAlertWatch } from '../src/alerts/watch';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../src/alerts/webhook';
import { EncryptionCodec } from '../src/codec/encryption-codec';
import { configuredSecrets } from '../src/config';
import { ALERT_WATCH_WORKFLOW_ID } from '../src/domain/alerts';
import { eventually, runFailure, startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';
import { startSmtpReceiver, startWebhookReceiver, type ReceivedRequest } from './alert-receivers';

const RECORDS = 10_000;
const SUGGEST_CONTINUE_AS_NEW = 50;
const SECRET = 'whsec-alerts-test-0123456789';
const SMTP = { user: 'record-sync-alerts', password: 'smtp-test-password-1' };
// The path of a Slack incoming webhook is its secret.
const SLACK_PATH = '/services/T0000/B0000/slack-secret-path';
const HOOK_PATH = '/record-sync-hook';

/** Every payload of a history as a reader holding the key sees it: decrypted, as text. */
async function payloadTexts(value: unknown, codec: EncryptionCodec): Promise<string[]> {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return [];
  if ('data' in value && value.data instanceof Uint8Array && 'metadata' in value) {
    const [payload] = await codec.decode([value as Payload]);
    return [Buffer.from(payload.data ?? []).toString('utf8')];
  }
  const inner = await Promise.all(Object.values(value).map((part) => payloadTexts(part, codec)));
  return inner.flat();
}

const bodyOf = (request: ReceivedRequest) => JSON.parse(request.body) as Record<string, unknown>;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

/**
 * Alerts reach people: all three channels pointed at local receivers (an HTTP server standing in
 * for Slack and a webhook receiver, an SMTP server in this process), the alert watch on a real
 * Temporal dev server, and a NetSuite outage with 10,000 changed accounts waiting.
 */
describe(`alerts: a ${RECORDS.toLocaleString('en-US')}-record outage reaches each channel once, then its resolution`, () => {
  let http: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  let stopWorkers: () => Promise<void>;
  let pipeline: string;

  before(async () => {
    http = await startWebhookReceiver();
    smtp = await startSmtpReceiver(SMTP);
    // A history this short makes the watch continue as new every few checks, as it does after days.
    temporal = await startTemporal({ suggestContinueAsNewAt: SUGGEST_CONTINUE_AS_NEW });
    sync = await startSyncEnvironment({
      temporal,
      seedCount: RECORDS,
      overrides: {
        ALERT_SLACK_WEBHOOK_URL: `${http.url}${SLACK_PATH}`,
        ALERT_WEBHOOK_URL: `${http.url}${HOOK_PATH}`,
        ALERT_WEBHOOK_SECRET: SECRET,
        ALERT_SMTP_HOST: smtp.host,
        ALERT_SMTP_PORT: String(smtp.port),
        ALERT_SMTP_TLS: 'none',
        ALERT_SMTP_USER: SMTP.user,
        ALERT_SMTP_PASSWORD: SMTP.password,
        ALERT_EMAIL_FROM: 'record-sync@example.com',
        ALERT_EMAIL_TO: 'ops@example.com, oncall@example.com',
        // The watch checks when the test asks it to (checkNow), so what each check sends is known.
        ALERT_CHECK_INTERVAL: '1h',
      },
    });
    pipeline = sync.config.pipeline.name;
    stopWorkers = await sync.startWorkers();
    // As `npm start` does: the pipeline's owner first, then the watch.
    await sync.operations.create();
    assert.equal(await ensureAlertWatch(sync.client, sync.config), 'started');
    assert.equal(await ensureAlertWatch(sync.client, sync.config), 'running');
  });
  after(async () => {
    await stopWorkers?.();
    await sync?.teardown();
    await temporal?.teardown();
    await http?.close();
    await smtp?.close();
  });

  it('sends exactly one notice per channel for the paused pipeline, none per record, and nothing more while it lasts', async () => {
    assert.deepEqual((await checkAlertsNow(sync.client)).notices, [], 'healthy before the outage');

    // NetSuite refuses the integration's token: every write would fail the same way.
    sync.netsuite.setFaults({ revokedToken: true });
    for (let run = 0; run < 3; run += 1) {
      assert.match(await runFailure(sync.runSync()), /authentication failed|INVALID_LOGIN/i);
    }
    assert.ok((await sync.operations.status()).paused, 'the outage paused the pipeline');

    const check = await checkAlertsNow(sync.client);
    assert.deepEqual(
      check.notices.map(({ kind, rule, pipeline: name }) => ({ kind, rule, pipeline: name })),
      [{ kind: 'raised', rule: 'pipeline-paused', pipeline }],
    );
    assert.deepEqual(check.channels, ['slack', 'webhook', 'email']);
    await eventually(async () =>
      http.to(SLACK_PATH).length && http.to(HOOK_PATH).length && smtp.mails.length ? true : undefined,
    );

    const [slack] = http.to(SLACK_PATH);
    assert.match(
      bodyOf(slack).text as string,
      new RegExp(`ALERT: pipeline-paused on pipeline ${pipeline}, count 3`),
    );

    const [hook] = http.to(HOOK_PATH);
    const timestamp = hook.headers[TIMESTAMP_HEADER.toLowerCase()] as string;
    assert.equal(
      hook.headers[SIGNATURE_HEADER.toLowerCase()],
      webhookSignature(SECRET, timestamp, hook.body),
    );
    const notice = bodyOf(hook);
    assert.equal(hook.headers['idempotency-key'], notice.id);
    assert.equal(notice.id, check.notices[0].id);
    assert.equal(notice.kind, 'raised');
    assert.equal(notice.count, 3, 'three runs stopped on it');
    assert.match(notice.summary as string, /authentication failed/i);

    const [mail] = smtp.mails;
    assert.deepEqual(mail.to, ['ops@example.com', 'oncall@example.com']);
    assert.match(
      mail.subject,
      new RegExp(`\\[record-sync\\] ALERT: pipeline-paused on pipeline ${pipeline}, count 3`),
    );
    assert.match(mail.text, new RegExp(`What happened: Pipeline ${pipeline} is paused since`));
    assert.match(mail.text, /How many: 3\n/);
    assert.match(mail.text, new RegExp(`What to do: .*npx record-sync resume --pipeline ${pipeline}`));
    assert.match(
      mail.text,
      /Where to look: http:\/\/localhost:8233\/namespaces\/default\/workflows\?query=WorkflowId%20%3D%20%22/,
    );

    // The outage held 10,000 records back and made no problem record: no notice per record.
    assert.equal(sync.salesforce.accounts().length, RECORDS);
    assert.equal(sync.netsuite.customers().length, 0);
    assert.equal((await sync.openProblems()).length, 0);

    // Checked again while it lasts: the same condition, no new notice on any channel.
    for (let again = 0; again < 2; again += 1) {
      assert.deepEqual((await checkAlertsNow(sync.client)).notices, []);
    }
    await settle();
    assert.equal(http.to(SLACK_PATH).length, 1);
    assert.equal(http.to(HOOK_PATH).length, 1);
    assert.equal(smtp.mails.length, 1);
    const [active] = await activeAlerts(sync.client);
    assert.equal(active.rule, 'pipeline-paused');
    assert.equal(active.since, (notice as { since: string }).since);
  });

  it('sends a resolution notice on each channel once the pipeline runs again', async () => {
    sync.netsuite.setFaults({ revokedToken: false });
    await sync.operations.resume('the alerts test');

    const check = await checkAlertsNow(sync.client);
    assert.deepEqual(
      check.notices.map(({ kind, rule }) => ({ kind, rule })),
      [{ kind: 'resolved', rule: 'pipeline-paused' }],
    );
    await eventually(async () =>
      http.to(SLACK_PATH).length === 2 && http.to(HOOK_PATH).length === 2 && smtp.mails.length === 2
        ? true
        : undefined,
    );
    assert.match(bodyOf(http.to(SLACK_PATH)[1]).text as string, /RESOLVED: pipeline-paused/);
    const resolved = http.to(HOOK_PATH)[1];
    assert.equal(bodyOf(resolved).kind, 'resolved');
    assert.equal(resolved.headers['idempotency-key'], check.notices[0].id);
    assert.match(smtp.mails[1].subject, new RegExp(`RESOLVED: pipeline-paused on pipeline ${pipeline}`));
    assert.match(smtp.mails[1].text, /Resolved: this condition no longer holds/);
    assert.deepEqual(await activeAlerts(sync.client), []);
  });

  it('a channel that refuses is not retried and holds up no other; one that fails for a while gets the notice once it answers', async () => {
    const before = {
      slack: http.to(SLACK_PATH).length,
      hook: http.to(HOOK_PATH).length,
      mails: smtp.mails.length,
    };
    http.answer(SLACK_PATH, 404); // a revoked Slack webhook
    http.answer(HOOK_PATH, 503, { times: 1 }); // a receiver restarting
    sync.netsuite.setFaults({ permissionDenied: true });
    assert.match(await runFailure(sync.runSync()), /permission/i);

    const { notices } = await checkAlertsNow(sync.client);
    assert.deepEqual(
      notices.map(({ kind }) => kind),
      ['raised'],
    );
    await eventually(async () =>
      smtp.mails.length === before.mails + 1 && http.to(HOOK_PATH).length === before.hook + 2
        ? true
        : undefined,
    );
    const [failed, retried] = http.to(HOOK_PATH).slice(before.hook);
    assert.equal(failed.headers['idempotency-key'], notices[0].id);
    assert.equal(retried.headers['idempotency-key'], notices[0].id, 'a retry is the same notice');
    await settle();
    assert.equal(http.to(SLACK_PATH).length, before.slack + 1, 'a refusal is final: tried once');
    assert.equal(http.to(HOOK_PATH).length, before.hook + 2);
    assert.equal(smtp.mails.length, before.mails + 1);
    const watch = await sync.client.workflow.getHandle(ALERT_WATCH_WORKFLOW_ID).describe();
    assert.equal(watch.status.name, 'RUNNING');
    sync.netsuite.setFaults({ permissionDenied: false });
  });

  it('continued as new on the way (its state carried: the checks above passed across runs); its histories, decrypted, hold channel names, never URLs or passwords', async () => {
    const codec = new EncryptionCodec(sync.config.encryption.keys);
    const texts: string[] = [];
    for await (const run of sync.client.workflow.list({
      query: `WorkflowId = "${ALERT_WATCH_WORKFLOW_ID}"`,
    })) {
      const history = await sync.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      texts.push(...(await payloadTexts(history, codec)));
    }
    assert.ok(texts.length > 0);
    const runs = await sync.client.workflow.count(`WorkflowId = "${ALERT_WATCH_WORKFLOW_ID}"`);
    assert.ok(runs.count > 1, `the watch should have continued as new (${runs.count} run)`);
    const raw = texts.join('\n');
    assert.match(raw, /"channel":"webhook"/, 'the check can fail: the deliveries are in it, decrypted');
    const secrets = configuredSecrets(sync.config);
    for (const secret of [SECRET, SMTP.password, `${http.url}${SLACK_PATH}`, SLACK_PATH]) {
      assert.ok(
        secrets.some((listed) => listed.includes(secret)),
        `${secret} is listed as a secret`,
      );
      assert.ok(!raw.includes(secret), `${secret} in the alert watch's history`);
    }
  });
});
