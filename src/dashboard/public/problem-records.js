import { h, link } from './dom.js';
import { count, PROBLEM_STATUS_LABELS, time } from './format.js';

// What waits for a person: the most common errors, and each problem record with what can be done.

export function topErrorsTable({ topErrors, openProblems }) {
  if (topErrors.groups.length === 0) return h('p', { class: 'muted' }, 'No open problem records.');
  return h(
    'table',
    { class: 'top-errors' },
    h(
      'caption',
      {},
      topErrors.more
        ? `From the first ${count(topErrors.examined)} of ${count(openProblems)} open problem records`
        : `Over all ${count(topErrors.examined)} open problem records`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Records', 'Kind', 'Field', 'Error'].map((name) => h('th', { scope: 'col' }, name)),
      ),
    ),
    h(
      'tbody',
      {},
      topErrors.groups.map((group) =>
        h(
          'tr',
          {},
          h('td', { class: 'n', 'data-value': group.count }, count(group.count)),
          h('td', {}, group.kind),
          h('td', {}, group.field || '—'),
          h('td', {}, group.error ?? h('span', { class: 'muted' }, '(not available)')),
        ),
      ),
    ),
  );
}

function rowActions(pipeline, row, act) {
  const button = (action, text, handler, extra = {}) =>
    h(
      'button',
      {
        type: 'button',
        'data-action': action,
        'data-key': `${pipeline}\n${row.recordId}\n${action}`,
        'aria-label': `${text}: record ${row.recordId}`,
        onclick: (event) => handler(event.currentTarget),
        ...extra,
      },
      text,
    );
  const discard = button('discard', 'Discard', (b) => act.discard(pipeline, row, b), { class: 'danger' });
  switch (row.status) {
    case 'VERSION_CONFLICT':
      return [
        button('use-source', 'Use source', (b) => act.resolve(pipeline, row, 'source', b)),
        button('use-destination', 'Keep destination', (b) => act.resolve(pipeline, row, 'destination', b)),
        discard,
      ];
    case 'ORPHANED':
      return [button('confirm', 'Retire in destination', (b) => act.confirm(pipeline, row, b)), discard];
    case 'PROCESSING':
      return [h('span', { class: 'muted' }, 'being replayed')];
    default:
      return [button('replay', 'Replay', (b) => act.replay(pipeline, row, b)), discard];
  }
}

/** What a person decides a version conflict by: each differing field on both sides, and as last synced. */
function conflictValues(diff) {
  if (!diff?.length) return null;
  const shown = (value) => (value === null || value === undefined ? '(empty)' : JSON.stringify(value));
  return h(
    'ul',
    { class: 'diff', 'aria-label': 'Values in conflict' },
    diff.map((d) =>
      h(
        'li',
        {},
        h('strong', {}, `${d.field}: `),
        `source ${shown(d.source)} · destination ${shown(d.destination)} · last synced ${shown(d.lastSynced)}`,
      ),
    ),
  );
}

export function problemsTable(detail, act, paging) {
  const rows = detail.problems.rows.filter((row) => !act.settled.has(`${detail.name}\n${row.recordId}`));
  const paged = paging.hasPrevious || Boolean(detail.problems.nextPageToken);
  const pager = h(
    'div',
    { class: 'pager', hidden: !paged },
    h(
      'button',
      {
        type: 'button',
        'data-page': 'previous',
        disabled: !paging.hasPrevious,
        onclick: () => act.page(detail.name, -1),
      },
      'Previous page',
    ),
    h(
      'button',
      {
        type: 'button',
        'data-page': 'next',
        disabled: !detail.problems.nextPageToken,
        onclick: () => act.page(detail.name, 1, detail.problems.nextPageToken),
      },
      'Next page',
    ),
  );
  if (rows.length === 0) return [h('p', { class: 'muted' }, 'No problem record waits for a person.'), pager];
  const table = h(
    'table',
    { class: 'problems' },
    h(
      'caption',
      {},
      `Open problem records, page ${paging.number} (a link opens the record's workflow in the Temporal UI)`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Record', 'Status', 'Failed', 'Field', 'Error', 'Actions'].map((name) =>
          h('th', { scope: 'col' }, name),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          { 'data-record-id': row.recordId },
          h(
            'th',
            { scope: 'row' },
            link(row.workflowUrl, row.recordId, `Record ${row.recordId}: its workflow in the Temporal UI`),
          ),
          h(
            'td',
            {},
            h('span', { class: `chip p-${row.status}` }, PROBLEM_STATUS_LABELS[row.status] ?? row.status),
          ),
          h('td', { class: 'when' }, time(row.failedAt)),
          h(
            'td',
            {},
            row.field || '—',
            row.value !== undefined ? h('div', { class: 'value' }, row.value) : null,
          ),
          h(
            'td',
            { class: 'error' },
            row.error ?? h('span', { class: 'muted' }, `${row.kind} (details not available)`),
            conflictValues(row.diff),
          ),
          h('td', { class: 'actions' }, rowActions(detail.name, row, act)),
        ),
      ),
    ),
  );
  return [table, pager];
}

/** One pipeline's card: figures, chart, problem records with their actions, last reconciliation. */
