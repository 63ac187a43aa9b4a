import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PipelineRegistry } from '../activities/record-path';
import { HttpError, readBody } from '../http-body';
import { destinationEventSignal } from '../workflows/messages';

/** A webhook that is not genuine (signature, timestamp) or not readable: answered 401 or 400. */
export class WebhookRefused extends Error {
  override readonly name = 'WebhookRefused';
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
  }
}

/** Webhooks are small; a larger body is refused before it is read whole. */
const MAX_BODY_BYTES = 1024 * 1024;

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  try {
    return await readBody(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof HttpError) throw new WebhookRefused(400, `body over ${MAX_BODY_BYTES} bytes`);
    throw error;
  }
}

/**
 * The endpoint destinations call back (a PIM's `product.published`): `POST /webhooks/<pipeline>`.
 * The pipeline checks the webhook and names the record workflow it is for; the event reaches that
 * workflow as a signal. An event for a record no workflow waits for (unknown, or already live) is
 * answered 200 and ignored; a webhook delivered twice is one event to the workflow. A failure to
 * reach Temporal answers 503, so the sender retries.
 */
export async function startWebhookServer({
  client,
  pipelines,
  host,
  port,
  logger,
}: {
  client: Client;
  pipelines: PipelineRegistry;
  host: string;
  port: number;
  logger: Pick<Logger, 'info' | 'warn'>;
}): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const answer = (status: number, body: Record<string, unknown>) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    void (async () => {
      const match = /^\/webhooks\/([a-z0-9][a-z0-9-]*)$/.exec(request.url ?? '');
      const name = match?.[1] ?? '';
      const pipeline = pipelines.get(name);
      if (!pipeline?.receiveWebhook) return answer(404, { error: 'no such webhook' });
      if (request.method !== 'POST') return answer(405, { error: 'POST only' });
      try {
        const receipt = await pipeline.receiveWebhook({
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([name, value]) => [
              name,
              Array.isArray(value) ? value.join(', ') : value,
            ]),
          ),
          body: await bodyOf(request),
        });
        if (!receipt.accepted) {
          logger.info({ pipeline: name, reason: receipt.reason }, 'webhook ignored');
          return answer(200, { ignored: receipt.reason });
        }
        try {
          await client.workflow
            .getHandle(receipt.workflowId)
            .signal(destinationEventSignal, { event: receipt.event, payload: receipt.payload });
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          logger.info({ pipeline: name, workflowId: receipt.workflowId }, 'webhook for no waiting record');
          return answer(200, { ignored: 'no record waits for this event (unknown, or already done)' });
        }
        return answer(200, { delivered: receipt.event });
      } catch (error) {
        if (error instanceof WebhookRefused) {
          logger.warn({ pipeline: name, reason: error.message }, 'webhook refused');
          return answer(error.status, { error: error.message });
        }
        logger.warn({ pipeline: name, error: String(error) }, 'webhook not delivered');
        return answer(503, { error: 'not delivered; try again' });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'webhooks listening');
  return {
    server,
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The endpoint a worker serves when a configured pipeline's destination calls back; else null. */
export function startPipelineWebhooks(
  settings: { host: string; port: number } | null,
  dependencies: Omit<Parameters<typeof startWebhookServer>[0], 'host' | 'port'>,
) {
  const wanted = [...dependencies.pipelines.values()].some((pipeline) => pipeline.receiveWebhook);
  return settings && wanted ? startWebhookServer({ ...dependencies, ...settings }) : Promise.resolve(null);
}
