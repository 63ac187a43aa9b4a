import { runsChart, statusMix } from './chart.js';
import { h, link, safeHref } from './dom.js';
import { count, duration, percent, PROBLEM_STATUS_LABELS, time } from './format.js';
import { problemsTable, topErrorsTable } from './problem-records.js';

const RUNS_LISTED = 10;

/** A figure: its name, the value as read, and the raw value for scripts and tests. */
const figure = (name, key, value, shown, note) =>
  h(
    'div',
    { class: 'figure' },
    h('dt', {}, name),
    h('dd', { 'data-figure': key, 'data-value': value ?? '' }, shown),
    note ? h('dd', { class: 'note' }, note) : null,
  );

function scheduleBadge(overview) {
  if (overview.paused) return h('span', { class: 'badge bad' }, 'Paused');
  if (overview.currentRun) return h('span', { class: 'badge busy' }, 'Running');
  if (!overview.schedule) return h('span', { class: 'badge' }, 'No schedule');
  if (overview.schedule.paused) return h('span', { class: 'badge warn' }, 'Schedule paused');
  return h('span', { class: 'badge good' }, 'Scheduled');
}

function figures(detail) {
  const { overview, figures: f } = detail;
  const last = overview.lastRun;
  const took = last?.finishedAt ? Date.parse(last.finishedAt) - Date.parse(last.startedAt) : null;
  return h(
    'dl',
    { class: 'figures' },
    figure(
      'Success rate',
      'success-rate',
      f.successRate,
      percent(f.successRate),
      `over the last ${f.runs} run(s)`,
    ),
    figure(
      'Throughput',
      'throughput',
      f.recordsPerMinute,
      f.recordsPerMinute === null ? '—' : `${count(Math.round(f.recordsPerMinute))} records/min`,
      'records read per minute of run time',
    ),
    figure(
      'Open problem records',
      'open-problems',
      detail.openProblems,
      count(detail.openProblems),
      'waiting for a person',
    ),
    figure(
      'Last run: synced',
      'last-run-synced',
      last?.counts.synced,
      last ? `${count(last.counts.synced)} of ${count(last.counts.read)}` : 'none yet',
      last ? `took ${duration(took)}, ended ${time(last.finishedAt)}` : null,
    ),
  );
}

function pauseNotice({ name, overview }) {
  if (!overview.paused) return null;
  return h(
    'p',
    { class: 'pause' },
    h('strong', {}, `Paused since ${time(overview.paused.at)}: `),
    overview.paused.reason,
    ` Fix the cause, then run npx record-sync resume --pipeline ${name}.`,
  );
}

function runsTable(detail) {
  const runs = [detail.overview.currentRun, ...detail.runs].filter(Boolean).slice(0, RUNS_LISTED);
  if (runs.length === 0) return null;
  return h(
    'table',
    { class: 'runs' },
    h('caption', {}, `Latest runs (newest first; the owner keeps the last ${detail.runs.length})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Started', 'Took', 'Read', 'Synced', 'Skipped', 'Problems', 'Run'].map((name) =>
          h('th', { scope: 'col' }, name),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      runs.map((run) => {
        const c = run.counts;
        return h(
          'tr',
          {},
          h('th', { scope: 'row' }, time(run.startedAt)),
          h(
            'td',
            {},
            // The current run has no duration yet: "running".
            duration(run.durationMs),
            run.stoppedBy ? h('div', { class: 'note' }, `stopped: ${run.stoppedBy}`) : null,
          ),
          h('td', { class: 'n' }, count(c.read)),
          h('td', { class: 'n' }, count(c.synced)),
          h('td', { class: 'n' }, count(c.skipped)),
          h('td', { class: 'n' }, count(c.validationFailed + c.conflicts + c.deadLettered)),
          h(
            'td',
            {},
            link(
              detail.runUrls[run.runId],
              'history',
              `Workflow history of the run started ${time(run.startedAt)}`,
            ),
          ),
        );
      }),
    ),
  );
}

function problemCounts(problems) {
  return h(
    'ul',
    { class: 'plain' },
    Object.entries(problems).map(([status, n]) =>
      h(
        'li',
        {},
        h('span', { class: `chip p-${status}` }, PROBLEM_STATUS_LABELS[status] ?? status),
        ` ${count(n)}`,
      ),
    ),
  );
}

function reconciliation(latest) {
  if (!latest) return h('p', { class: 'muted' }, 'None yet.');
  const differences = Object.entries(latest.differences)
    .map(([kind, n]) => `${count(n)} ${kind.toLowerCase().replace('_', ' ')}`)
    .join(', ');
  const { resynced, conflicts, orphans } = latest.repaired;
  return h(
    'div',
    {},
    h('p', {}, `Finished ${time(latest.finishedAt)}: ${count(latest.matching)} matching; ${differences}.`),
    latest.repair
      ? h(
          'p',
          {},
          `Repaired: ${count(resynced)} synced again, ${count(conflicts)} conflicts held, ${count(orphans)} orphans held.`,
        )
      : h('p', {}, 'Report only (repair off).'),
    latest.stoppedBy ? h('p', { class: 'bad-text' }, `Stopped: ${latest.stoppedBy}`) : null,
    latest.reportUrl ? h('p', {}, h('a', { href: safeHref(latest.reportUrl) }, 'Open the report')) : null,
  );
}

export function pipelineCard(detail, act, paging) {
  const id = `pipeline-${detail.name}`;
  const header = h(
    'header',
    {},
    h('h2', { id: `${id}-name` }, detail.name),
    detail.overview ? scheduleBadge(detail.overview) : null,
    h(
      'button',
      {
        type: 'button',
        'data-key': `${detail.name}\nrun`,
        onclick: (event) => act.runNow(detail.name, event.currentTarget),
      },
      'Run a sync now',
    ),
  );
  const section = h(
    'section',
    { class: 'pipeline', 'data-pipeline': detail.name, 'aria-labelledby': `${id}-name` },
    header,
  );
  if (detail.unavailable) {
    section.append(h('p', { class: 'pause' }, detail.unavailable));
    return section;
  }
  section.append(
    pauseNotice(detail) ?? '',
    figures(detail),
    h(
      'div',
      { class: 'columns' },
      h(
        'figure',
        { class: 'chart' },
        h('figcaption', {}, h('h3', {}, 'Records per status, per run')),
        runsChart(detail.runs, id),
        statusMix(detail.figures.totals),
      ),
      h(
        'div',
        {},
        h(
          'section',
          {},
          h('h3', {}, 'Open problem records by status'),
          problemCounts(detail.overview.problems),
        ),
        h('section', {}, h('h3', {}, 'Last reconciliation'), reconciliation(detail.reconciliation)),
      ),
    ),
    h(
      'section',
      {},
      h('h3', {}, 'Problem records waiting for a person'),
      ...problemsTable(detail, act, paging),
    ),
    h('section', {}, h('h3', {}, 'Top errors'), topErrorsTable(detail)),
    h('section', {}, h('h3', {}, 'Runs'), runsTable(detail) ?? h('p', { class: 'muted' }, 'No run yet.')),
  );
  return section;
}
