import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMedusaSandbox, type MedusaSandbox } from '../sandbox/medusa';
import { sampleStoreCategories } from '../sandbox/store-categories';
import { startPimcoreSandbox, type PimcoreSandbox } from '../sandbox/pimcore';
import { demoSecrets, productSandboxSettings } from '../sandbox/settings';

/**
 * The products pipeline's stand-ins for tests: the Pimcore and Medusa sandboxes (Medusa with the
 * store categories config/product-categories.json names), and a subscriber that records the
 * PIM's webhooks instead of record-sync's endpoint, so a test hands them to the pipeline itself.
 */

export interface ReceivedWebhook {
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface ProductSandboxes {
  pim: PimcoreSandbox;
  shop: MedusaSandbox;
  /** Webhooks the PIM sent since the last reset. */
  received: ReceivedWebhook[];
  /** The products pipeline's settings for these sandboxes and a drop folder, as environment variables. */
  environment(folder: string, extra?: Record<string, string>): Record<string, string>;
  reset(): void;
  close(): Promise<void>;
}

export async function startProductSandboxes(): Promise<ProductSandboxes> {
  let received: ReceivedWebhook[] = [];
  const subscriber: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers as IncomingHttpHeaders).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(', ') : v,
        ]),
      );
      received.push({ headers, body: Buffer.concat(chunks) });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => subscriber.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/webhooks/products`;
  const pim = await startPimcoreSandbox({ webhookUrl, webhookRetryDelaysMs: [20, 40, 80] });
  const shop = await startMedusaSandbox({ categories: sampleStoreCategories() });
  return {
    pim,
    shop,
    get received() {
      return received;
    },
    environment: (folder, extra = {}) => ({
      ...demoSecrets(),
      ...productSandboxSettings({ pimcore: pim.url, medusa: shop.url }),
      PRODUCT_FILES_FOLDER: folder,
      PRODUCT_FILES_SETTLE: '0ms',
      STORE_CURRENCY: 'EUR',
      PRODUCTS_RETRY_INITIAL_INTERVAL: '100ms',
      ...extra,
    }),
    reset() {
      pim.reset();
      shop.reset();
      received = [];
    },
    async close() {
      await pim.close();
      await shop.close();
      subscriber.closeAllConnections();
      await new Promise<void>((resolve) => subscriber.close(() => resolve()));
    },
  };
}
