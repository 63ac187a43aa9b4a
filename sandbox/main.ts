import { SANDBOX_PORTS } from './credentials';
import { startMedusaSandbox } from './medusa';
import { startNetSuiteSandbox } from './netsuite';
import { startPimcoreSandbox } from './pimcore';
import { startSalesforceSandbox } from './salesforce';

/** Standalone sandboxes (`npm run sandbox`), for `npm start` and benches driving them over /__admin. */

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} must be a port number, got '${raw}'`);
  return value;
}

async function main(): Promise<void> {
  // 0.0.0.0 in a container, so other services can reach it; loopback otherwise.
  const host = process.env.SANDBOX_LISTEN_HOST || '127.0.0.1';
  const salesforce = await startSalesforceSandbox({
    host,
    port: port('SANDBOX_SALESFORCE_PORT', SANDBOX_PORTS.salesforce),
  });
  const netsuite = await startNetSuiteSandbox({
    host,
    port: port('SANDBOX_NETSUITE_PORT', SANDBOX_PORTS.netsuite),
  });
  const medusa = await startMedusaSandbox({ host, port: port('SANDBOX_MEDUSA_PORT', SANDBOX_PORTS.medusa) });
  const pimcore = await startPimcoreSandbox({
    host,
    port: port('SANDBOX_PIMCORE_PORT', SANDBOX_PORTS.pimcore),
    // Where Pimcore's product webhooks go (record-sync's endpoint), and how soon a "person" publishes.
    webhookUrl: process.env.SANDBOX_PIMCORE_WEBHOOK_URL || undefined,
    autoPublishAfterMs: Number(process.env.SANDBOX_PIMCORE_AUTO_PUBLISH_MS) || 0,
  });
  console.log(`Salesforce sandbox listening on ${salesforce.url}`);
  console.log(`NetSuite sandbox listening on ${netsuite.url}`);
  console.log(`Medusa sandbox listening on ${medusa.url} (Admin API under /admin)`);
  console.log(`Pimcore sandbox listening on ${pimcore.graphqlUrl}`);

  const shutdown = () => {
    Promise.all([salesforce.close(), netsuite.close(), medusa.close(), pimcore.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
