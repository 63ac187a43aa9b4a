import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from './database';

/** Any fixed number: every record-sync process takes the same lock while it migrates. */
const MIGRATION_LOCK = 7_146_930_201;

/**
 * Applies the `*.sql` files in `folder` not yet recorded in schema_migrations, in file-name order,
 * each in its own transaction with its record. Returns the names it applied (none when the schema
 * is current). Workers that start together take turns on an advisory lock, and each looks again
 * at what is applied once it holds the lock, so no file runs twice.
 */
export async function migrate(db: Database, folder: string): Promise<string[]> {
  const names = (await readdir(folder)).filter((name) => name.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const name of names) {
    const sql = await readFile(path.join(folder, name), 'utf8');
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Created under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
      await tx.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
      if (done.length > 0) return false;
      await tx.query(sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      return true;
    });
    if (ran) applied.push(name);
  }
  return applied;
}
