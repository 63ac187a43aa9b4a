import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The CLI tag that still installs with `go install module@version` (later tags carry `replace` directives). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

const projectRoot = path.resolve(__dirname, '..');
export const cachedCliDir = path.join(projectRoot, '.tools', 'bin');
const cachedCliPath = path.join(cachedCliDir, 'temporal');

export type TemporalCli =
  { source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install'; path: string } | { source: 'download' };

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const resolved = found.stdout.trim();
  return found.status === 0 && resolved ? resolved : undefined;
}

function buildWithGo(log: (line: string) => void): string {
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${cachedCliDir}. ` +
      'The first build downloads a few hundred MB of modules and compiles for several minutes; later runs reuse it.',
  );
  const started = Date.now();
  execFileSync('go', ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: cachedCliDir, GOFLAGS: process.env.GOFLAGS ?? '-trimpath' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s.`);
  return cachedCliPath;
}

/**
 * Finds the `temporal` CLI, in order: TEMPORAL_CLI_PATH, `temporal` on PATH, the project's cached
 * build, a fresh `go install` when Go is present, else the SDK's own download (needs internet).
 */
export function findTemporalCli(
  options: { allowDownload?: boolean; log?: (line: string) => void } = {},
): TemporalCli {
  const log = options.log ?? ((line: string) => console.error(`[temporal-cli] ${line}`));
  const configured = process.env.TEMPORAL_CLI_PATH;
  if (configured) {
    if (!existsSync(configured)) {
      throw new Error(`TEMPORAL_CLI_PATH points at ${configured}, which does not exist.`);
    }
    return { source: 'TEMPORAL_CLI_PATH', path: configured };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { source: 'PATH', path: fromPath };
  if (existsSync(cachedCliPath)) return { source: 'cache', path: cachedCliPath };
  if (onPath('go')) {
    try {
      return { source: 'go install', path: buildWithGo(log) };
    } catch (error) {
      throw new Error(
        `Building the Temporal CLI with Go failed (${(error as Error).message}). ` +
          'Install the temporal CLI and set TEMPORAL_CLI_PATH, or put it on PATH.',
        { cause: error },
      );
    }
  }
  if (options.allowDownload ?? true) {
    log('No temporal CLI and no Go toolchain: the Temporal SDK will download the CLI (needs internet).');
    return { source: 'download' };
  }
  throw new Error(
    'No Temporal CLI found: set TEMPORAL_CLI_PATH, put `temporal` on PATH, or install Go so the project can build it.',
  );
}
