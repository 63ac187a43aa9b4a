import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal as proto } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  type EncryptionKey,
} from '../src/codec/encryption-codec';
import { startCodecServer, type CodecServer } from '../src/codec/http-server';
import { ConfigError, configuredSecrets, parseConfig } from '../src/config';
import { demoSecrets } from '../sandbox/settings';
import { SANDBOX_ENCRYPTION_KEY } from '../sandbox/credentials';
import { startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';
import { realAccounts } from './real-accounts';

type History = proto.api.history.v1.IHistory;

const newKey = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });
const keyText = ({ id, key }: EncryptionKey) => `${id}:${key.toString('base64')}`;
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/** A Payload in protobuf JSON, as the Temporal UI sends it to a codec server. */
const asJSON = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  ),
  data: Buffer.from(data ?? []).toString('base64'),
});

/** Every value, bytes as UTF-8 text (protobuf's own JSON would hide plaintext behind base64). */
function readable(value: unknown): unknown {
  if (value instanceof Uint8Array) return text(value);
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, readable(inner)]));
  }
  return value;
}

const isPayload = (value: object): value is Payload =>
  'data' in value && value.data instanceof Uint8Array && 'metadata' in value;

/** A copy of the history with every payload decoded by `codec`, as a codec-aware reader sees it. */
async function decoded(value: unknown, codec: EncryptionCodec): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((inner) => decoded(inner, codec)));
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (isPayload(value)) return (await codec.decode([value]))[0];
  const entries = Object.entries(value).map(async ([key, inner]) => [key, await decoded(inner, codec)]);
  return Object.fromEntries(await Promise.all(entries));
}

describe('a sync stores no personal data and no secret in Temporal', () => {
  let temporal: TestWorkflowEnvironment;
  let sync: SyncEnvironment;
  const histories = new Map<string, { type: string; history: History }>();
  /** Record field values long enough not to turn up by chance. */
  let plaintexts: string[];

  before(async () => {
    temporal = await startTemporal();
    sync = await startSyncEnvironment({ temporal, seedCount: 60 });
    await sync.startWorkers();
    const summary = await sync.runSync();
    assert.equal(summary.counts.read, 60);
    // Without the codec: what anyone with access to the server or its database sees.
    for await (const execution of temporal.client.workflow.list()) {
      const handle = temporal.client.workflow.getHandle(execution.workflowId, execution.runId);
      histories.set(`${execution.workflowId}/${execution.runId}`, {
        type: execution.type,
        history: await handle.fetchHistory(),
      });
    }
    plaintexts = sync.salesforce
      .accounts()
      .flatMap((account) => [
        account.Name,
        account.Phone,
        account.BillingStreet,
        account.BillingCity,
        account.Website,
      ])
      .filter((value): value is string => typeof value === 'string' && value.length >= 6);
  });
  after(async () => {
    await sync?.teardown();
    await temporal?.teardown();
  });

  it('read raw, no history holds a record field or a configured secret', () => {
    assert.ok(histories.size > 60, `expected a history per record and run, found ${histories.size}`);
    assert.ok(plaintexts.length > 100, 'too few record values to look for');
    const secrets = configuredSecrets(sync.config);
    assert.ok(secrets.length >= 5, 'the configuration should have secrets to look for');
    for (const [id, { history }] of histories) {
      const raw = JSON.stringify(readable(history));
      const found = plaintexts.filter((value) => raw.includes(value));
      assert.deepEqual(found, [], `record fields in the history of ${id}`);
      assert.ok(
        !secrets.some((secret) => raw.includes(secret)),
        `a configured secret in the history of ${id}`,
      );
      assert.match(raw, new RegExp(ENCRYPTED_ENCODING), `no encrypted payload in ${id}`);
    }
  });

  it('with the codec, the same histories decode to the records (the check above can fail)', async () => {
    const codec = new EncryptionCodec(sync.config.encryption.keys);
    const names = new Set(sync.salesforce.accounts().map((account) => account.Name));
    const recordHistories = [...histories.values()].filter(({ type }) => type === 'syncRecordVersion');
    assert.equal(recordHistories.length, 60);
    for (const { history } of recordHistories) {
      const started = history.events![0].workflowExecutionStartedEventAttributes!;
      const [input] = (await codec.decode(started.input!.payloads!)).map((payload) =>
        defaultPayloadConverter.fromPayload<{ record: { Name: string } }>(payload),
      );
      assert.ok(names.has(input.record.Name), 'the syncRecordVersion input is the account');
      const plain = JSON.stringify(readable(await decoded(history, codec)));
      assert.ok(
        plaintexts.some((value) => plain.includes(value)),
        'the decoded history shows the record',
      );
    }
  });

  it('after a key rotation, old payloads still decode and new ones use the new key', async () => {
    const [original] = sync.config.encryption.keys;
    const rotated = parseConfig({
      ...sync.environment,
      RECORD_SYNC_ENCRYPTION_KEYS: `${keyText(newKey('b'))},${SANDBOX_ENCRYPTION_KEY}`,
    });
    const codec = new EncryptionCodec(rotated.encryption.keys);
    const { history } = [...histories.values()].find(({ type }) => type === 'syncRecordVersion')!;
    const stored = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
    assert.equal(text(stored[0].metadata![KEY_ID_METADATA]), original.id);
    const [input] = await codec.decode(stored);
    assert.match(text(input.data), /"Name"/);

    const [written] = await codec.encode([defaultPayloadConverter.toPayload({ Name: 'Rotated Ltd' })]);
    assert.equal(text(written.metadata![KEY_ID_METADATA]), 'b');
    await assert.rejects(
      new EncryptionCodec([original]).decode([written]),
      /key id "b".*RECORD_SYNC_ENCRYPTION_KEYS/,
    );
  });
});

