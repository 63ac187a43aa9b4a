import { Command } from 'commander';
import { ConfigError, loadConfig } from './config';
import { configuredCodecServerOptions, startCodecServer } from './codec/http-server';
import { createLogger } from './logger';

const help = `
Decrypts payloads for the Temporal UI (and \`temporal --codec-endpoint\`) with the keys in
RECORD_SYNC_ENCRYPTION_KEYS, for callers holding RECORD_SYNC_CODEC_SERVER_TOKEN, either way:
  - header:  Authorization: Bearer <token>, endpoint http://localhost:<port>
  - path:    endpoint http://localhost:<port>/<token>  (for a UI that cannot send the header,
             such as the local dev server's: paste it under the UI's codec server settings)
Browser origins allowed: RECORD_SYNC_CODEC_SERVER_CORS_ORIGINS (default the local UI).
Port: RECORD_SYNC_CODEC_SERVER_PORT (default 8888).`;

async function main(): Promise<void> {
  new Command('codec-server')
    .description('the Temporal codec server of record-sync')
    .addHelpText('after', help)
    .parse();
  const config = loadConfig();
  const logger = createLogger(config);
  const server = await startCodecServer({
    ...configuredCodecServerOptions(config),
    onError: (error) => logger.error({ err: error }, 'codec server request failed'),
  });
  // The token is never printed: it is a secret like the keys.
  logger.info(
    { endpoint: `${server.url}/<token>`, origins: config.codecServer.corsOrigins },
    'codec server listening',
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close());
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `codec-server: ${(error as Error).message}`);
  process.exit(1);
});
