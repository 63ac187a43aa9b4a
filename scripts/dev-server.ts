import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { searchAttributes } from '../src/workflows/search-attributes';

const attributeTypeNames: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** `--search-attribute Name=Type` flags for every custom search attribute the workflows use. */
export function searchAttributeFlags(): string[] {
  return searchAttributes.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${attributeTypeNames[key.type]}`,
  ]);
}

/** A port that was free a moment ago, for servers started side by side (tests, benchmarks). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it (the fault tests restart it on the same file). */
  crash(): Promise<void>;
}

async function waitUntilReachable(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the Temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

/** Starts `temporal server start-dev` with its state in a SQLite file, so it survives restarts. */
export async function startDevServer(options: {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  extraArgs?: string[];
}): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const address = `127.0.0.1:${options.port}`;
  const child = spawn(
    options.cliPath,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--db-filename',
      path.join(options.dataDir, 'temporal.sqlite'),
      '--log-level',
      'error',
      // Write-ahead logging: the file stays durable across restarts at a fraction of the fsyncs.
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      // The CLI turns this on so search attributes added at run time show at once; ours are
      // registered by the flags below before the server starts. Left on, every search-attribute
      // read goes to SQLite (16 of 27 persistence calls per record) through its one connection.
      '--dynamic-config-value',
      'system.forceSearchAttributesCacheRefreshOnRead=false',
      ...searchAttributeFlags(),
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never leave the server behind, however this process ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitUntilReachable(address, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: `http://localhost:${options.uiPort}`,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async crash() {
      process.off('exit', killOnExit);
      child.kill('SIGKILL');
      await exited;
    },
  };
}
