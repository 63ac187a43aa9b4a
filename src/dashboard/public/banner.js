import { h, safeHref } from './dom.js';
import { count, time } from './format.js';

function alertItem(alert) {
  const url = safeHref(alert.link);
  return h(
    'li',
    { class: 'alert', 'data-rule': alert.rule },
    h('strong', {}, `${alert.pipeline}: ${alert.summary}`),
    ` (${count(alert.count)}, since ${time(alert.since)}) `,
    h('span', { class: 'advice' }, alert.advice),
    url ? [' ', h('a', { href: url }, 'Look')] : null,
  );
}

/**
 * What needs a person now: the alert watch's active alerts, and every paused pipeline (shown
 * even without the watch, since a paused pipeline syncs nothing until someone acts).
 */
export function alertBanner({ alerts, unknown, pipelines }) {
  const paused = pipelines.filter(
    (p) => p.overview?.paused && !alerts.some((a) => a.pipeline === p.name && a.rule === 'pipeline-paused'),
  );
  const unavailable = pipelines.filter((p) => p.unavailable);
  const items = [
    ...alerts.map(alertItem),
    ...paused.map((p) =>
      h(
        'li',
        { class: 'alert', 'data-rule': 'pipeline-paused' },
        h('strong', {}, `${p.name} is paused: `),
        p.overview.paused.reason,
      ),
    ),
    ...unavailable.map((p) => h('li', { class: 'alert' }, h('strong', {}, `${p.name}: `), p.unavailable)),
  ];
  const note = unknown ? h('p', { class: 'muted' }, unknown) : null;
  if (items.length === 0) return [h('p', { class: 'all-clear' }, 'No active alerts.'), note].filter(Boolean);
  return [
    h('h2', { class: 'banner-title' }, `${items.length} alert${items.length === 1 ? '' : 's'}`),
    h('ul', { class: 'alerts' }, items),
    note,
  ].filter(Boolean);
}
