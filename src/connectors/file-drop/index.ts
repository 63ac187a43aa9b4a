import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { readElements, type ElementPage, type ElementPageRequest } from './elements';
import { FolderStorage } from './local';
import { readRows } from './rows';
import { S3Storage } from './s3';

export { UnreadableFile } from './rows';
export type { ElementPage, ElementPageRequest, FileElement } from './elements';

export type Cell = string | number | boolean | null;
/** A data row by column name; for JSON, by the flattened dotted path (`account.id`, `valuations.0.begin`). */
export type Row = Record<string, Cell>;
export type FileFormat = 'csv' | 'xlsx' | 'json';

export interface DroppedFile {
  /** Relative to the drop's root, e.g. `inbox/vendor-a-2026-10.csv`. */
  key: string;
  /** ISO-8601 UTC with milliseconds. */
  lastModified: string;
  size: number;
}

export interface RowPageRequest {
  format: FileFormat;
  /** 0-based index of the next data row. */
  fromRow: number;
  /** Opaque, from the previous page: lets a CSV read resume where that page ended instead of from the start. */
  cursor?: string;
  /** At most this many rows. */
  count: number;
  /** For xlsx: the worksheet and its header row are the first to name all of these. */
  expectedColumns: string[];
}

export interface FileRow {
  /** Where a person finds the row: the CSV line it starts on, the xlsx row number, the JSON element's index + 1. */
  row: number;
  values: Row;
  /** Why the row cannot be trusted as it is, e.g. "has 7 columns, the header has 9". */
  problem?: string;
}

export interface RowPage {
  /** The named columns in file order; for JSON, the keys of this page's rows in order of first appearance. */
  header: string[];
  /** The worksheet read, for xlsx. */
  sheet?: string;
  rows: FileRow[];
  /** The fromRow of the next page. */
  nextRow: number;
  /** Pass to the next page's request. */
  cursor?: string;
  done: boolean;
}

export interface FileDrop {
  /** "folder /x" or "s3://bucket/prefix", for logs and status. */
  readonly description: string;
  /** The files waiting in inbox/, oldest first (ties by key); not dotfiles, nor files still being copied in. */
  listInbox(): Promise<DroppedFile[]>;
  /** sha256 of the file's bytes, hex. */
  checksum(key: string): Promise<string>;
  /** One page of the file's data rows, read as a stream; throws UnreadableFile when the file is not of its format. */
  readRows(key: string, request: RowPageRequest): Promise<RowPage>;
  /** One page of a JSON file's elements as whole values (nested ones kept); throws UnreadableFile like readRows. */
  readElements(key: string, request: ElementPageRequest): Promise<ElementPage>;
  /** Moves inbox/<name> to archive/<checksum>/<name> and returns that key. */
  archive(key: string, checksum: string): Promise<string>;
  /** The key of an archived file with that checksum (the same file dropped again), or null. */
  findArchived(checksum: string): Promise<string | null>;
  /** Moves the file to quarantine/<name>, writes the reason next to it as quarantine/<name>.reason.txt; returns the new key. */
  quarantine(key: string, reason: string): Promise<string>;
  put(key: string, body: Buffer | string): Promise<void>;
}

export interface FolderDropSettings {
  kind: 'folder';
  path: string;
  /** A file modified this recently may still be being copied in: listInbox leaves it for later. */
  settleMs?: number;
}

export interface S3DropSettings {
  kind: 's3';
  bucket: string;
  /** Key prefix of the drop's root, with or without the trailing slash. */
  prefix?: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Unset: the AWS SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Where a drop's files are kept. Keys are relative to the drop's root and already checked. */
export interface DropStorage {
  readonly description: string;
  /** The files directly in a folder of the drop (`inbox/`), in any order. */
  list(folder: string): Promise<DroppedFile[]>;
  /** The file's bytes from `fromByte` on; null when there is no such file. */
  open(key: string, fromByte: number): Promise<Readable | null>;
  /** false when there is no file at `from`. */
  move(from: string, to: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  write(key: string, body: Buffer | string): Promise<void>;
}

/** The same default as VENDOR_FILES_SETTLE: long enough for a copy onto a local disk to finish. */
const DEFAULT_SETTLE_MS = 2_000;

export function createFileDrop(settings: FolderDropSettings | S3DropSettings): FileDrop {
  if (settings.kind === 'folder') {
    return new Drop(new FolderStorage(settings.path), settings.settleMs ?? DEFAULT_SETTLE_MS);
  }
  // An S3 object appears only once its upload is complete: nothing to wait for.
  return new Drop(new S3Storage(settings), 0);
}

/** By code unit, not locale: ISO timestamps and keys sort as written. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A relative path of plain segments, so no key reaches outside the drop's root. */
function checkKey(key: string): string {
  const segments = key.split('/');
  if (
    segments.some(
      (segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\0'),
    )
  ) {
    throw new Error(`'${key}' is not a key in a file drop`);
  }
  return key;
}

function checkChecksum(checksum: string): string {
  if (!/^[0-9a-f]{64}$/.test(checksum)) throw new Error(`'${checksum}' is not a sha256 checksum in hex`);
  return checksum;
}

/** The drop's layout (inbox/, archive/<checksum>/, quarantine/) over either storage. */
class Drop implements FileDrop {
  readonly description: string;

  constructor(
    private readonly storage: DropStorage,
    private readonly settleMs: number,
  ) {
    this.description = storage.description;
  }

  async listInbox(): Promise<DroppedFile[]> {
    const settledBefore = Date.now() - this.settleMs;
    const files = await this.storage.list('inbox/');
    return files
      .filter((file) => !posix.basename(file.key).startsWith('.'))
      .filter((file) => Date.parse(file.lastModified) <= settledBefore)
      .sort((a, b) => compare(a.lastModified, b.lastModified) || compare(a.key, b.key));
  }

  async checksum(key: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of await this.open(key, 0)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async readRows(key: string, request: RowPageRequest): Promise<RowPage> {
    return readRows(key, request, (fromByte) => this.open(key, fromByte));
  }

  async readElements(key: string, request: ElementPageRequest): Promise<ElementPage> {
    return readElements(key, request, await this.open(key, 0));
  }

  async archive(key: string, checksum: string): Promise<string> {
    const name = posix.basename(checkKey(key));
    if (key !== `inbox/${name}`) throw new Error(`only a file in inbox/ is archived, not '${key}'`);
    return this.move(key, `archive/${checkChecksum(checksum)}/${name}`);
  }

  async findArchived(checksum: string): Promise<string | null> {
    const files = await this.storage.list(`archive/${checkChecksum(checksum)}/`);
    return files.map((file) => file.key).sort()[0] ?? null;
  }

  async quarantine(key: string, reason: string): Promise<string> {
    const to = await this.move(checkKey(key), `quarantine/${posix.basename(key)}`);
    await this.storage.write(`${to}.reason.txt`, `${reason}\n`);
    return to;
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    return this.storage.write(checkKey(key), body);
  }

  private async open(key: string, fromByte: number): Promise<Readable> {
    const stream = await this.storage.open(checkKey(key), fromByte);
    if (!stream) throw this.missing(key);
    return stream;
  }

  /**
   * A move whose file is already at `to` counts as done, so an activity retried after the move
   * (but before it could report success) succeeds instead of failing on a file that has left.
   */
  private async move(from: string, to: string): Promise<string> {
    if (!(await this.storage.move(from, to)) && !(await this.storage.exists(to))) throw this.missing(from);
    return to;
  }

  private missing(key: string): Error {
    return new Error(`${this.description} has no file ${key}`);
  }
}
