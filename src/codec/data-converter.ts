import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { EncryptionCodec } from './encryption-codec';

/**
 * The failure converter, by path: the SDK loads it for clients and activities, and bundles it into
 * the workflow code. A prebuilt bundle (`bundleWorkflowCode`) must be given this path too, or the
 * workflows' own failures are written in plaintext.
 */
export const failureConverterPath = require.resolve('./failure-converter');

/**
 * The data converter of every client and worker: payloads, failure messages and stack traces are
 * encrypted before Temporal sees them.
 */
export function dataConverter(config: Config): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(config.encryption.keys)], failureConverterPath };
}
