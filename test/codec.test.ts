import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  ApplicationFailure,
  DefaultFailureConverter,
  defaultPayloadConverter,
  type Payload,
} from '@temporalio/common';
import type { temporal as proto } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { dataConverter, failureConverterPath } from '../src/codec/data-converter';
import { ENCRYPTED_ENCODING, EncryptionCodec } from '../src/codec/encryption-codec';
import {
  configuredCodecServerOptions,
  startCodecServer,
  withLoopbackTwins,
  type CodecServer,
} from '../src/codec/http-server';
import { parseConfig } from '../src/config';
import { demoSecrets } from '../sandbox/settings';
import { findTemporalCli } from '../scripts/temporal-cli';
import { startTemporal } from './harness';

type History = proto.api.history.v1.IHistory;
type Failure = proto.api.failure.v1.IFailure;

const base64 = (text: string) => Buffer.from(text).toString('base64');
const fromBase64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** Every value, bytes as UTF-8 text (protobuf's own JSON would hide plaintext behind base64). */
function readable(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, readable(inner)]));
  }
  return value;
}

/** A Payload in protobuf JSON, as the Temporal UI sends it to a codec server. */
const asJSON = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  ),
  data: Buffer.from(data ?? []).toString('base64'),
});

/** A failure and its causes, outermost first. */
function failureChain(failure: Failure | null | undefined): Failure[] {
  return failure ? [failure, ...failureChain(failure.cause)] : [];
}

/** Every value under `key`, however deep, in parsed JSON. */
function valuesUnder(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((inner) => valuesUnder(inner, key));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) => [
    ...(name === key ? [inner] : []),
    ...valuesUnder(inner, key),
  ]);
}

