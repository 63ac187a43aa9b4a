import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
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

/** Errors in log metadata as one line each: their type and message, not a multi-line dump. */
function flatten(meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!meta) return meta;
  return Object.fromEntries(
    Object.entries(meta).map(([key, value]) =>
      value instanceof Error ? [key, { type: value.name, message: value.message }] : [key, value],
    ),
  );
}

/** The Temporal SDK's own log (worker and activity lines), written through the process logger. */
export function temporalLogger(logger: pino.Logger): DefaultLogger {
  const level = logger.level.toUpperCase() as LogLevel;
  return new DefaultLogger(level === ('FATAL' as LogLevel) ? 'ERROR' : level, (entry) => {
    const method = entry.level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
    logger[method](flatten(entry.meta), entry.message);
  });
}

/**
 * Routes the Temporal SDK's own log through the process logger. The worker installs its Runtime
 * with metrics too: src/monitoring/runtime.ts.
 */
export function installTemporalLogging(logger: pino.Logger): void {
  Runtime.install({ logger: temporalLogger(logger) });
}
