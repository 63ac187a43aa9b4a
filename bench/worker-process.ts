import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuSeconds, residentBytes } from './processes';

export interface MemorySample {
  /** ms since the worker started polling. */
  at: number;
  rssBytes: number;
}

export interface WorkerProcess {
  pid: number;
  cpuSeconds(): number;
  /** Starts sampling RSS every 500 ms (from /proc/<pid>/status), dropping earlier samples. */
  sampleMemory(): void;
  samples(): MemorySample[];
  stop(): Promise<void>;
}

const READY = /record-sync worker polling/;

export interface WorkerProcessOptions {
  cpuProfileDir?: string;
  /** Another worker entry point (the engine ceiling's); default: the production worker. */
  entry?: string;
  /** What that entry prints once it polls. */
  ready?: RegExp;
}

/** This shell's environment minus any record-sync or Temporal setting, which could point elsewhere. */
function withoutSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const setting = /^(SALESFORCE|NETSUITE|SYNC|TEMPORAL|RECORD_SYNC|SANDBOX|VENDOR)_|^DATABASE_URL$/;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !setting.test(name)));
}

/**
 * The production worker entry point (`src/worker.ts`), or `options.entry`, in its own process, so
 * its memory and CPU are its own and not the benchmark's or the sandboxes'. Resolves once it polls.
 */
export async function startWorkerProcess(
  environment: Record<string, string>,
  workDir: string,
  options: WorkerProcessOptions = {},
): Promise<WorkerProcess> {
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(options.cpuProfileDir)]
    : [];
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const entry = options.entry ?? path.resolve(__dirname, '../src/worker.ts');
  const ready = options.ready ?? READY;
  // Run from a scratch directory, so a developer's .env (maybe real accounts) is never read.
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', tsx, entry], {
    cwd: workDir,
    env: { ...withoutSettings(process.env), ...environment, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`the worker exited before polling:\n${output.slice(-2000)}`)));
  });
  const pid = child.pid!;
  let samples: MemorySample[] = [];
  let sampler: NodeJS.Timeout | undefined;
  return {
    pid,
    cpuSeconds: () => cpuSeconds(pid),
    sampleMemory() {
      clearInterval(sampler);
      samples = [];
      const startedAt = Date.now();
      const sample = () => {
        const rssBytes = residentBytes(pid);
        if (rssBytes !== undefined) samples.push({ at: Date.now() - startedAt, rssBytes });
      };
      sample();
      sampler = setInterval(sample, 500);
    },
    samples: () => samples,
    async stop() {
      clearInterval(sampler);
      if (child.exitCode !== null) return;
      // SIGINT: the SDK shuts down gracefully and a --cpu-prof profile gets written.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
