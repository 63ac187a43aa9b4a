import { isPlainObject } from './http';
import type { StoredCustomer } from './netsuite-store';

/**
 * The SuiteQL subset the sync issues, and nothing more:
 *
 *   SELECT <item>, ... FROM customer
 *     [WHERE externalid = '<text>' | WHERE externalid IN ('<text>', ...)   -- at most 1000 in a list
 *      | WHERE id > <integer>]                                             -- keyset paging
 *     [ORDER BY id [ASC]]
 *   <item> := <column> [[AS] alias] | TO_CHAR(<date column>, '<mask>') [[AS] alias]
 *
 * Columns are the customer's (lower case, as SuiteQL names them) and any custom field
 * `custentity_*`. Anything else is refused, so a connector cannot come to depend on SQL the sandbox
 * only pretends to understand.
 *
 * Values come back as SuiteQL gives them: booleans as 'T'/'F', references as their internal id,
 * and dates in the user's date format preference, date only, in the user's time zone (default
 * M/D/YYYY, America/Los_Angeles): 11/24/2026, not 2026-11-24T03:20:00Z. TO_CHAR gives the time,
 * still in the user's time zone. A column whose value is null is left out of the row.
 */

/** Column -> how to read it from a stored customer. */
const COLUMNS = {
  id: { kind: 'id' },
  externalid: { kind: 'text', field: 'externalId' },
  entityid: { kind: 'text', field: 'entityId' },
  companyname: { kind: 'text', field: 'companyName' },
  email: { kind: 'text', field: 'email' },
  phone: { kind: 'text', field: 'phone' },
  url: { kind: 'text', field: 'url' },
  comments: { kind: 'text', field: 'comments' },
  isinactive: { kind: 'boolean', field: 'isInactive' },
  isperson: { kind: 'boolean', field: 'isPerson' },
  subsidiary: { kind: 'reference', field: 'subsidiary' },
  datecreated: { kind: 'date', field: 'createdMs' },
  lastmodifieddate: { kind: 'date', field: 'modifiedMs' },
} as const;

const CUSTOM_FIELD = /^custentity_[a-z0-9_]+$/;
/** Oracle's limit on the expressions of an IN list (ORA-01795). */
export const MAX_IN_LIST = 1000;

export interface SelectItem {
  /** Column name, lower case: a key of COLUMNS or a custom field. */
  column: string;
  /** The result row's key: the alias, the column, or exprN for an unaliased TO_CHAR. */
  key: string;
  /** TO_CHAR(column, mask): the parsed mask. */
  mask?: MaskPart[];
}

export interface SuiteQlQuery {
  items: SelectItem[];
  /** WHERE id > n: rows after this internal id (paging past SuiteQL's 100,000-result cap). */
  afterId?: number;
  /** WHERE externalid = / IN: the values matched (case-sensitive). */
  externalIds?: string[];
  /** Without ORDER BY the row order is unspecified, and differs between requests. */
  orderById: boolean;
}

/** The user's preferences that decide how dates come back. */
export interface SuiteQlPreferences {
  /** Tokens YYYY, MM, M, DD, D and separators, e.g. 'M/D/YYYY' (NetSuite's US default). */
  dateFormat: string;
  /** IANA zone, e.g. 'America/Los_Angeles'. */
  timeZone: string;
}

type Token = { kind: 'word' | 'string' | 'symbol' | 'number'; text: string; value: string };
type MaskPart = { token: 'YYYY' | 'MM' | 'DD' | 'HH24' | 'HH' | 'MI' | 'SS' } | { literal: string };

function tokenize(q: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const rest = q.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], value: word[0].toLowerCase() });
      i += word[0].length;
      continue;
    }
    if (rest[0] === "'") {
      let value = '';
      let j = 1;
      for (; j < rest.length; j++) {
        if (rest[j] !== "'") value += rest[j];
        else if (rest[j + 1] === "'") {
          value += "'";
          j++;
        } else break;
      }
      if (j >= rest.length) return 'unterminated string literal';
      tokens.push({ kind: 'string', text: rest.slice(0, j + 1), value });
      i += j + 1;
      continue;
    }
    const number = /^\d+(?![A-Za-z_])/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], value: number[0] });
      i += number[0].length;
      continue;
    }
    if ('(),=>'.includes(rest[0])) {
      tokens.push({ kind: 'symbol', text: rest[0], value: rest[0] });
      i += 1;
      continue;
    }
    return `unexpected character '${rest[0]}' at position ${i}`;
  }
  return tokens;
}

