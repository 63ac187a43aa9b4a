import { h, svg } from './dom.js';
import { count, percent, RUN_STATUSES, shortTime, time } from './format.js';

const WIDTH = 720;
const HEIGHT = 180;
const PLOT = { left: 48, right: 8, top: 12, bottom: 30 };

const recordsOf = (run) => RUN_STATUSES.reduce((sum, { key }) => sum + (run.counts[key] ?? 0), 0);

/** 1, 2 or 5 times a power of ten, at least the value: axis labels people can read. */
function roundUp(value) {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

function axis(top) {
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  return [0, 0.5, 1].map((share) => {
    const y = PLOT.top + plotHeight * (1 - share);
    return svg(
      'g',
      { class: 'grid' },
      svg('line', { x1: PLOT.left, x2: WIDTH - PLOT.right, y1: y, y2: y }),
      svg('text', { x: PLOT.left - 6, y: y + 4, 'text-anchor': 'end' }, count(top * share)),
    );
  });
}

/**
 * Records per status, one stacked bar per run, oldest on the left: how each run went at a glance.
 * Each segment names its run, status and count on hover; the runs table holds the same figures.
 */
export function runsChart(runs, id) {
  const ordered = [...runs].reverse();
  if (ordered.length === 0) return h('p', { class: 'muted' }, 'No finished run yet.');
  const top = roundUp(Math.max(...ordered.map(recordsOf)));
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const slot = plotWidth / ordered.length;
  const barWidth = Math.max(2, Math.min(32, slot * 0.7));
  const bars = ordered.map((run, index) => {
    const x = PLOT.left + index * slot + (slot - barWidth) / 2;
    let y = PLOT.top + plotHeight;
    const segments = RUN_STATUSES.filter(({ key }) => run.counts[key] > 0).map(({ key, label }) => {
      const height = (run.counts[key] / top) * plotHeight;
      y -= height;
      return svg(
        'rect',
        { class: `bar s-${key}`, 'data-status': key, x, y, width: barWidth, height: Math.max(height, 0.5) },
        svg(
          'title',
          {},
          `Run started ${time(run.startedAt)}: ${count(run.counts[key])} ${label.toLowerCase()}`,
        ),
      );
    });
    return svg('g', { 'data-run': run.runId }, segments);
  });
  const first = ordered[0];
  const last = ordered.at(-1);
  const labelY = HEIGHT - 8;
  return svg(
    'svg',
    {
      class: 'runs-chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
    },
    svg('title', { id: `${id}-title` }, 'Records per status, per run'),
    svg(
      'desc',
      { id: `${id}-desc` },
      `${ordered.length} runs from ${time(first.startedAt)} to ${time(last.startedAt)}; the runs table lists the same figures.`,
    ),
    axis(top),
    bars,
    svg('text', { x: PLOT.left, y: labelY }, shortTime(first.startedAt)),
    ordered.length > 1
      ? svg('text', { x: WIDTH - PLOT.right, y: labelY, 'text-anchor': 'end' }, shortTime(last.startedAt))
      : null,
  );
}

/** The status mix over the runs: each status's records and share, with its colour in the chart. */
export function statusMix(totals) {
  const all = RUN_STATUSES.reduce((sum, { key }) => sum + (totals[key] ?? 0), 0);
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Records per status over these runs' },
    RUN_STATUSES.map(({ key, label }) =>
      h(
        'li',
        { 'data-status': key },
        h('span', { class: `swatch s-${key}`, 'aria-hidden': 'true' }),
        `${label}: `,
        h('strong', { 'data-value': totals[key] ?? 0 }, count(totals[key])),
        all > 0 ? ` (${percent((totals[key] ?? 0) / all)})` : '',
      ),
    ),
  );
}
