import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { DroppedFile, DropStorage, S3DropSettings } from './index';

/**
 * A drop under a key prefix of an S3 bucket (or an S3-compatible store). SDK errors propagate as
 * they are, for the caller to classify; only a missing object is answered (null or false).
 */
export class S3Storage implements DropStorage {
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  /** '' or the prefix with one trailing slash. */
  private readonly root: string;

  constructor(settings: S3DropSettings) {
    const prefix = (settings.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.bucket = settings.bucket;
    this.root = prefix ? `${prefix}/` : '';
    this.description = `s3://${settings.bucket}${prefix ? `/${prefix}` : ''}`;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
    });
  }

  async list(folder: string): Promise<DroppedFile[]> {
    const files: DroppedFile[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.root + folder,
          // Only the folder's own files, not those in folders below it.
          Delimiter: '/',
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        // Keys ending in '/' are folder markers that consoles create, not files.
        if (!object.Key || object.Key.endsWith('/')) continue;
        files.push({
          key: object.Key.slice(this.root.length),
          lastModified: (object.LastModified ?? new Date(0)).toISOString(),
          size: object.Size ?? 0,
        });
      }
      continuationToken = page.NextContinuationToken;
    } while (continuationToken);
    return files;
  }

  async open(key: string, fromByte: number): Promise<Readable | null> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.root + key,
          Range: fromByte > 0 ? `bytes=${fromByte}-` : undefined,
        }),
      );
      if (!(object.Body instanceof Readable))
        throw new Error(`${this.description}: ${key} came without a body`);
      return object.Body;
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      throw error;
    }
  }

  /** S3 has no move: a copy, then the original is deleted. */
  async move(from: string, to: string): Promise<boolean> {
    const source = `${this.bucket}/${this.root}${from}`;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.root + to,
          // The copy source travels in a header and must be URL-encoded; the slashes stay.
          CopySource: source.split('/').map(encodeURIComponent).join('/'),
        }),
      );
    } catch (error) {
      if (error instanceof NoSuchKey) return false;
      throw error;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.root + from }));
    return true;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.root + key }));
      return true;
    } catch (error) {
      if (error instanceof NotFound) return false;
      throw error;
    }
  }

  async write(key: string, body: Buffer | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.root + key, Body: body }));
  }
}