describe('the codec server', () => {
  const token = 'test-codec-token-0123456789';
  const origin = 'http://localhost:8233';
  const codec = new EncryptionCodec([newKey('k1')]);
  let server: CodecServer;
  let encrypted: Payload[];

  before(async () => {
    server = await startCodecServer({ codec, token, corsOrigins: [origin], port: 0 });
    encrypted = await codec.encode([defaultPayloadConverter.toPayload({ Name: 'Acme Holdings' })]);
  });
  after(() => server?.close());

  const decode = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: JSON.stringify({ payloads: encrypted.map(asJSON) }),
    });

  const decodedName = async (response: Response) => {
    assert.equal(response.status, 200);
    const body = (await response.json()) as { payloads: { data: string }[] };
    return (JSON.parse(Buffer.from(body.payloads[0].data, 'base64').toString()) as { Name: string }).Name;
  };

  it('refuses callers without the token, or with a wrong one', async () => {
    for (const response of [
      await decode('/decode'),
      await decode('/decode', { Authorization: 'Bearer wrong-token' }),
      await decode(`/${token}x/decode`),
      await decode('/wrong/decode', { Authorization: `Basic ${token}` }),
    ]) {
      assert.equal(response.status, 401);
      assert.ok(!(await response.text()).includes('Acme'));
    }
  });

  it('decodes for the bearer token and for the token in the path', async () => {
    assert.equal(
      await decodedName(await decode('/decode', { Authorization: `Bearer ${token}` })),
      'Acme Holdings',
    );
    assert.equal(await decodedName(await decode(`/${token}/decode`, { Origin: origin })), 'Acme Holdings');
  });

  it('encodes with the current key', async () => {
    const response = await fetch(`${server.url}/${token}/encode`, {
      method: 'POST',
      body: JSON.stringify({ payloads: [asJSON(defaultPayloadConverter.toPayload('hello'))] }),
    });
    const body = (await response.json()) as { payloads: { metadata: Record<string, string> }[] };
    const metadata = body.payloads[0].metadata;
    assert.equal(Buffer.from(metadata.encoding, 'base64').toString(), ENCRYPTED_ENCODING);
    assert.equal(Buffer.from(metadata[KEY_ID_METADATA], 'base64').toString(), 'k1');
  });

  it('answers the UI origin CORS preflight, and no other origin', async () => {
    const preflight = (from: string) =>
      fetch(`${server.url}/${token}/decode`, {
        method: 'OPTIONS',
        headers: {
          Origin: from,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-namespace',
        },
      });
    const allowed = await preflight(origin);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), origin);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    assert.equal((await preflight('http://evil.example')).headers.get('access-control-allow-origin'), null);
  });

  it('never echoes the path token in an error', async () => {
    const response = await fetch(`${server.url}/${token}/decode`, { method: 'POST', body: 'not json' });
    assert.equal(response.status, 400);
    assert.ok(!(await response.text()).includes(token));
  });
});

