import { normaliseRow, type RowIssue } from './normalise';
import type { PerformanceRecord } from './record';
import type { FileRecord } from './source';
import type { VendorMapping } from './vendors';

const FILE_RECORD_FIELDS = ['file', 'row', 'index', 'values'] as const;

export function isFileRecord(value: unknown): value is FileRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    FILE_RECORD_FIELDS.every((field) => field in value) &&
    typeof (value as FileRecord).values === 'object'
  );
}

export type RowPerformance =
  | { ok: true; row: FileRecord; mapping: VendorMapping; performance: PerformanceRecord }
  | { ok: false; issues: RowIssue[] };

/**
 * The performance record a file row carries, by its vendor's mapping, or why it carries none.
 * The load and reconciliation both read rows through this, so they never disagree on a figure.
 */
export function rowPerformance(mappings: VendorMapping[], record: unknown): RowPerformance {
  if (!isFileRecord(record))
    return { ok: false, issues: [{ field: 'row', message: 'not a row of a vendor file' }] };
  if (record.problem) return { ok: false, issues: [{ field: 'row', message: record.problem }] };
  const mapping = mappings.find((m) => m.vendor === record.file.vendor);
  if (!mapping) {
    return { ok: false, issues: [{ field: 'file', message: `no vendor mapping for ${record.file.vendor}` }] };
  }
  const result = normaliseRow(mapping, record.values as Parameters<typeof normaliseRow>[1]);
  if (!result.ok) return { ok: false, issues: result.issues };
  return { ok: true, row: record, mapping, performance: result.record };
}
