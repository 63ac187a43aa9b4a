import type { RecordDifference } from '../pipelines/contract';

export const CSV_COLUMNS = [
  'recordId',
  'kind',
  'sourceVersion',
  'destinationVersion',
  'field',
  'source',
  'destination',
  'lastSynced',
  'note',
] as const;

/**
 * A field's value as a person reads it in a cell: text as it is, nothing (absent or null) as
 * empty, anything else as JSON. The JSON report keeps the exact values.
 */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (cells: readonly string[]): string => `${cells.map(csvField).join(',')}\r\n`;

/** Excel reads UTF-8 only after a byte-order mark; account names are rarely plain ASCII. */
export const CSV_HEAD = `\uFEFF${csvLine(CSV_COLUMNS)}`;

/** One line per differing field (a DATA_MISMATCH of three fields is three), else one line. */
export function csvLines(difference: RecordDifference): string {
  const { recordId, kind, sourceVersion = '', destinationVersion = '', note = '' } = difference;
  const fields = difference.fields?.length ? difference.fields : [undefined];
  return fields
    .map((f) =>
      csvLine([
        recordId,
        kind,
        sourceVersion,
        destinationVersion,
        f?.field ?? '',
        valueText(f?.source),
        valueText(f?.destination),
        valueText(f?.lastSynced),
        note,
      ]),
    )
    .join('');
}
