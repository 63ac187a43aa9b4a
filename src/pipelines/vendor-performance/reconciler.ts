import { posix } from 'node:path';
import { classified } from '../../activities/failures';
import type { Database } from '../../connectors/database';
import { UnreadableFile, type FileDrop } from '../../connectors/file-drop';
import type { Reconciler, ReconciliationPage, RecordDifference } from '../contract';
import { differingFields, figuresOfRecord, storedFigures, writtenFigures } from './figures';
import { createOrphanFinder } from './orphans';
import { byteBudget, parseCursor, stop } from './reconciliation-pages';
import { reconciliationQueries, type KeyState, type LoadedFile } from './reconciliation-store';
import { rowPerformance } from './row';
import {
  FIRST_PAGE_ROWS,
  readMappedRows,
  rowsPerPageFor,
  sourceRecord,
  type FileIdentity,
  type FileRecord,
} from './source';
import type { VendorMapping } from './vendors';

/** Rows compared in one page at most, however small; fewer when they are wide (see PAGE_BYTES). */
const MOST_ROWS = 1000;

/** Where the source pass is: a loaded file (by checksum), and the row to go on from. */
interface SourceCursor {
  file: string;
  /** Where the file's bytes are (archive, or inbox), once found and checked. */
  key?: string;
  nextRow: number;
  rowCursor?: string;
  rowsPerPage?: number;
}

const isSourceCursor = (parsed: unknown): parsed is SourceCursor =>
  typeof parsed === 'object' &&
  parsed !== null &&
  typeof (parsed as SourceCursor).file === 'string' &&
  Number.isInteger((parsed as SourceCursor).nextRow);

/**
 * Vendor files against PostgreSQL (issue #12): every row of every file the pipeline loaded, read
 * again from the archive with the sync's reader and mapping, against the record it carries; then
 * every record in the table, for those no loaded file accounts for.
 *
 * A record's source version is its newest row among the loaded files (a later file supersedes an
 * earlier one's row). A row is compared only when no newer version of its record is known: the
 * table holds a newer one, or the audit log shows record-sync wrote one from a known file. Rows
 * the sync could not read or normalise carry no record, so they are no difference: their problem
 * records hold them (and a person's edited replay of one is in the table with its audit row).
 */
