import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';
import { connectPostgres, openEmbedded, type Database } from '../../connectors/database';
import { createFileDrop } from '../../connectors/file-drop';
import { migrate } from '../../connectors/migrations';
import type { Pipeline } from '../contract';
import { createDecisionStore } from './decisions';
import { createPerformanceDestination } from './destination';
import { createPerformanceReconciler } from './reconciler';
import { createFileSource } from './source';
import { createPerformanceStore } from './store';
import { parseVendorMappings } from './vendors';

type VendorPerformanceSettings = NonNullable<Config['vendorPerformance']>;

/** A file the project ships (`migrations/`, `config/`), found from the sources or the compiled `dist/`. */
function projectFile(relative: string): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate) && existsSync(path.join(dir, 'package.json'))) return candidate;
  }
  throw new Error(`no ${relative} in the project above ${__dirname}`);
}

function readMappings(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`VENDOR_MAPPINGS_FILE: cannot read ${file} as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseVendorMappings(json, file);
}

export async function openPerformanceDatabase(settings: VendorPerformanceSettings): Promise<Database> {
  const db =
    settings.database.kind === 'postgres'
      ? connectPostgres(settings.database.url)
      : await openEmbedded(settings.database.dataDir);
  await migrate(db, projectFile('migrations'));
  return db;
}

/**
 * Seed 004: vendors drop performance files (CSV, Excel, JSON); each row is normalised, validated,
 * its time-weighted return checked against the vendor's, and loaded into PostgreSQL with an audit
 * row; each file is then reconciled and archived, or quarantined whole. Reconciliation (issue #12)
 * compares every loaded file's rows with the table again, and the table with the loaded files.
 */
export async function createVendorPerformancePipeline(
  settings: VendorPerformanceSettings,
): Promise<Pipeline> {
  const mappings = readMappings(
    settings.mappingsFile ?? projectFile(path.join('config', 'vendor-mappings.json')),
  );
  const db = await openPerformanceDatabase(settings);
  const store = createPerformanceStore(db);
  const drop = createFileDrop(settings.drop);
  const source = createFileSource({
    drop,
    mappings,
    store,
    pageSize: settings.settings.pageSize,
    pipeline: settings.name,
  });
  const destination = createPerformanceDestination({
    store,
    decisions: createDecisionStore(db),
    drop,
    mappings,
    toleranceBps: settings.toleranceBps,
    pipeline: settings.name,
  });
  return {
    reconciler: createPerformanceReconciler({ db, drop, mappings, pipeline: settings.name }),
    readPage: source.readPage,
    readRecord: (_recordId, version) => source.readRecord(version),
    loadRecord: destination.loadRecord,
    checkEdit: destination.checkEdit,
    applyEdit: destination.applyEdit,
    completeDelivery: destination.completeDelivery,
    close: () => db.close(),
  };
}
