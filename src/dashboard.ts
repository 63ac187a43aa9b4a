import { ConfigError, loadConfig } from './config';
import { startDashboard } from './dashboard/server';
import { isLoopback } from './dashboard/access';
import { createLogger } from './logger';
import { connectClient } from './temporal';

/** `npm run dashboard` (or `node dist/src/dashboard.js`): the dashboard alone, beside running workers. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const client = await connectClient(config);
  const dashboard = await startDashboard({
    client,
    config,
    onError: (error) => logger.error({ err: error }, 'dashboard request failed'),
  });
  logger.info({ url: dashboard.url }, 'record-sync dashboard listening');
  if (!isLoopback(config.dashboard.host) && !config.dashboard.token) {
    logger.warn('the dashboard is open to the network without DASHBOARD_TOKEN: put it behind single sign-on');
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void dashboard.close().then(() => client.connection.close());
    });
  }
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `dashboard: ${(error as Error).message}`);
  process.exit(1);
});