class Refusal extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  fail(expected: string): never {
    const found = this.peek();
    throw new Refusal(
      found
        ? `unexpected '${found.text}', expected ${expected}`
        : `unexpected end of query, expected ${expected}`,
    );
  }

  atWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.value === word;
  }

  atSymbol(symbol: string): boolean {
    const t = this.peek();
    return t?.kind === 'symbol' && t.value === symbol;
  }

  word(...words: string[]): void {
    for (const w of words) {
      if (!this.atWord(w)) this.fail(w.toUpperCase());
      this.pos++;
    }
  }

  symbol(symbol: string): void {
    if (!this.atSymbol(symbol)) this.fail(`'${symbol}'`);
    this.pos++;
  }

  identifier(what: string): string {
    const t = this.peek();
    if (t?.kind !== 'word') this.fail(what);
    this.pos++;
    return t.value;
  }

  integer(): number {
    const t = this.peek();
    if (t?.kind !== 'number') this.fail('an integer');
    this.pos++;
    return Number(t.value);
  }

  string(): string {
    const t = this.peek();
    if (t?.kind !== 'string') this.fail('a string literal');
    this.pos++;
    return t.value;
  }

  end(): void {
    if (this.pos < this.tokens.length) this.fail('end of query');
  }
}

const RESERVED = new Set(['from', 'where', 'order', 'by', 'as', 'select', 'in', 'and', 'or', 'not']);

function column(name: string): string {
  if (!(name in COLUMNS) && !CUSTOM_FIELD.test(name))
    throw new Refusal(`Unknown identifier '${name}' in the select list.`);
  return name;
}

function parseMask(mask: string): MaskPart[] {
  const parts: MaskPart[] = [];
  let rest = mask;
  while (rest.length > 0) {
    const m = /^(YYYY|MM|DD|HH24|HH|MI|SS)/i.exec(rest) ?? /^("[^"]*"|[-/:., ;])/.exec(rest);
    if (!m) throw new Refusal(`date format not recognized: '${mask}'`);
    const text = m[0];
    if (text.startsWith('"')) parts.push({ literal: text.slice(1, -1) });
    else if (/^[A-Z]/i.test(text)) parts.push({ token: text.toUpperCase() as 'YYYY' });
    else parts.push({ literal: text });
    rest = rest.slice(text.length);
  }
  return parts;
}

function selectItem(p: Parser, unnamed: { count: number }): SelectItem {
  let item: SelectItem;
  if (p.atWord('to_char') && p.peek(1)?.value === '(') {
    p.word('to_char');
    p.symbol('(');
    const name = column(p.identifier('a column'));
    if (!(name in COLUMNS) || COLUMNS[name as keyof typeof COLUMNS].kind !== 'date')
      throw new Refusal(`TO_CHAR with a date format needs a date column, not '${name}'.`);
    p.symbol(',');
    const mask = parseMask(p.string());
    p.symbol(')');
    item = { column: name, key: '', mask };
  } else {
    const name = column(p.identifier('a column'));
    item = { column: name, key: name };
  }
  if (p.atWord('as')) {
    p.word('as');
    item.key = p.identifier('an alias');
  } else if (p.peek()?.kind === 'word' && !RESERVED.has(p.peek()?.value ?? '')) {
    item.key = p.identifier('an alias');
  }
  if (RESERVED.has(item.key)) throw new Refusal(`'${item.key}' cannot be used as an alias.`);
  // An expression without an alias is named by its place among such expressions.
  if (item.key === '') item.key = `expr${(unnamed.count += 1)}`;
  return item;
}

