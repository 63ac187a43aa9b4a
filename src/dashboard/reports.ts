import { realpath, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from '../http-body';

/** Where the dashboard serves reconciliation reports: `/reports/<path under the reports directory>`. */
export const REPORTS_PATH = '/reports/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

/** A path under the directory, or null: relative, no step up, not the directory itself. */
function inside(directory: string, file: string): string | null {
  const relative = path.relative(directory, file);
  if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return relative;
}

/** The dashboard's link to a report the worker wrote; null when it is not under the reports directory. */
export function reportUrl(reportsDir: string, report: string | undefined): string | null {
  const relative = report ? inside(path.resolve(reportsDir), path.resolve(report)) : null;
  if (!relative) return null;
  return REPORTS_PATH + relative.split(path.sep).map(encodeURIComponent).join('/');
}

/**
 * A report file, read-only, for a `/reports/...` request path (still percent-encoded). Refuses
 * whatever is not a file under the reports directory: `..`, encoded separators, and symbolic
 * links that lead out of it (the real paths are compared).
 */
export async function reportFile(
  reportsDir: string,
  requestPath: string,
): Promise<{ body: Buffer; contentType: string }> {
  const notFound = new HttpError(404, 'no such report');
  const segments = requestPath.slice(REPORTS_PATH.length).split('/');
  let names: string[];
  try {
    names = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    throw notFound;
  }
  if (names.some((name) => !name || name === '.' || name === '..' || /[/\\\0]/.test(name))) throw notFound;
  try {
    const root = await realpath(reportsDir);
    const file = await realpath(path.join(root, ...names));
    if (!inside(root, file) || !(await stat(file)).isFile()) throw notFound;
    const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { body: await readFile(file), contentType };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw notFound;
  }
}
