import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { EncryptionCodec } from './encryption-codec';

/** The data converter of every client and worker: payloads are encrypted before Temporal sees them. */
export function dataConverter(config: Config): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(config.encryption.keys)] };
}
