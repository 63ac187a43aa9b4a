import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The page, its style and its scripts: plain files, no build step. */
export interface Asset {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Run from source, the files sit beside this module; compiled, this module is in
 * dist/src/dashboard and tsc copies no assets, so the files are found in the source tree.
 */
const PUBLIC_DIRS = [
  path.join(__dirname, 'public'),
  path.resolve(__dirname, '..', '..', '..', 'src', 'dashboard', 'public'),
];

/** Every file of the page, by its name, read once at start (a missing one fails the start, not a request). */
export function loadAssets(): Map<string, Asset> {
  const directory = PUBLIC_DIRS.find((candidate) => existsSync(path.join(candidate, 'index.html')));
  if (!directory) throw new Error(`The dashboard's page is missing (looked in ${PUBLIC_DIRS.join(', ')}).`);
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(directory)) {
    const contentType = CONTENT_TYPES[path.extname(name)];
    if (contentType) assets.set(name, { body: readFileSync(path.join(directory, name)), contentType });
  }
  return assets;
}
