import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Pool, types, type QueryResult } from 'pg';
import { ConnectorError, PermanentError, PipelineError, RetryableError } from './errors';

/** What runs SQL: the database itself, or one transaction on it. */
export interface Queryable {
  /**
   * Runs one statement and returns its rows. Without params the text may hold several statements
   * (migrations); the rows are then the last statement's. NUMERIC and BIGINT come back as
   * strings, DATE as 'YYYY-MM-DD', TIMESTAMPTZ as a Date, JSON parsed.
   */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Inside,
   * only `tx` may be used: the embedded database would hold any other call until the work ends.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, safe to log: never a password. */
  readonly description: string;
}

const DATE_OID = 1082;
const INT8_OID = 20;

/**
 * Both implementations return the same shapes: a DATE as text (pg's default Date would shift it by
 * the local time zone), a BIGINT as text (pg's default; PGlite would give a lossy number).
 */
const asText = (value: string) => value;

const POOL_SIZE = 4;
const STATEMENT_TIMEOUT_MS = 30_000;
/** A transaction left open by a killed activity must not hold its row locks for long. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** A PostgreSQL server at `url` (postgres://user:password@host:port/database), over a small pool. */
export function connectPostgres(url: string): Database {
  const pool = new Pool({
    connectionString: url,
    max: POOL_SIZE,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'record-sync',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? asText : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
    },
  });
  // An idle connection the server dropped is removed by the pool; without a listener its error
  // would crash the worker. The next query opens a fresh connection (or fails and is classified).
  pool.on('error', () => undefined);

  const rowsOf = <T>(result: QueryResult | QueryResult[]): T[] =>
    (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as T[];

  return {
    description: `PostgreSQL ${maskPassword(url)}`,
    async query<T>(sql: string, params?: unknown[]) {
      try {
        return rowsOf<T>(await pool.query(sql, params));
      } catch (error) {
        throw classifyDatabaseError(error);
      }
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect().catch((error: unknown) => {
        throw classifyDatabaseError(error);
      });
      let broken = false;
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R>(sql: string, params?: unknown[]) {
            try {
              return rowsOf<R>(await client.query(sql, params));
            } catch (error) {
              throw classifyDatabaseError(error);
            }
          },
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection whose rollback fails is in an unknown state: it is discarded, not reused.
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw classifyDatabaseError(error);
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * An embedded PostgreSQL (PGlite) in `dataDir`, or in memory: the default when no DATABASE_URL is
 * configured. It has one connection, so every query and transaction waits its turn in one queue;
 * a query must never interleave with another caller's open transaction.
 */
export async function openEmbedded(dataDir: string | 'memory'): Promise<Database> {
  const parsers = { [DATE_OID]: asText, [INT8_OID]: asText };
  if (dataDir !== 'memory') mkdirSync(dataDir, { recursive: true });
  const db =
    dataDir === 'memory' ? await PGlite.create({ parsers }) : await PGlite.create(dataDir, { parsers });

  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    const turn = queue.then(run);
    queue = turn.catch(() => undefined);
    return turn;
  };

  const run = async <T>(on: Pick<PGlite, 'query' | 'exec'>, sql: string, params?: unknown[]) => {
    try {
      // PGlite's query takes one statement only; exec takes a script (without parameters).
      if (params === undefined || params.length === 0) {
        const results = await on.exec(sql);
        return (results.at(-1)?.rows ?? []) as T[];
      }
      return (await on.query<T>(sql, params)).rows;
    } catch (error) {
      throw classifyDatabaseError(error);
    }
  };

  return {
    description:
      dataDir === 'memory'
        ? 'embedded PostgreSQL (PGlite) in memory'
        : `embedded PostgreSQL (PGlite) in ${dataDir}`,
    query: <T>(sql: string, params?: unknown[]) => inTurn(() => run<T>(db, sql, params)),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
      inTurn(() =>
        db.transaction((tx) =>
          work({ query: <R>(sql: string, params?: unknown[]) => run<R>(tx, sql, params) }),
        ),
      ),
    close: () => inTurn(() => db.close()),
  };
}

/** `url` with its password (in the user info or a `password` parameter) replaced by ***. */
function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    // Not a URL (a key=value connection string, say): mask anything that looks like a password.
    return url.replace(/(password\s*=\s*)\S+/gi, '$1***').replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/**
 * A database error as a connector error, by SQLSTATE class: bad data (22, 23) cannot succeed on
 * retry; a missing table, privilege or login (42, 28, 3D) fails every record alike, so the
 * pipeline stops; anything else (connection, timeout, deadlock, serialisation) may pass later.
 * Only the message is kept: the driver's error carries the query and its parameters.
 */
function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof ConnectorError) return error;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  // Errors without a SQLSTATE (the caller's own, or a refused connection) stay as they are.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return error;
  const message = `PostgreSQL: ${(error as Error).message}`;
  if (/^(22|23)/.test(code)) return new PermanentError(message, { code });
  if (/^(42|28|3D)/.test(code)) return new PipelineError(message, { code });
  return new RetryableError(message, { code });
}
