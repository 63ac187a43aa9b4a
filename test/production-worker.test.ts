import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eventually, startTemporal } from './harness';
import { SAMPLE_FILES, startVendorEnvironment, type VendorEnvironment } from './vendor-harness';

const root = path.resolve(__dirname, '..');
const compiledWorker = path.join(root, 'dist', 'src', 'worker.js');
const prebuiltBundle = path.join(root, 'dist', 'src', 'workflow-bundle.js');

/** The processes whose environment carries this marker: the worker and anything it started. */
function processesMarked(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker))
        pids.push(Number(entry));
    } catch {
      // Ended meanwhile, or not ours to read.
    }
  }
  return pids;
}

describe('the production worker (compiled JavaScript, prebuilt workflow bundle)', () => {
  let temporal: TestWorkflowEnvironment;
  let sync: VendorEnvironment;
  before(async () => {
    if (!existsSync(compiledWorker) || !existsSync(prebuiltBundle)) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
      assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    temporal = await startTemporal();
    sync = await startVendorEnvironment(temporal);
  });
  after(async () => {
    await sync?.teardown();
    await temporal?.teardown();
  });

  it('is what the image and `npm run worker` run: node itself, no tsx or npm in between', () => {
    const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
    assert.equal(scripts.worker, 'node dist/src/worker.js');
    assert.match(
      readFileSync(path.join(root, 'Dockerfile'), 'utf8'),
      /^CMD \["node", "dist\/src\/worker\.js"\]$/m,
    );
  });

  it('syncs with the prebuilt bundle, is one process, and a SIGKILL leaves nothing polling', async () => {
    const marker = `RECORD_SYNC_TEST_MARKER=${randomUUID()}`;
    const [name, value] = marker.split('=');
    const child = spawn(process.execPath, [compiledWorker], {
      cwd: sync.folder,
      env: { PATH: process.env.PATH, ...sync.environment, LOG_LEVEL: 'info', [name]: value },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually(async () => (/record-sync worker polling/.test(output) ? true : undefined), 60_000);
      assert.doesNotMatch(output, /Workflow bundle created/, 'the worker bundled the workflows itself');
      assert.deepEqual(processesMarked(marker), [child.pid], 'the worker is exactly one process');

      sync.drop(SAMPLE_FILES[0]);
      const summary = await sync.runSync();
      assert.equal(summary.counts.read, 20);
      assert.ok(summary.counts.synced > 0);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    assert.deepEqual(processesMarked(marker), [], 'a process of the worker outlived the SIGKILL');
  });
});