/** Parses the query; a string is the reason it was refused. */
export function parseSuiteQl(q: string): SuiteQlQuery | string {
  const tokens = tokenize(q);
  if (typeof tokens === 'string') return tokens;
  const p = new Parser(tokens);
  try {
    p.word('select');
    const unnamed = { count: 0 };
    const items = [selectItem(p, unnamed)];
    while (p.atSymbol(',')) {
      p.symbol(',');
      items.push(selectItem(p, unnamed));
    }
    p.word('from');
    if (p.identifier('a table') !== 'customer') throw new Refusal('Only FROM customer is supported.');
    let externalIds: string[] | undefined;
    let afterId: number | undefined;
    if (p.atWord('where') && p.peek(1)?.value === 'id') {
      p.word('where', 'id');
      p.symbol('>');
      afterId = p.integer();
    } else if (p.atWord('where')) {
      p.word('where', 'externalid');
      if (p.atSymbol('=')) {
        p.symbol('=');
        externalIds = [p.string()];
      } else {
        p.word('in');
        p.symbol('(');
        externalIds = [p.string()];
        while (p.atSymbol(',')) {
          p.symbol(',');
          externalIds.push(p.string());
        }
        p.symbol(')');
        if (externalIds.length > MAX_IN_LIST)
          throw new Refusal(`ORA-01795: maximum number of expressions in a list is ${MAX_IN_LIST}.`);
      }
    }
    let orderById = false;
    if (p.atWord('order')) {
      p.word('order', 'by', 'id');
      if (p.atWord('asc')) p.word('asc');
      orderById = true;
    }
    p.end();
    const keys = items.map((i) => i.key);
    const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
    if (duplicate !== undefined) return `Duplicate column '${duplicate}' in the select list.`;
    return { items, externalIds, afterId, orderById };
  } catch (err) {
    if (err instanceof Refusal) return err.message;
    throw err;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts of an instant in a time zone. */
function partsIn(
  ms: number,
  timeZone: string,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(
    formatter
      .formatToParts(new Date(ms))
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  );
  return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Checks a date format preference; a string is the reason it is refused. */
export function checkDateFormat(format: string): string | undefined {
  const tokens = format.match(/YYYY|MM|M|DD|D|[-/. ]/g) ?? [];
  if (tokens.join('') !== format) return `unsupported date format '${format}'`;
  const kinds = tokens.filter((t) => /[YMD]/.test(t)).map((t) => t[0]);
  return kinds.length === 3 && new Set(kinds).size === 3 ? undefined : `unsupported date format '${format}'`;
}

/** A date the way the user's preferences show it: date only, in their zone and format. */
export function formatPreferenceDate(ms: number, prefs: SuiteQlPreferences): string {
  const { year, month, day } = partsIn(ms, prefs.timeZone);
  const values: Record<string, string> = {
    YYYY: pad(year, 4),
    MM: pad(month),
    M: String(month),
    DD: pad(day),
    D: String(day),
  };
  return prefs.dateFormat.replace(/YYYY|MM|M|DD|D/g, (token) => values[token]);
}

function toChar(ms: number, mask: MaskPart[], timeZone: string): string {
  const t = partsIn(ms, timeZone);
  const values = {
    YYYY: pad(t.year, 4),
    MM: pad(t.month),
    DD: pad(t.day),
    HH24: pad(t.hour),
    HH: pad(t.hour % 12 === 0 ? 12 : t.hour % 12),
    MI: pad(t.minute),
    SS: pad(t.second),
  };
  return mask.map((part) => ('literal' in part ? part.literal : values[part.token])).join('');
}

/** The stored value of a column, as SuiteQL returns it; undefined for null. */
function value(customer: StoredCustomer, item: SelectItem, prefs: SuiteQlPreferences): unknown {
  if (CUSTOM_FIELD.test(item.column)) {
    const key = Object.keys(customer.body).find((k) => k.toLowerCase() === item.column);
    const raw = key === undefined ? undefined : customer.body[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === 'boolean') return raw ? 'T' : 'F';
    if (isPlainObject(raw)) return raw.id === undefined ? undefined : String(raw.id);
    return raw;
  }
  const spec = COLUMNS[item.column as keyof typeof COLUMNS];
  switch (spec.kind) {
    case 'id':
      return customer.id;
    case 'date': {
      const ms = customer[spec.field];
      return item.mask ? toChar(ms, item.mask, prefs.timeZone) : formatPreferenceDate(ms, prefs);
    }
    case 'boolean':
      return customer.body[spec.field] === true ? 'T' : 'F';
    case 'reference': {
      const ref = customer.body[spec.field];
      return isPlainObject(ref) && ref.id !== undefined ? String(ref.id) : undefined;
    }
    case 'text': {
      const raw = customer.body[spec.field];
      return raw === null ? undefined : raw;
    }
  }
}

/** One result row; SuiteQL leaves out columns whose value is null. */
export function suiteQlRow(
  customer: StoredCustomer,
  query: SuiteQlQuery,
  prefs: SuiteQlPreferences,
): Record<string, unknown> {
  const row: Record<string, unknown> = { links: [] };
  for (const item of query.items) {
    const v = value(customer, item, prefs);
    if (v !== undefined) row[item.key] = v;
  }
  return row;
}
