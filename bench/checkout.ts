import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Checkout {
  /** The revision's abbreviated commit. */
  commit: string;
  /** Its production worker entry point, run like this checkout's (bench/worker-process.ts). */
  workerEntry: string;
  remove(): void;
}

/**
 * A git worktree of this repository at `revision`, sharing this checkout's node_modules, so that
 * its record-sync can run beside this one's against the same server and sandboxes (`--compare-with`).
 */
export function checkoutOf(revision: string): Checkout {
  const root = path.resolve(__dirname, '..');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--short', `${revision}^{commit}`);
  const parent = mkdtempSync(path.join(tmpdir(), 'record-sync-compare-'));
  const tree = path.join(parent, commit);
  git('worktree', 'add', '--detach', '--quiet', tree, commit);
  symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'));
  return {
    commit,
    workerEntry: path.join(tree, 'src', 'worker.ts'),
    remove() {
      git('worktree', 'remove', '--force', tree);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
