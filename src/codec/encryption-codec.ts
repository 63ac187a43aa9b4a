import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export interface EncryptionKey {
  /** Stored with every payload, so the right key is found after a rotation. */
  id: string;
  /** 32 bytes: AES-256. */
  key: Buffer;
}

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/**
 * Encrypts every payload (the whole serialized Payload, metadata included) with AES-256-GCM.
 * The first key encrypts; any key decrypts the payloads written under its id, which is how keys
 * rotate: put the new key first and keep the old ones until no history needs them.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly current: EncryptionKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new ValueError('EncryptionCodec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.current.id),
      },
      data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), this.current.key),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Payloads written before encryption was turned on stay readable.
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
      const key = this.byId.get(keyId);
      if (!key) {
        throw new ValueError(
          `A payload is encrypted with key id "${keyId}", which is not in RECORD_SYNC_ENCRYPTION_KEYS`,
        );
      }
      if (!payload.data) throw new ValueError('An encrypted payload has no data');
      return temporal.api.common.v1.Payload.decode(decrypt(payload.data, key));
    });
  }
}

function encrypt(plaintext: Uint8Array, key: Buffer): Buffer {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_LENGTH });
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(sealed: Uint8Array, key: Buffer): Buffer {
  const data = Buffer.from(sealed);
  if (data.length < IV_LENGTH + TAG_LENGTH) throw new ValueError('An encrypted payload is truncated');
  const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_LENGTH), {
    authTagLength: TAG_LENGTH,
  });
  decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH));
  return Buffer.concat([
    decipher.update(data.subarray(IV_LENGTH, data.length - TAG_LENGTH)),
    decipher.final(),
  ]);
}