describe('the codec server protocol', () => {
  const token = 'test-codec-token-0123456789';
  const codec = new EncryptionCodec([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
  let server: CodecServer;

  before(async () => {
    server = await startCodecServer({ codec, token, corsOrigins: [], port: 0 });
  });
  after(() => server?.close());

  const post = (operation: string, body: string, authorization = `Bearer ${token}`) =>
    fetch(`${server.url}/${operation}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: authorization },
      body,
    });

  it('answers an empty list, sent as {} by the Go SDK behind the temporal CLI, with an empty list', async () => {
    for (const operation of ['encode', 'decode']) {
      for (const body of ['{}', '{"payloads":[]}', '{"payloads":null}']) {
        const response = await post(operation, body);
        assert.equal(response.status, 200, `${operation} ${body}`);
        assert.equal(await response.text(), '{"payloads":[]}');
      }
    }
  });

  it('reads payloads as the Go SDK writes them: no data field when the data is empty', async () => {
    const response = await post(
      'decode',
      JSON.stringify({ payloads: [{ metadata: { encoding: base64('binary/null') } }] }),
    );
    assert.equal(response.status, 200);
    const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string> }[] };
    assert.equal(fromBase64(payloads[0].metadata.encoding), 'binary/null');
  });

  it('takes the bearer scheme in any case, as `--codec-auth` passes its text on unchanged', async () => {
    assert.equal((await post('decode', '{}', `bearer ${token}`)).status, 200);
    assert.equal((await post('decode', '{}', `BEARER  ${token} `)).status, 200);
    assert.equal((await post('decode', '{}', token)).status, 401);
  });

  it('still rejects bodies that are not a Payloads message', async () => {
    for (const body of ['', '[]', 'null', '{"payloads":"x"}', '{"payloads":[1]}']) {
      assert.equal((await post('decode', body)).status, 400, body);
    }
  });
});

describe('the codec server CORS origins', () => {
  it('default to the local UI under both names, localhost and 127.0.0.1', () => {
    assert.deepEqual(configuredCodecServerOptions(parseConfig(demoSecrets())).corsOrigins, [
      'http://localhost:8233',
      'http://127.0.0.1:8233',
    ]);
    assert.deepEqual(
      configuredCodecServerOptions(parseConfig({ ...demoSecrets(), TEMPORAL_UI_PORT: '9233' })).corsOrigins,
      ['http://localhost:9233', 'http://127.0.0.1:9233'],
    );
  });

  it('add the loopback twin of a configured loopback origin, and nothing to other origins', () => {
    assert.deepEqual(withLoopbackTwins(['http://127.0.0.1:8080', 'https://temporal.example.com']), [
      'http://127.0.0.1:8080',
      'http://localhost:8080',
      'https://temporal.example.com',
    ]);
    assert.deepEqual(withLoopbackTwins(['http://localhost:8233', 'http://127.0.0.1:8233']), [
      'http://localhost:8233',
      'http://127.0.0.1:8233',
    ]);
  });

  it('answer the preflight of the UI at http://localhost:<uiPort> and at http://127.0.0.1:<uiPort>', async () => {
    const config = parseConfig(demoSecrets());
    const options = configuredCodecServerOptions(config);
    const server = await startCodecServer({ ...options, port: 0 });
    try {
      const preflight = (origin: string) =>
        fetch(`${server.url}/${config.codecServer.token}/decode`, {
          method: 'OPTIONS',
          headers: {
            Origin: origin,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type,x-namespace',
          },
        });
      for (const origin of ['http://localhost:8233', 'http://127.0.0.1:8233']) {
        const response = await preflight(origin);
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), origin);
        assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
        assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
        assert.match(response.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
      }
      for (const origin of ['http://127.0.0.1:8234', 'http://localhost.example.com:8233']) {
        assert.equal((await preflight(origin)).headers.get('access-control-allow-origin'), null, origin);
      }
    } finally {
      await server.close();
    }
  });
});

/**
 * Workflows for these tests only, so that they depend on the codec and not on the pipeline's code:
 * written to a temporary file and bundled with the project's data converter, as the worker does.
 */
const testWorkflows = `
import { ApplicationFailure, condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export async function holdRecord(record) {
  let finished = false;
  setHandler(defineQuery('record'), () => record);
  setHandler(defineSignal('finish'), () => { finished = true; });
  await condition(() => finished);
  return record;
}

export async function upsertRecord(record) {
  const { upsertCustomer } = proxyActivities({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 } });
  return await upsertCustomer(record);
}

export async function validateRecord(record) {
  throw ApplicationFailure.nonRetryable('Phone "' + record.Phone + '" is not a phone number', 'InvalidRecord');
}
`;

interface TestRecord {
  Name: string;
  Phone: string;
}

describe('through the codec: the temporal CLI, the UI, and failure messages', () => {
  const projectModules = path.resolve(__dirname, '..', 'node_modules');
  const config = parseConfig(demoSecrets());
  const token = config.codecServer.token!;
  const taskQueue = `codec-test-${randomUUID().slice(0, 8)}`;
  const marker = `MARKER-${randomUUID().slice(0, 8)}`;
  const record: TestRecord = { Name: `Acme Holdings ${marker}`, Phone: `+1 415 555 ${marker}` };
  let cliPath: string | undefined;
  let temporal: TestWorkflowEnvironment;
  let codecServer: CodecServer;
  let codecEndpoint: string;
  let client: Client;
  let worker: Worker;
  let workerRunning: Promise<void>;
  let workflowDir: string;
  let cliHome: string;
  let held: WorkflowHandle;
  let completed: WorkflowHandle;
  const scheduleIds: string[] = [];

  before(async () => {
    const cli = findTemporalCli();
    cliPath = 'path' in cli ? cli.path : undefined;
    temporal = await startTemporal();
    codecServer = await startCodecServer({ ...configuredCodecServerOptions(config), port: 0 });
    // The server listens on 127.0.0.1; `localhost` may resolve to ::1 first.
    codecEndpoint = codecServer.url.replace('localhost', '127.0.0.1');
    client = new Client({
      connection: temporal.connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverter(config),
    });
    workflowDir = mkdtempSync(path.join(os.tmpdir(), 'record-sync-codec-test-'));
    cliHome = mkdtempSync(path.join(os.tmpdir(), 'record-sync-cli-home-'));
    writeFileSync(path.join(workflowDir, 'workflows.js'), testWorkflows);
    worker = await Worker.create({
      connection: temporal.nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue,
      workflowsPath: path.join(workflowDir, 'workflows.js'),
      // The workflow file lives outside the project: resolve its imports from the project.
      bundlerOptions: {
        webpackConfigHook: (webpack) => ({
          ...webpack,
          resolve: { ...webpack.resolve, modules: [...(webpack.resolve?.modules ?? []), projectModules] },
        }),
      },
      dataConverter: dataConverter(config),
      activities: {
        async upsertCustomer(rejected: TestRecord): Promise<never> {
          // As NetSuite does: the message quotes the value it rejected.
          throw ApplicationFailure.nonRetryable(
            `Invalid field value ${rejected.Phone} for field phone`,
            'PermanentFailure',
          );
        },
      },
    });
    workerRunning = worker.run();
    held = await client.workflow.start('holdRecord', {
      workflowId: `${taskQueue}-held`,
      taskQueue,
      args: [record],
    });
    completed = await client.workflow.start('holdRecord', {
      workflowId: `${taskQueue}-completed`,
      taskQueue,
      args: [record],
    });
    await completed.signal('finish');
    await completed.result();
  });

  after(async () => {
    for (const scheduleId of scheduleIds) {
      await client?.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => undefined);
    }
    await held
      ?.terminate()
      .catch(() => undefined)
      .then(() => undefined);
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRunning;
    await codecServer?.close();
    await temporal?.teardown();
    for (const dir of [workflowDir, cliHome]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI (never with spawnSync: the codec server answers from this process). */
  function temporalCli(
    args: string[],
    codec: 'bearer' | 'path' | 'none' = 'bearer',
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const codecArgs = {
      bearer: ['--codec-endpoint', codecEndpoint, '--codec-auth', `Bearer ${token}`],
      path: ['--codec-endpoint', `${codecEndpoint}/${token}`],
      none: [],
    }[codec];
    const common = ['--address', temporal.address, '--namespace', config.temporal.namespace];
    return new Promise((resolve) => {
      execFile(
        cliPath!,
        [...args, ...common, ...codecArgs],
        // A home of its own: no profile of the machine's user applies.
        { env: { PATH: process.env.PATH, HOME: cliHome }, timeout: 60_000, encoding: 'utf8' },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  function needsCli(t: TestContext): boolean {
    if (cliPath) return true;
    t.skip('no temporal CLI binary (npm run provision builds one)');
    return false;
  }

  it('`temporal workflow query` decodes the result (and sends its empty argument list through /encode)', async (t) => {
    if (!needsCli(t)) return;
    const query = ['workflow', 'query', '--workflow-id', held.workflowId, '--type', 'record', '-o', 'json'];
    for (const codec of ['bearer', 'path'] as const) {
      const { code, stdout, stderr } = await temporalCli(query, codec);
      assert.equal(code, 0, stderr);
      assert.deepEqual((JSON.parse(stdout) as { queryResult: unknown[] }).queryResult, [record], codec);
    }
    const raw = await temporalCli(query, 'none');
    assert.ok(!`${raw.stdout}${raw.stderr}`.includes(marker), 'without the codec the result stays encrypted');
    const noToken = await temporalCli([...query, '--codec-endpoint', codecEndpoint], 'none');
    assert.notEqual(noToken.code, 0);
    assert.match(noToken.stderr, /Unauthorized/);
    assert.ok(!noToken.stderr.includes(marker) && !noToken.stdout.includes(marker));
  });

  it('`temporal workflow show` decodes the result', async (t) => {
    if (!needsCli(t)) return;
    const { code, stdout, stderr } = await temporalCli([
      'workflow',
      'show',
      '--workflow-id',
      completed.workflowId,
    ]);
    assert.equal(code, 0, stderr);
    assert.ok(stdout.includes(JSON.stringify(record)), stdout);
    const raw = await temporalCli(['workflow', 'show', '--workflow-id', completed.workflowId], 'none');
    assert.ok(!raw.stdout.includes(marker), 'without the codec the result stays encrypted');
  });

  it('`temporal schedule describe` decodes the summary, details, memo and arguments', async (t) => {
    if (!needsCli(t)) return;
    const withArgs = `${taskQueue}-schedule`;
    const withoutArgs = `${taskQueue}-schedule-no-args`;
    scheduleIds.push(withArgs, withoutArgs);
    for (const [scheduleId, args] of [
      [withArgs, [record]],
      [withoutArgs, []],
    ] as const) {
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1 hour' }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'holdRecord',
          taskQueue,
          args: [...args],
          staticSummary: `Summary of ${marker}`,
          staticDetails: `Details of ${marker}`,
          memo: { account: record.Name },
        },
        memo: { owner: `schedule memo ${marker}` },
        state: { paused: true },
      });
    }
    const described = await temporalCli(['schedule', 'describe', '--schedule-id', withArgs]);
    assert.equal(described.code, 0, described.stderr);
    const text = described.stdout;
    assert.ok(text.includes(`"StaticSummary":"Summary of ${marker}"`), text);
    assert.ok(text.includes(`"StaticDetails":"Details of ${marker}"`), text);
    assert.ok(text.includes(`"owner":"schedule memo ${marker}"`), text);

    // In JSON every payload stays protobuf JSON: encoding json/plain, data base64 of the JSON.
    const asJson = await temporalCli(['schedule', 'describe', '--schedule-id', withArgs, '-o', 'json']);
    assert.equal(asJson.code, 0, asJson.stderr);
    assert.ok(!asJson.stdout.includes(base64(ENCRYPTED_ENCODING)), 'no payload left encrypted');
    const decoded = valuesUnder(JSON.parse(asJson.stdout), 'data')
      .filter((data): data is string => typeof data === 'string')
      .map(fromBase64);
    for (const value of [record, record.Name, `Summary of ${marker}`, `schedule memo ${marker}`]) {
      assert.ok(
        decoded.includes(JSON.stringify(value)),
        `${JSON.stringify(value)} among ${decoded.join(', ')}`,
      );
    }

    const noArgs = await temporalCli(['schedule', 'describe', '--schedule-id', withoutArgs]);
    assert.equal(noArgs.code, 0, noArgs.stderr);
    assert.ok(noArgs.stdout.includes(`Summary of ${marker}`), noArgs.stdout);

    const raw = await temporalCli(['schedule', 'describe', '--schedule-id', withArgs], 'none');
    assert.ok(!`${raw.stdout}${raw.stderr}`.includes(marker), 'without the codec nothing is readable');
  });

  describe('failure messages', () => {
    let rawHistories: { name: string; history: History }[];
    let failedInActivity: WorkflowHandle;

    before(async () => {
      failedInActivity = await client.workflow.start('upsertRecord', {
        workflowId: `${taskQueue}-upsert`,
        taskQueue,
        args: [record],
      });
      const failedInWorkflow = await client.workflow.start('validateRecord', {
        workflowId: `${taskQueue}-validate`,
        taskQueue,
        args: [record],
      });
      for (const handle of [failedInActivity, failedInWorkflow]) {
        await assert.rejects(handle.result(), WorkflowFailedError);
      }
      // Without the codec: what anyone with access to the server or its database sees.
      rawHistories = await Promise.all(
        [failedInActivity, failedInWorkflow].map(async ({ workflowId }) => ({
          name: workflowId,
          history: await temporal.client.workflow.getHandle(workflowId).fetchHistory(),
        })),
      );
    });

    it('the failure converter encodes messages and stack traces (by path, for workflow bundles too)', () => {
      const loaded = client.options.loadedDataConverter.failureConverter;
      assert.ok(loaded instanceof DefaultFailureConverter);
      assert.equal(loaded.options.encodeCommonAttributes, true);
      assert.equal(dataConverter(config).failureConverterPath, failureConverterPath);
    });

    it('are not stored in plaintext, neither from an activity nor from the workflow itself', () => {
      for (const { name, history } of rawHistories) {
        const raw = JSON.stringify(readable(history));
        assert.ok(!raw.includes(marker), `the rejected value is readable in the history of ${name}`);
        assert.match(raw, /Encoded failure/, name);
        assert.ok(raw.includes(ENCRYPTED_ENCODING), name);
      }
      const activityFailed = rawHistories[0].history.events!.find(
        (event) => event.activityTaskFailedEventAttributes,
      );
      assert.ok(activityFailed, 'the activity failure is in the history');
      const [failure] = failureChain(activityFailed.activityTaskFailedEventAttributes!.failure);
      assert.equal(failure.message, 'Encoded failure');
      assert.equal(failure.stackTrace, '');
    });

    it('read back with the codec, the client sees the messages', async () => {
      const error = await failedInActivity.result().catch((caught: unknown) => caught);
      assert.ok(error instanceof WorkflowFailedError);
      const messages: string[] = [];
      for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
        messages.push(cause.message);
      }
      assert.ok(
        messages.includes(`Invalid field value ${record.Phone} for field phone`),
        messages.join(' / '),
      );
    });

    it('the codec server decodes the encoded failure attributes as the UI asks for them', async () => {
      const workflowFailed = rawHistories[1].history.events!.find(
        (event) => event.workflowExecutionFailedEventAttributes,
      );
      const failure = workflowFailed!.workflowExecutionFailedEventAttributes!.failure!;
      assert.ok(failure.encodedAttributes, 'the failure carries encoded attributes');
      const origin = `http://127.0.0.1:${config.temporal.uiPort}`;
      const response = await fetch(`${codecEndpoint}/${token}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: origin },
        body: JSON.stringify({ payloads: [asJSON(failure.encodedAttributes as Payload)] }),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      const { payloads } = (await response.json()) as { payloads: { data: string }[] };
      const attributes = JSON.parse(fromBase64(payloads[0].data)) as { message: string; stack_trace: string };
      assert.equal(attributes.message, `Phone "${record.Phone}" is not a phone number`);
      assert.match(attributes.stack_trace, /ApplicationFailure/);
    });

    it('`temporal workflow show -o json` shows them decoded inside encodedAttributes', async (t) => {
      if (!needsCli(t)) return;
      const { code, stdout, stderr } = await temporalCli([
        'workflow',
        'show',
        '--workflow-id',
        failedInActivity.workflowId,
        '-o',
        'json',
      ]);
      assert.equal(code, 0, stderr);
      const attributes = valuesUnder(JSON.parse(stdout), 'encodedAttributes').map((payload) =>
        defaultPayloadConverter.fromPayload<{ message: string }>({
          metadata: { encoding: Buffer.from('json/plain') },
          data: Buffer.from((payload as { data: string }).data, 'base64'),
        }),
      );
      assert.ok(
        attributes.some(({ message }) => message === `Invalid field value ${record.Phone} for field phone`),
        JSON.stringify(attributes),
      );
    });
  });
});
