import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { dataConverter } from '../src/codec/data-converter';
import { parseConfig } from '../src/config';
import { workflowBundle } from './harness';

/**
 * Determinism guard: histories recorded from real runs (`npm run histories:record`) replay
 * against the current workflow code. A change that would break running workflows fails here;
 * guard such a change with `patched()` instead.
 */
const directory = path.join(__dirname, 'histories');
const histories = readdirSync(directory).filter((file) => file.endsWith('.json'));

describe('recorded histories replay against the current workflow code', () => {
  it('covers the happy path, a dead letter, a replay and continue-as-new, before and after the local-activity upsert', () => {
    for (const kind of [
      'continues-as-new',
      'last-page',
      'synced',
      'dead-lettered',
      'replayed',
      'pipeline',
      'synced-remote-activity',
      'dead-lettered-remote-activity',
    ]) {
      assert.ok(
        histories.some((file) => file.includes(kind)),
        `no recorded history for ${kind}`,
      );
    }
  });

  for (const file of histories) {
    it(file, async () => {
      const history = JSON.parse(readFileSync(path.join(directory, file), 'utf8'));
      // Recorded in sandbox mode, so the sandbox's demo key decrypts them.
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: dataConverter(parseConfig({})) },
        history,
      );
    });
  }
});
