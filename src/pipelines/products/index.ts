import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFileDrop } from '../../connectors/file-drop';
import { MedusaClient } from '../../connectors/medusa';
import { PimcoreClient } from '../../connectors/pimcore';
import type { DeliveryReport } from '../../domain/sync';
import type { Pipeline } from '../contract';
import { parseCategoryMapping } from './categories';
import { parseRates } from './currency';
import { createProductDestination } from './destination';
import { REQUEST_TIMEOUT_MS, type ProductSettings } from './settings';
import { createProductSource, type Delivery } from './source';
import { verifyProductWebhook } from './webhook';

export type { ProductSettings } from './settings';

/** A file the project ships (`config/`), found from the sources or the compiled `dist/`. */
function projectFile(relative: string): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate) && existsSync(path.join(dir, 'package.json'))) return candidate;
  }
  throw new Error(`no ${relative} in the project above ${__dirname}`);
}

function readJson(file: string, variable: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${variable}: cannot read ${file} as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** The rates and category mapping the pipeline converts and maps with; a bad file stops start-up. */
export function readTransformFiles(
  settings: Pick<ProductSettings, 'ratesFile' | 'categoriesFile' | 'storeCurrency'>,
) {
  const ratesFile = settings.ratesFile ?? projectFile(path.join('config', 'currency-rates.json'));
  const categoriesFile =
    settings.categoriesFile ?? projectFile(path.join('config', 'product-categories.json'));
  const rates = parseRates(readJson(ratesFile, 'PRODUCT_CURRENCY_RATES_FILE'), ratesFile);
  if (!rates.rates.has(settings.storeCurrency)) {
    throw new Error(
      `PRODUCT_CURRENCY_RATES_FILE ${ratesFile}: has no rate for STORE_CURRENCY ${settings.storeCurrency}`,
    );
  }
  return {
    storeCurrency: settings.storeCurrency,
    rates,
    categories: parseCategoryMapping(readJson(categoriesFile, 'PRODUCT_CATEGORIES_FILE'), categoriesFile),
  };
}

/**
 * Issue #13 (seed 002): suppliers drop product files (JSON, or CSV for simple feeds); each
 * product is transformed to the canonical model, upserted into Pimcore (stage 1), waits for a
 * person to publish it there (the PIM's signed webhook), then goes live in the Medusa storefront
 * (stage 2). Each file is archived once its products have reached stage 1, or quarantined whole.
 */
export async function createProductsPipeline(settings: ProductSettings): Promise<Pipeline> {
  const transform = readTransformFiles(settings);
  const drop = createFileDrop(settings.drop);
  const pim = new PimcoreClient({
    graphqlUrl: settings.pimcore.graphqlUrl,
    apiKey: settings.pimcore.apiKey,
    productsFolder: settings.pimcore.productsFolder,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  const medusa = new MedusaClient({
    url: settings.medusa.url,
    secretApiKey: settings.medusa.secretApiKey,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  const source = createProductSource({ drop, pageSize: settings.settings.pageSize });
  const destination = createProductDestination({
    pim,
    medusa,
    transform,
    salesChannelId: settings.medusa.salesChannelId,
  });
  return {
    readPage: source.readPage,
    readRecord: (_recordId, version) => source.readRecord(version),
    loadRecord: destination.loadRecord,
    continueRecord: destination.continueRecord,
    checkEdit: destination.checkEdit,
    applyEdit: destination.applyEdit,
    receiveWebhook: async (request) =>
      verifyProductWebhook(request, {
        secret: settings.pimcore.webhookSecret,
        pipeline: settings.name,
        productsFolder: settings.pimcore.productsFolder,
      }),

    /** Archives a file whose products all reached the PIM (or a problem record); quarantines a bad one. */
    async completeDelivery(delivery: unknown, { runId }: { runId: string }): Promise<DeliveryReport> {
      const done = delivery as Delivery;
      const at = new Date().toISOString();
      if (done.outcome === 'quarantined') {
        await drop.quarantine(done.key, done.reason);
        return {
          name: path.posix.basename(done.key),
          status: 'QUARANTINED',
          at,
          counts: {},
          note: done.reason,
        };
      }
      const archived = await drop.archive(done.file.key, done.file.checksum);
      return {
        name: path.posix.basename(done.file.key),
        status: 'LOADED',
        at,
        counts: { products: done.products },
        note: `run ${runId}; supplier ${done.file.supplier}; archived as ${archived}`,
      };
    },
  };
}
