import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { dataConverter } from './codec/data-converter';
import type { Config } from './config';

const DEFAULT_ADDRESS = 'localhost:7233';

/**
 * Connection settings follow Temporal's own environment configuration (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TOML profiles), so one build talks to a
 * dev server, a self-hosted cluster or Temporal Cloud.
 */
function connectionOptions(config: Config) {
  const { connectionOptions: options } = loadClientConnectConfig();
  return { ...options, address: config.temporal.address ?? options.address ?? DEFAULT_ADDRESS };
}

export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

function unreachable(address: string, error: unknown): TemporalUnreachableError {
  return new TemporalUnreachableError(
    `Cannot reach the Temporal server at ${address} (${(error as Error).message}). ` +
      'Start it with `npm start`, or set TEMPORAL_ADDRESS to a running server.',
  );
}

export async function connectClient(config: Config): Promise<Client> {
  const options = connectionOptions(config);
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: '5s' });
    return new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverter(config),
    });
  } catch (error) {
    throw unreachable(options.address, error);
  }
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  const options = connectionOptions(config);
  try {
    return await NativeConnection.connect(options);
  } catch (error) {
    throw unreachable(options.address, error);
  }
}
