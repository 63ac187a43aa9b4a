import { parseSoqlDatetime } from './datetime';

/**
 * The SOQL subset the sync issues, and nothing more, so a connector that builds any other query
 * (or lets unescaped input leak into one) fails loudly against the sandbox:
 *
 *   SELECT <fields> FROM Account
 *   [WHERE SystemModstamp > <dt>
 *      | WHERE SystemModstamp > <dt> OR (SystemModstamp = <dt> AND Id > '<id>')
 *      | WHERE Id IN ('<id>', ...)]                 -- reconciliation's existence check
 *   ORDER BY SystemModstamp, Id [LIMIT <n>]
 *
 * Keywords and field names are case-insensitive as in Salesforce; string content is not.
 */

export interface AccountQuery {
  /** Canonical field names, in the order selected. */
  fields: string[];
  /** Keyset cursor: rows strictly after (modstamp, id); with no id, strictly after modstamp. */
  after?: { modstampMs: number; id?: string };
  /** WHERE Id IN (...): only these accounts. */
  ids?: string[];
  limit?: number;
}

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD',
    message: string,
  ) {
    super(message);
  }
}

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'datetime'; text: string; ms: number }
  | { kind: 'number'; text: string; value: number }
  | { kind: 'string'; text: string; value: string }
  | { kind: 'symbol'; text: string };

// Escapes SOQL defines for string literals. \_ and \% only mean something inside LIKE, which this
// subset has no use for, so they keep their backslash like any LIKE-free Salesforce comparison.
const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  _: '\\_',
  '%': '\\%',
};

function malformed(detail: string): SoqlError {
  return new SoqlError('MALFORMED_QUERY', detail);
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const rest = soql.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const datetime = /^\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})/.exec(rest);
    if (datetime) {
      const ms = parseSoqlDatetime(datetime[0]);
      if (ms === undefined) throw malformed(`invalid datetime literal: ${datetime[0]}`);
      tokens.push({ kind: 'datetime', text: datetime[0], ms });
      i += datetime[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest) ?? /^\d+(?![A-Za-z_.:-])/.exec(rest);
    if (word) {
      const text = word[0];
      tokens.push(/^\d/.test(text) ? { kind: 'number', text, value: Number(text) } : { kind: 'word', text });
      i += text.length;
      continue;
    }
    if (rest[0] === "'") {
      let value = '';
      let j = 1;
      for (; j < rest.length && rest[j] !== "'"; j++) {
        if (rest[j] !== '\\') {
          value += rest[j];
          continue;
        }
        const escaped = ESCAPES[rest[j + 1]?.toLowerCase() ?? ''];
        if (escaped === undefined) throw malformed(`invalid escape sequence in string literal at ${i + j}`);
        value += escaped;
        j++;
      }
      if (j >= rest.length) throw malformed('unterminated string literal');
      tokens.push({ kind: 'string', text: rest.slice(0, j + 1), value });
      i += j + 1;
      continue;
    }
    if ('(),=>'.includes(rest[0])) {
      tokens.push({ kind: 'symbol', text: rest[0] });
      i += 1;
      continue;
    }
    throw malformed(`unexpected character '${rest[0]}' at ${i}`);
  }
  return tokens;
}

/** A cursor over the tokens; each `expect*` throws MALFORMED_QUERY naming what it found instead. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private fail(expected: string): never {
    const found = this.peek();
    throw malformed(
      found
        ? `unexpected token: '${found.text}' (expected ${expected})`
        : `unexpected end of query (expected ${expected})`,
    );
  }

  atKeyword(keyword: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toUpperCase() === keyword;
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  keyword(...words: string[]): void {
    for (const word of words) {
      if (!this.atKeyword(word)) this.fail(word);
      this.pos++;
    }
  }

  symbol(symbol: string): void {
    const t = this.peek();
    if (t?.kind !== 'symbol' || t.text !== symbol) this.fail(`'${symbol}'`);
    this.pos++;
  }

  atSymbol(symbol: string): boolean {
    const t = this.peek();
    return t?.kind === 'symbol' && t.text === symbol;
  }

  identifier(): string {
    const t = this.peek();
    if (t?.kind !== 'word') this.fail('a field name');
    this.pos++;
    return t.text;
  }

  datetime(): number {
    const t = this.peek();
    if (t?.kind !== 'datetime') this.fail('a datetime literal');
    this.pos++;
    return t.ms;
  }

  string(): string {
    const t = this.peek();
    if (t?.kind !== 'string') this.fail('a string literal');
    this.pos++;
    return t.value;
  }

  integer(): number {
    const t = this.peek();
    if (t?.kind !== 'number') this.fail('an integer');
    this.pos++;
    return t.value;
  }

  end(): void {
    if (!this.atEnd()) this.fail('end of query');
  }
}

/** `Id IN ('…', …)`: Salesforce takes up to the query's length limit; ids are literals. */
function idList(p: Parser): string[] {
  p.keyword('ID', 'IN');
  p.symbol('(');
  const ids = [p.string()];
  while (p.atSymbol(',')) {
    p.symbol(',');
    ids.push(p.string());
  }
  p.symbol(')');
  return ids;
}

/** `SystemModstamp > <dt> [OR (SystemModstamp = <dt> AND Id > '<id>')]`: the sync's keyset. */
function modstampAfter(p: Parser): NonNullable<AccountQuery['after']> {
  p.keyword('SYSTEMMODSTAMP');
  p.symbol('>');
  const modstampMs = p.datetime();
  const after: NonNullable<AccountQuery['after']> = { modstampMs };
  if (p.atKeyword('OR')) {
    p.keyword('OR');
    p.symbol('(');
    p.keyword('SYSTEMMODSTAMP');
    p.symbol('=');
    if (p.datetime() !== modstampMs) throw malformed('the tie-breaker must repeat the same SystemModstamp');
    p.keyword('AND', 'ID');
    p.symbol('>');
    after.id = p.string();
    p.symbol(')');
  }
  return after;
}

/** Parses the sync's Account query; `knownFields` are the canonical Account column names. */
export function parseAccountQuery(soql: string, knownFields: readonly string[]): AccountQuery {
  const p = new Parser(tokenize(soql));
  const canonical = new Map(knownFields.map((f) => [f.toLowerCase(), f]));

  p.keyword('SELECT');
  const selected = [p.identifier()];
  while (p.atSymbol(',')) {
    p.symbol(',');
    selected.push(p.identifier());
  }
  p.keyword('FROM');
  if (p.identifier().toLowerCase() !== 'account') throw malformed('only FROM Account is supported');

  let after: AccountQuery['after'];
  let ids: string[] | undefined;
  if (p.atKeyword('WHERE')) {
    p.keyword('WHERE');
    if (p.atKeyword('ID')) ids = idList(p);
    else after = modstampAfter(p);
  }
  p.keyword('ORDER', 'BY', 'SYSTEMMODSTAMP');
  p.symbol(',');
  p.keyword('ID');
  let limit: number | undefined;
  if (p.atKeyword('LIMIT')) {
    p.keyword('LIMIT');
    limit = p.integer();
  }
  p.end();

  // Fields are checked after the shape, as Salesforce only resolves columns of a well-formed query.
  const fields = selected.map((name) => {
    const field = canonical.get(name.toLowerCase());
    if (!field) {
      throw new SoqlError(
        'INVALID_FIELD',
        `No such column '${name}' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
      );
    }
    return field;
  });
  if (new Set(fields).size !== fields.length) throw malformed('duplicate field selected');
  return { fields, after, ids, limit };
}
