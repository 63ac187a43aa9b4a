import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { dataConverter } from '../src/codec/data-converter';
import { parseConfig } from '../src/config';
import { demoSecrets } from '../sandbox/settings';
import { workflowBundle } from './harness';

/**
 * Determinism guard: histories recorded from real runs (`npm run histories:record`) replay
 * against the current workflow code. A change that would break running workflows fails here;
 * guard such a change with `patched()` instead.
 */
const directory = path.join(__dirname, 'histories');
const histories = readdirSync(directory).filter((file) => file.endsWith('.json'));

describe('recorded histories replay against the current workflow code', () => {
  it('covers runs, records, problem records and the owner of both pipelines, and the paths of workflows started before overlapping pages, before pipelines and before problem records', () => {
    for (const kind of [
      'sync-run-pages-continue-as-new',
      'sync-run-pages-last',
      'sync-run-pages-stopped-by-pipeline-failure',
      'sync-record-version-synced',
      'sync-record-version-validation-failed',
      'sync-record-version-replayed',
      'sync-record-version-skipped',
      'problem-record-conflict-merged',
      'problem-record-replayed',
      'problem-record-still-failing',
      'problem-record-discarded',
      'pipeline-owner',
      'vendor-sync-run-pages',
      'vendor-sync-record-version-outside-tolerance',
      'vendor-problem-record-edited-and-replayed',
      'vendor-pipeline-owner',
      'one-page-runs-sync-run-first-page-continues-as-new',
      'one-page-runs-sync-run-last-page',
      'one-page-runs-sync-run-stopped-by-pipeline-failure',
      'one-page-runs-vendor-sync-run-file-loaded',
      'one-page-runs-vendor-sync-run-duplicate-quarantined',
      'before-pipelines-sync-run-first-page-continues-as-new',
      'before-pipelines-sync-run-last-page',
      'before-pipelines-problem-record-replayed',
      'before-pipelines-pipeline-owner',
      'legacy-sync-run-first-page-continues-as-new',
      'legacy-sync-run-last-page',
      'legacy-sync-record-synced',
      'legacy-sync-record-dead-lettered',
      'legacy-sync-record-replayed',
      'legacy-pipeline-with-replays',
      'legacy-sync-record-synced-remote-activity',
      'legacy-sync-record-dead-lettered-remote-activity',
      'reconciliation-repaired',
      'problem-record-orphan-retired',
      'alert-watch-raised-and-resolved',
    ]) {
      assert.ok(histories.includes(`${kind}.json`), `no recorded history for ${kind}`);
    }
  });

  /** Histories whose commands name their own workflow id (a history does not hold it). */
  const workflowIds: Record<string, string> = { 'reconciliation-repaired.json': 'recorded-reconciliation' };

  for (const file of histories) {
    it(file, async () => {
      const history = JSON.parse(readFileSync(path.join(directory, file), 'utf8'));
      // Recorded in sandbox mode, so the sandbox's demo key decrypts them.
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: dataConverter(parseConfig(demoSecrets())) },
        history,
        workflowIds[file],
      );
    });
  }
});
