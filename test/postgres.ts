import { randomBytes } from 'node:crypto';
import { connectPostgres, type Database } from '../src/connectors/database';

/** The PostgreSQL server the tests use: the machine's own (PGHOST, PGPORT, PGUSER). */
const server = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: process.env.PGPORT ?? '5432',
  user: process.env.PGUSER ?? 'postgres',
};

export const postgresUrl = (database: string): string =>
  `postgres://${encodeURIComponent(server.user)}@${server.host}:${server.port}/${database}`;

/** A new, empty database on the real server, and how to throw it away. */
export async function freshDatabase(): Promise<{ url: string; db: Database; drop(): Promise<void> }> {
  const name = `record_sync_test_${randomBytes(6).toString('hex')}`;
  const admin = connectPostgres(postgresUrl('postgres'));
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.close();
    throw error;
  }
  const db = connectPostgres(postgresUrl(name));
  return {
    url: postgresUrl(name),
    db,
    async drop() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