describe('the encryption codec', () => {
  const key = newKey('current');
  const codec = new EncryptionCodec([key]);
  const original = defaultPayloadConverter.toPayload({
    Name: 'Globex Corporation',
    Phone: '+44 20 7946 0000',
  });

  it('round-trips a payload, metadata included, with nothing readable in between', async () => {
    const [encoded] = await codec.encode([original]);
    assert.equal(text(encoded.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encoded.metadata![KEY_ID_METADATA]), 'current');
    assert.ok(!text(encoded.data).includes('Globex'));
    assert.ok(!text(encoded.data).includes('json/plain'));
    const [back] = await codec.decode([encoded]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(back), {
      Name: 'Globex Corporation',
      Phone: '+44 20 7946 0000',
    });
  });

  it('uses a fresh IV each time', async () => {
    const [first, second] = await codec.encode([original, original]);
    assert.notDeepEqual(first.data, second.data);
  });

  it('leaves payloads that were never encrypted as they are', async () => {
    assert.deepEqual(await codec.decode([original]), [original]);
  });

  it('rejects a tampered payload', async () => {
    const [encoded] = await codec.encode([original]);
    encoded.data![20] ^= 1;
    await assert.rejects(codec.decode([encoded]));
  });
});

describe('RECORD_SYNC_ENCRYPTION_KEYS', () => {
  const good = newKey('k-2024_01');
  const material = good.key.toString('base64');

  function configError(keys: string | undefined): string {
    try {
      parseConfig({ ...realAccounts, RECORD_SYNC_ENCRYPTION_KEYS: keys });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
    assert.fail('the configuration was accepted');
  }

  it('reads keys in order: the first encrypts, all decrypt', () => {
    const older = newKey('old');
    const config = parseConfig({
      ...realAccounts,
      RECORD_SYNC_ENCRYPTION_KEYS: ` ${keyText(good)} , ${keyText(older)}`,
    });
    assert.deepEqual(config.encryption.keys, [good, older]);
    assert.ok(configuredSecrets(config).includes(material), 'keys are secrets to look for');
  });

  it("is required; the sandboxes' settings carry a demo key", () => {
    assert.match(configError(undefined), /RECORD_SYNC_ENCRYPTION_KEYS: is required but not set/);
    assert.equal(parseConfig(demoSecrets()).encryption.keys[0].id, 'sandbox-demo');
  });

  const bad: [string, string, RegExp][] = [
    [
      'invalid base64',
      `k1:${material.slice(0, -2)}!!`,
      /entry 1 \(key id k1\): the key must be base64 of exactly 32 bytes/,
    ],
    ['a 16-byte key', `k1:${randomBytes(16).toString('base64')}`, /exactly 32 bytes/],
    ['a key without id', material, /entry 1: must be keyId:base64/],
    ['an id with spaces', `my key:${material}`, /entry 1: must be keyId:base64/],
    [
      'a duplicate id',
      `${keyText(good)},${good.id}:${randomBytes(32).toString('base64')}`,
      /entry 2: key id k-2024_01 is listed twice/,
    ],
  ];
  for (const [what, value, expected] of bad) {
    it(`rejects ${what}, naming the variable and never the key`, () => {
      const message = configError(value);
      assert.match(message, /RECORD_SYNC_ENCRYPTION_KEYS: /);
      assert.match(message, expected);
      const [, secretPart = value] = value.split(':');
      assert.ok(!message.includes(secretPart.slice(0, 12)), 'key material in the message');
      assert.ok(!message.includes(material.slice(0, 12)), 'key material in the message');
    });
  }
});
