import { DIFFERENCE_KINDS, type DifferenceKind, type ReconciliationSummary } from '../domain/sync';
import type { RecordDifference } from '../pipelines/contract';
import { valueText } from './report-csv';

const KINDS: Record<DifferenceKind, { title: string; about: string }> = {
  VERSION_DRIFT: {
    title: 'Version drift',
    about: 'The destination does not hold the source’s current version.',
  },
  DATA_MISMATCH: {
    title: 'Data mismatch',
    about: 'The destination holds the current version, but mapped fields differ from it.',
  },
  MISSING: { title: 'Missing', about: 'The source has the record; the destination does not.' },
  ORPHANED: { title: 'Orphaned', about: 'The destination has a record the source no longer has.' },
};

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td { max-width: 32em; overflow-wrap: anywhere; white-space: pre-wrap; }
thead th { background: #f0f0f0; position: sticky; top: 0; }
table.totals td { text-align: right; }
.about, .meta { color: #555; }
.none { color: #999; font-style: italic; }
.stopped { color: #a00; font-weight: bold; }
`;

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const count = (n: number): string => n.toLocaleString('en-US');

const NONE = '<span class="none">none</span>';

const td = (html: string, rowspan = 1): string =>
  rowspan > 1 ? `<td rowspan="${rowspan}">${html}</td>` : `<td>${html}</td>`;

/** A value a person reads: nothing shows as such, so an empty text and a missing value differ. */
const cell = (value: unknown, rowspan = 1): string =>
  td(value === undefined || value === null ? NONE : escapeHtml(valueText(value)), rowspan);

const COLUMNS = [
  'Record',
  'Source version',
  'Destination version',
  'Field',
  'Source',
  'Destination',
  'Last synced',
  'Note',
]
  .map((c) => `<th scope="col">${c}</th>`)
  .join('');

/** One table row per differing field; the record's own cells span them. */
function rows(d: RecordDifference): string {
  const fields = d.fields?.length ? d.fields : [undefined];
  const span = fields.length;
  return fields
    .map((f, i) => {
      const first = i === 0;
      const cells = [
        ...(first ? [d.recordId, d.sourceVersion, d.destinationVersion].map((v) => cell(v, span)) : []),
        ...(f ? [f.field, f.source, f.destination, f.lastSynced].map((v) => cell(v)) : [td('').repeat(4)]),
        ...(first ? [td(escapeHtml(d.note ?? ''), span)] : []),
      ];
      return `<tr>${cells.join('')}</tr>\n`;
    })
    .join('');
}

function head(pipeline: string, summary: ReconciliationSummary): string {
  const title = `Reconciliation of ${pipeline}`;
  const total = DIFFERENCE_KINDS.reduce((sum, kind) => sum + summary.differences[kind], 0);
  const totals: [name: string, value: string][] = [['Matching', count(summary.matching)]];
  for (const kind of DIFFERENCE_KINDS) totals.push([KINDS[kind].title, count(summary.differences[kind])]);
  totals.push(['Differences in all', count(total)]);
  // Differences a person already has as problem records are left to them, not listed below.
  if (summary.held !== undefined) totals.push(['Already problem records', count(summary.held)]);
  totals.push(
    ['Repair', summary.repair ? 'on' : 'off'],
    ['Re-synced', count(summary.repaired.resynced)],
    ['Raised as version conflicts', count(summary.repaired.conflicts)],
    ['Orphans raised for confirmation', count(summary.repaired.orphans)],
  );
  return [
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(`${title} — ${summary.runId}`)}</title>\n<style>${STYLE}</style>\n</head>\n<body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Run <code>${escapeHtml(summary.runId)}</code>, from ${escapeHtml(summary.startedAt)}` +
      ` to ${escapeHtml(summary.finishedAt)}. Every difference: <a href="report.json">JSON</a>,` +
      ` <a href="report.csv">CSV</a>.</p>`,
    summary.stoppedBy ? `<p class="stopped">Stopped: ${escapeHtml(summary.stoppedBy)}</p>` : '',
    `<h2>Totals</h2>\n<table class="totals"><tbody>`,
    ...totals.map(([name, value]) => `<tr><th scope="row">${name}</th><td>${value}</td></tr>`),
    `</tbody></table>\n`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * The report as one self-contained page, in pieces to stream to a file: totals, then each kind's
 * differences. A browser struggles with tens of thousands of rows, so each kind shows its first
 * `rowsPerKind` and says how many more the CSV holds. `differences` is read once per kind.
 */
export async function* reportPage(
  pipeline: string,
  summary: ReconciliationSummary,
  differences: () => AsyncIterable<RecordDifference>,
  rowsPerKind: number,
): AsyncGenerator<string> {
  yield head(pipeline, summary);
  for (const kind of DIFFERENCE_KINDS) {
    yield `<h2 id="${kind}">${KINDS[kind].title}</h2>\n<p class="about">${KINDS[kind].about}</p>\n`;
    let seen = 0;
    for await (const d of differences()) {
      if (d.kind !== kind) continue;
      seen += 1;
      if (seen === 1) yield `<table><thead><tr>${COLUMNS}</tr></thead><tbody>\n`;
      if (seen <= rowsPerKind) yield rows(d);
    }
    if (seen === 0) yield `<p class="none">None.</p>\n`;
    else yield `</tbody></table>\n`;
    if (seen > rowsPerKind)
      yield `<p>And ${count(seen - rowsPerKind)} more — see the <a href="report.csv">CSV</a>.</p>\n`;
  }
  yield `</body>\n</html>\n`;
}
