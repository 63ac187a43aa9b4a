import pino from 'pino';
import type { Config } from './config';
import { configuredSecrets } from './config';

/** The process logger. Every configured secret is masked, wherever it would appear in a line. */
export function createLogger(config: Config): pino.Logger {
  const secrets = configuredSecrets(config);
  const mask = (text: string) =>
    secrets.reduce((masked, secret) => masked.split(secret).join('[redacted]'), text);
  return pino({
    level: config.logLevel,
    hooks: {
      streamWrite: mask,
    },
  });
}
