import { mkdir, open, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { DroppedFile, DropStorage } from './index';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** A drop in a local (or mounted) folder; moves are renames, so they are atomic within the folder. */
export class FolderStorage implements DropStorage {
  readonly description: string;
  private readonly root: string;

  constructor(path: string) {
    this.root = resolve(path);
    this.description = `folder ${this.root}`;
  }

  async list(folder: string): Promise<DroppedFile[]> {
    // Whoever drops files finds the folders ready.
    await Promise.all(
      ['inbox', 'archive', 'quarantine'].map((name) => mkdir(join(this.root, name), { recursive: true })),
    );
    let entries;
    try {
      entries = await readdir(this.path(folder), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const files = await Promise.all(
      entries.filter((entry) => entry.isFile()).map((entry) => this.describe(`${folder}${entry.name}`)),
    );
    return files.filter((file): file is DroppedFile => file !== null);
  }

  async open(key: string, fromByte: number): Promise<Readable | null> {
    try {
      const file = await open(this.path(key), 'r');
      return file.createReadStream({ start: fromByte });
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async move(from: string, to: string): Promise<boolean> {
    await mkdir(dirname(this.path(to)), { recursive: true });
    try {
      await rename(this.path(from), this.path(to));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.describe(key)) !== null;
  }

  /** Written under a dotfile name and renamed into place, so no reader sees half a file. */
  async write(key: string, body: Buffer | string): Promise<void> {
    const path = this.path(key);
    const partial = join(dirname(path), `.${basename(path)}.${randomUUID()}.partial`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(partial, body);
    await rename(partial, path);
  }

  /** null when the file has gone (moved by another run between listing and looking). */
  private async describe(key: string): Promise<DroppedFile | null> {
    try {
      const stats = await stat(this.path(key));
      return { key, lastModified: stats.mtime.toISOString(), size: stats.size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  private path(key: string): string {
    return join(this.root, ...key.split('/'));
  }
}
