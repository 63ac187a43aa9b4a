import { ACCOUNT_FIELDS } from './account';
import { isSalesforceId, toIsoInstant, type Checkpoint } from './checkpoint';

/**
 * A SOQL datetime literal (unquoted). The input is parsed strictly and re-rendered, so the
 * literal can only ever be `YYYY-MM-DDTHH:mm:ss.sssZ`: nothing else reaches the query.
 */
export function soqlDateTime(iso: string): string {
  return toIsoInstant(iso);
}

const SOQL_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A quoted SOQL string literal with the escape sequences SOQL defines. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => SOQL_ESCAPES[c])}'`;
}

/** A field name as SOQL spells it: a standard field or a custom one ending in __c. */
const SOQL_FIELD = /^[A-Za-z][A-Za-z0-9_]{0,38}(__c)?$/;

/**
 * Accounts changed after the checkpoint, oldest first. SOQL has no row-value comparison,
 * so "after (ts, id)" is spelled out; ordering by Id as well as SystemModstamp makes the
 * order total, so a bulk update sharing one timestamp is neither skipped nor repeated.
 */
export function changedAccountsQuery(since: Checkpoint | null, extraFields: string[] = []): string {
  for (const field of extraFields) {
    if (!SOQL_FIELD.test(field))
      throw new Error(`Invalid field name '${field}': expected e.g. Sync_Status__c`);
  }
  const select = `SELECT ${[...ACCOUNT_FIELDS, ...extraFields].join(', ')} FROM Account`;
  const order = 'ORDER BY SystemModstamp, Id';
  if (since === null) return `${select} ${order}`;
  if (since.id !== '' && !isSalesforceId(since.id)) {
    throw new Error(`Invalid checkpoint id '${since.id}': expected a 15 or 18 character Salesforce id`);
  }
  const at = soqlDateTime(since.systemModstamp);
  if (since.id === '') {
    // "At or after" without comparing Id to '' (which Salesforce may refuse): SystemModstamp has
    // millisecond precision at most, so "after one millisecond earlier" is the same set.
    const justBefore = new Date(Date.parse(at) - 1).toISOString();
    return `${select} WHERE SystemModstamp > ${justBefore} ${order}`;
  }
  const id = soqlString(since.id);
  return `${select} WHERE SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > ${id}) ${order}`;
}
