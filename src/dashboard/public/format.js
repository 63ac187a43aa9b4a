// Figures as a person reads them; the raw number stays in a data-value attribute beside each.

const numbers = new Intl.NumberFormat();

export const count = (n) => numbers.format(n ?? 0);

export function percent(rate) {
  if (rate === null || rate === undefined) return '—';
  return rate === 1 ? '100%' : `${(rate * 100).toFixed(1)}%`;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return 'running';
  if (ms < 1_000) return `${ms} ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A moment: its time alone when it is today, else its date too. */
export function time(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString()
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const shortTime = (iso) =>
  iso ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : '';

/** Record counts by status, as the runs report them, in the order the chart stacks them. */
export const RUN_STATUSES = [
  { key: 'synced', label: 'Synced' },
  { key: 'skipped', label: 'Skipped (nothing to write)' },
  { key: 'alreadyProcessed', label: 'Already processed' },
  { key: 'validationFailed', label: 'Failed validation' },
  { key: 'conflicts', label: 'Version conflict' },
  { key: 'deadLettered', label: 'Dead letter' },
];

/** What a problem record's status means, in a few words. */
export const PROBLEM_STATUS_LABELS = {
  VALIDATION_FAILED: 'Failed validation',
  VERSION_CONFLICT: 'Version conflict',
  DEAD_LETTER: 'Dead letter',
  ORPHANED: 'Orphaned',
  PROCESSING: 'Being replayed',
};
