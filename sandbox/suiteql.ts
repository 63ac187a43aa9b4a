/**
 * The SuiteQL subset the reconciliation issues:
 *   SELECT <columns> FROM customer [WHERE externalid = '<text>'] ORDER BY id
 * Anything else is refused, so a connector cannot come to depend on SQL the sandbox only pretends
 * to understand.
 */

export interface SuiteQlQuery {
  columns: SuiteQlColumn[];
  externalId?: string;
}

/** Column name -> customer JSON field. Booleans come back as 'T'/'F' as SuiteQL returns them. */
const COLUMNS = {
  id: 'id',
  externalid: 'externalId',
  entityid: 'entityId',
  companyname: 'companyName',
  email: 'email',
  phone: 'phone',
  url: 'url',
  comments: 'comments',
  isinactive: 'isInactive',
  isperson: 'isPerson',
  datecreated: 'dateCreated',
  lastmodifieddate: 'lastModifiedDate',
} as const;

export type SuiteQlColumn = keyof typeof COLUMNS;

const SHAPE =
  /^\s*SELECT\s+([\s\S]+?)\s+FROM\s+customer(?:\s+WHERE\s+externalid\s*=\s*'((?:[^']|'')*)')?\s+ORDER\s+BY\s+id\s*$/i;

/** Parses the query; a string is the reason it was refused. */
export function parseSuiteQl(q: string): SuiteQlQuery | string {
  const match = SHAPE.exec(q);
  if (!match) return 'Only SELECT <columns> FROM customer [WHERE externalid = ...] ORDER BY id is supported.';
  const columns = match[1].split(',').map((c) => c.trim().toLowerCase());
  const unknown = columns.find((c) => !(c in COLUMNS));
  if (unknown !== undefined) return `Unknown identifier '${unknown}' in the select list.`;
  if (new Set(columns).size !== columns.length) return 'Duplicate column in the select list.';
  return {
    columns: columns as SuiteQlColumn[],
    externalId: match[2] === undefined ? undefined : match[2].replace(/''/g, "'"),
  };
}

/** One result row; SuiteQL leaves out columns whose value is null. */
export function suiteQlRow(
  customer: Record<string, unknown>,
  columns: SuiteQlColumn[],
): Record<string, unknown> {
  const row: Record<string, unknown> = { links: [] };
  for (const column of columns) {
    const value = customer[COLUMNS[column]];
    if (value === undefined || value === null) continue;
    row[column] = typeof value === 'boolean' ? (value ? 'T' : 'F') : value;
  }
  return row;
}