export function createPerformanceReconciler({
  db,
  drop,
  mappings,
  pipeline,
}: {
  db: Database;
  drop: FileDrop;
  mappings: VendorMapping[];
  pipeline: string;
}): Reconciler {
  const queries = reconciliationQueries(db);

  const mappingOf = (vendor: string): VendorMapping => {
    const mapping = mappings.find((m) => m.vendor === vendor);
    if (!mapping) throw stop(`no vendor mapping for ${vendor} any more: check VENDOR_MAPPINGS_FILE`);
    return mapping;
  };

  /** The file's bytes as loaded: archived, or (if archiving never happened) still in the inbox. */
  async function locate(file: LoadedFile): Promise<string> {
    const name = posix.basename(file.key);
    const archived = await drop.findArchived(file.checksum);
    for (const key of [archived, `inbox/${name}`]) {
      if (key === null) continue;
      // Only the same bytes are the file: an archived copy edited since, or a new file of that name, is not.
      const checksum = await drop.checksum(key).catch(() => null);
      if (checksum === file.checksum) return key;
    }
    throw stop(
      `${name} (sha256 ${file.checksum.slice(0, 12)}…) was loaded, but neither archive/${file.checksum}/ nor ` +
        `the inbox holds it as it was: restore it to reconcile its records`,
    );
  }

  /** Where the pass goes on after `file`: the next loaded file's first row, or the end. */
  async function after(file: string): Promise<string | null> {
    const next = await queries.nextLoadedFile(pipeline, file);
    return next ? JSON.stringify({ file: next.checksum, nextRow: 0 } satisfies SourceCursor) : null;
  }

  /** One row against what the table and the audit log hold for its record. */
  function compare(
    row: { recordId: string; version: string; record: FileRecord },
    source: ReturnType<typeof figuresOfRecord>,
    state: KeyState,
  ): RecordDifference | 'matching' | 'superseded' {
    const { recordId, version } = row;
    const { stored, latestLoaded } = state;
    // Compared in JavaScript, as the store does: versions sort as strings, byte by byte.
    if ((stored && stored.source_version > version) || (latestLoaded !== null && latestLoaded > version)) {
      return 'superseded';
    }
    const note = `${posix.basename(row.record.file.key)} row ${row.record.row}`;
    if (!stored) return { recordId, kind: 'MISSING', sourceVersion: version, note };
    if (stored.source_version < version) {
      return {
        recordId,
        kind: 'VERSION_DRIFT',
        sourceVersion: version,
        destinationVersion: stored.source_version,
        note,
      };
    }
    const fields = differingFields(source, storedFigures(stored), writtenFigures(state.lastWritten));
    if (fields.length === 0) return 'matching';
    return {
      recordId,
      kind: 'DATA_MISMATCH',
      sourceVersion: version,
      destinationVersion: version,
      fields,
      note,
    };
  }

  async function compareSourcePage(cursor: string | null): Promise<ReconciliationPage> {
    let at = cursor === null ? null : parseCursor(cursor, isSourceCursor);
    let file = at
      ? await queries.loadedFile(pipeline, at.file)
      : await queries.nextLoadedFile(pipeline, null);
    if (at && !file) {
      // Its load is gone since the last page: the orphan pass reports its records.
      file = await queries.nextLoadedFile(pipeline, at.file);
      at = null;
    }
    if (!file) return { matching: 0, differences: [], cursor: null };
    at ??= { file: file.checksum, nextRow: 0 };
    if (file.lastModified === null) {
      // Loaded before record-sync kept file times, and no record carries its versions: nothing to compare.
      return { matching: 0, differences: [], cursor: await after(file.checksum) };
    }
    const mapping = mappingOf(file.vendor);
    const position = { fromRow: at.nextRow, cursor: at.rowCursor, count: at.rowsPerPage ?? FIRST_PAGE_ROWS };
    let key = at.key ?? (await locate(file));
    let rows;
    try {
      rows = await readMappedRows(drop, key, mapping, position).catch(async (error: unknown) => {
        if (error instanceof UnreadableFile || at.key === undefined) throw error;
        // Moved since the last page (archived at last, say): found again, or the pass stops saying so.
        key = await locate(file);
        return readMappedRows(drop, key, mapping, position);
      });
    } catch (error) {
      if (error instanceof UnreadableFile)
        throw stop(`${key} was loaded but cannot be read now: ${error.reason}`);
      throw error;
    }
    const identity: FileIdentity = {
      key,
      lastModified: file.lastModified,
      checksum: file.checksum,
      vendor: file.vendor,
    };
    const start = at.nextRow;
    const read = rows.rows.map((row, offset) => sourceRecord(identity, mapping, row, start + offset));
    const carried = read.map((row) => {
      const result = rowPerformance(mappings, row.record);
      if (!result.ok) return null;
      try {
        return {
          row: { recordId: row.recordId, version: row.version, record: result.row },
          performance: result.performance,
          figures: figuresOfRecord(result.performance),
        };
      } catch {
        // Sub-periods with no return: the load refuses the row too.
        return null;
      }
    });
    const keyed = carried.filter((c) => c !== null);
    const states = await queries.keyStates(keyed.map((c) => c.performance));
    const stateOf = new Map(keyed.map((c, i) => [c, states[i]]));

    const differences: RecordDifference[] = [];
    const fits = byteBudget();
    let matching = 0;
    let cutAt: number | null = null;
    for (const [offset, entry] of carried.entries()) {
      if (entry === null) continue;
      const outcome = compare(entry.row, entry.figures, stateOf.get(entry)!);
      if (outcome === 'matching') matching += 1;
      else if (outcome !== 'superseded' && !fits(differences, outcome)) {
        cutAt = start + offset;
        break;
      }
    }

    const rowBytes = read.length ? Buffer.byteLength(JSON.stringify(read)) / read.length : 1;
    const rowsPerPage = at.rowsPerPage ?? rowsPerPageFor(rowBytes, MOST_ROWS);
    let next: string | null;
    if (cutAt !== null) {
      // The differences filled the page: the next one starts at the row that did not fit.
      next = JSON.stringify({ file: file.checksum, key, nextRow: cutAt, rowsPerPage } satisfies SourceCursor);
    } else if (!rows.done) {
      next = JSON.stringify({
        file: file.checksum,
        key,
        nextRow: rows.nextRow,
        rowCursor: rows.cursor,
        rowsPerPage,
      } satisfies SourceCursor);
    } else next = await after(file.checksum);
    return { matching, differences, cursor: next };
  }

  const orphans = createOrphanFinder({ db, pipeline });
  return {
    compareSourcePage: (cursor) => classified(() => compareSourcePage(cursor)),
    findOrphansPage: (cursor) => classified(() => orphans.findOrphansPage(cursor)),
    retireOrphan: (recordId, context) => classified(() => orphans.retireOrphan(recordId, context)),
  };
}
