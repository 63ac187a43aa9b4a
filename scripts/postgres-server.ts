import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from './dev-server';
import { findTemporalCli } from './temporal-cli';

/**
 * `npm run test:postgres`: the Temporal server the production stack runs (PostgreSQL persistence,
 * not the dev server's SQLite), built from the `go.temporal.io/server` module at the dev server's
 * version, its schema set up on the local PostgreSQL, then the end-to-end suites against it.
 * Settings: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD ('').
 */

const SERVER_VERSION = 'v1.29.1';
const projectRoot = path.resolve(__dirname, '..');
const binDir = path.join(projectRoot, '.tools', 'temporal-server');
const rootDir = path.join(projectRoot, '.data', 'postgres-server');
const ADDRESS = '127.0.0.1:7233';
const pg = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: process.env.PGPORT ?? '5432',
  user: process.env.PGUSER ?? 'postgres',
  password: process.env.PGPASSWORD ?? '',
};
const databases = { temporal: 'record_sync_temporal', visibility: 'record_sync_temporal_visibility' };

function log(line: string): void {
  console.log(`[postgres-server] ${line}`);
}

function build(): void {
  for (const [binary, pkg] of [
    ['server', 'go.temporal.io/server/cmd/server'],
    ['sql', 'go.temporal.io/server/cmd/tools/sql'],
  ]) {
    if (existsSync(path.join(binDir, binary))) continue;
    log(`building ${pkg}@${SERVER_VERSION} (first time only; several minutes)`);
    execFileSync('go', ['install', `${pkg}@${SERVER_VERSION}`], {
      env: { ...process.env, GOBIN: binDir },
      stdio: 'inherit',
    });
  }
}

function moduleDir(): string {
  const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return path.join(cache, `go.temporal.io/server@${SERVER_VERSION}`);
}

/** Drops and recreates both databases, then applies every versioned schema step. */
function setUpSchema(schemaRoot: string): void {
  const sql = (database: string, ...args: string[]) =>
    execFileSync(
      path.join(binDir, 'sql'),
      [
        '--plugin',
        'postgres12',
        '--ep',
        pg.host,
        '-p',
        pg.port,
        '-u',
        pg.user,
        '--pw',
        pg.password,
        '--db',
        database,
        ...args,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  for (const [name, database] of Object.entries(databases)) {
    const schemaDir = path.join(schemaRoot, name === 'temporal' ? 'temporal' : 'visibility', 'versioned');
    sql(database, 'drop-database', '--force');
    sql(database, 'create-database');
    sql(database, 'setup-schema', '-v', '0.0');
    sql(database, 'update-schema', '-d', schemaDir);
    log(`schema ready in ${database}`);
  }
}

function writeConfig(module: string): void {
  const configDir = path.join(rootDir, 'config');
  const dynamicConfig = path.join(configDir, 'dynamicconfig', 'development-sql.yaml');
  mkdirSync(path.dirname(dynamicConfig), { recursive: true });
  const config = readFileSync(path.join(module, 'config', 'development-postgres12.yaml'), 'utf8')
    .replace(/databaseName: "temporal"/, `databaseName: "${databases.temporal}"`)
    .replace(/databaseName: "temporal_visibility"/, `databaseName: "${databases.visibility}"`)
    .replace(/connectAddr: "127.0.0.1:5432"/g, `connectAddr: "${pg.host}:${pg.port}"`)
    .replace(/user: "temporal"/g, `user: "${pg.user}"`)
    .replace(/password: "temporal"/g, `password: "${pg.password}"`)
    .replace(/level: info/, 'level: error')
    // The server resolves this path against its working directory, not --root.
    .replace(/filepath: "config\/dynamicconfig\/development-sql.yaml"/, `filepath: "${dynamicConfig}"`);
  writeFileSync(path.join(configDir, 'development-postgres12.yaml'), config);
  writeFileSync(dynamicConfig, '');
}

async function waitForServer(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address: ADDRESS, connectTimeout: '1s' });
      await connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function main(): Promise<void> {
  build();
  const module = moduleDir();
  setUpSchema(path.join(module, 'schema', 'postgresql', 'v12'));
  writeConfig(module);
  const serverLog = openSync(path.join(rootDir, 'server.log'), 'w');
  const server = spawn(
    path.join(binDir, 'server'),
    ['--root', rootDir, '--config', 'config', '--env', 'development-postgres12', '--allow-no-auth', 'start'],
    { stdio: ['ignore', serverLog, serverLog] },
  );
  log(`server log: ${path.join(rootDir, 'server.log')}`);
  process.once('exit', () => server.kill('SIGKILL'));
  try {
    await waitForServer();
    const cli = findTemporalCli();
    if (!('path' in cli)) throw new Error('registering search attributes needs the temporal CLI');
    const temporal = (...args: string[]) =>
      execFileSync(cli.path, [...args, '--address', ADDRESS], { stdio: ['ignore', 'ignore', 'inherit'] });
    temporal('operator', 'namespace', 'create', '--namespace', 'default', '--retention', '24h');
    const flags = searchAttributeFlags();
    for (let i = 0; i < flags.length; i += 2) {
      const [name, type] = flags[i + 1].split('=');
      temporal(
        'operator',
        'search-attribute',
        'create',
        '--namespace',
        'default',
        '--name',
        name,
        '--type',
        type,
      );
    }
    log(`Temporal ${SERVER_VERSION} on PostgreSQL is serving at ${ADDRESS}; running the end-to-end suites`);
    const tests = process.argv.slice(2);
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=1',
        ...(tests.length ? tests : ['test/pipeline.test.ts']),
      ],
      { env: { ...process.env, RECORD_SYNC_TEST_TEMPORAL_ADDRESS: ADDRESS }, stdio: 'inherit' },
    );
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(`[postgres-server] ${(error as Error).message}`);
  process.exit(1);
});
