import { Command } from 'commander';
import { ConfigError, loadConfig } from './config';
import { configuredCodecServerOptions, startCodecServer } from './codec/http-server';
import { createLogger } from './logger';

const help = `
Decrypts payloads (and failure messages) for the Temporal UI and the temporal CLI with the keys in
RECORD_SYNC_ENCRYPTION_KEYS, for callers holding RECORD_SYNC_CODEC_SERVER_TOKEN, either way:
  - header:  Authorization: Bearer <token>, endpoint http://localhost:<port>; for the CLI:
             temporal workflow show -w <id> --codec-endpoint http://127.0.0.1:<port> \\
               --codec-auth "Bearer <token>"
  - path:    endpoint http://localhost:<port>/<token>  (for a UI that cannot send the header,
             such as the local dev server's: paste it under the UI's codec server settings)
Browser origins allowed: RECORD_SYNC_CODEC_SERVER_CORS_ORIGINS (default the local UI, as
http://localhost:<TEMPORAL_UI_PORT> and http://127.0.0.1:<TEMPORAL_UI_PORT>; a localhost or
127.0.0.1 origin always allows its twin).
Port: RECORD_SYNC_CODEC_SERVER_PORT (default 8888).`;

async function main(): Promise<void> {
  new Command('codec-server')
    .description('the Temporal codec server of record-sync')
    .addHelpText('after', help)
    .parse();
  const config = loadConfig();
  const logger = createLogger(config);
  const options = configuredCodecServerOptions(config);
  const server = await startCodecServer({
    ...options,
    onError: (error) => logger.error({ err: error }, 'codec server request failed'),
  });
  // The token is never printed: it is a secret like the keys.
  logger.info({ endpoint: `${server.url}/<token>`, origins: options.corsOrigins }, 'codec server listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close());
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : `codec-server: ${(error as Error).message}`);
  process.exit(1);
});
