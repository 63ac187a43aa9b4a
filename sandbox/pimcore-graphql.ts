/**
 * The GraphQL subset a Pimcore Datahub connector sends, and nothing more:
 *
 *   document   := [query | mutation] [Name] [(VariableDefinition, ...)] { Selection ... }   -- one operation
 *   Selection  := [alias:] name [(name: Value, ...)] [{ Selection ... }] | ... on TypeName { Selection ... }
 *   Value      := $var | "string" | 123 | 1.5 | true | false | null | [Value ...] | {name: Value ...}
 *   Variable   := $name: Type [= Value]       Type := Name | [Type] | Type!
 *
 * Fragments, fragment spreads, directives, subscriptions, block strings and several operations in
 * one document are refused with a message naming what the sandbox does not model, so a connector
 * cannot come to depend on GraphQL the sandbox only pretends to understand. Syntax errors read as
 * webonyx/graphql-php's do ("Syntax Error: Expected Name, found <EOF>"), with a line and column.
 */

export interface Location {
  line: number;
  column: number;
}

export type Value =
  | { kind: 'variable'; name: string; loc: Location }
  | { kind: 'string'; value: string; loc: Location }
  | { kind: 'int'; value: number; raw: string; loc: Location }
  | { kind: 'float'; value: number; raw: string; loc: Location }
  | { kind: 'boolean'; value: boolean; loc: Location }
  | { kind: 'null'; loc: Location }
  | { kind: 'enum'; value: string; loc: Location }
  | { kind: 'list'; values: Value[]; loc: Location }
  | { kind: 'object'; fields: { name: string; value: Value }[]; loc: Location };

export type TypeRef =
  { kind: 'named'; name: string } | { kind: 'list'; of: TypeRef } | { kind: 'nonNull'; of: TypeRef };

export interface Field {
  kind: 'field';
  alias?: string;
  name: string;
  args: { name: string; value: Value; loc: Location }[];
  selections?: Selection[];
  loc: Location;
}

export interface InlineFragment {
  kind: 'inline';
  typeCondition: string;
  selections: Selection[];
  loc: Location;
}

export type Selection = Field | InlineFragment;

export interface VariableDefinition {
  name: string;
  type: TypeRef;
  defaultValue?: Value;
  loc: Location;
}

export interface Operation {
  operation: 'query' | 'mutation';
  name?: string;
  variables: VariableDefinition[];
  selections: Selection[];
}

/** A document the sandbox cannot run: a syntax error, or GraphQL outside the subset. */
export class GraphQlError extends Error {
  constructor(
    message: string,
    readonly locations: Location[] = [],
  ) {
    super(message);
  }
}

type Token =
  | { kind: 'punct'; value: string; loc: Location }
  | { kind: 'name'; value: string; loc: Location }
  | { kind: 'int' | 'float'; value: string; loc: Location }
  | { kind: 'string'; value: string; loc: Location }
  | { kind: 'eof'; loc: Location };

const PUNCTUATORS = new Set(['{', '}', '(', ')', '[', ']', ':', '=', '!', '$', '@', '|', '&']);
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (index: number): Location => ({ line, column: index - lineStart + 1 });
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\n') {
      i += 1;
      line += 1;
      lineStart = i;
      continue;
    }
    // Commas are insignificant in GraphQL, like whitespace.
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === ',' || ch === '\ufeff') {
      i += 1;
      continue;
    }
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i += 1;
      continue;
    }
    if (source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...', loc: at(i) });
      i += 3;
      continue;
    }
    if (PUNCTUATORS.has(ch)) {
      tokens.push({ kind: 'punct', value: ch, loc: at(i) });
      i += 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: match[0], loc: at(i) });
      i += match[0].length;
      continue;
    }
    if (/[-0-9]/.test(ch)) {
      const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i));
      if (!match)
        throw new GraphQlError(`Syntax Error: Invalid number, unexpected digit after 0: "${ch}".`, [at(i)]);
      const kind = match[2] || match[3] ? 'float' : 'int';
      tokens.push({ kind, value: match[0], loc: at(i) });
      i += match[0].length;
      continue;
    }
    if (ch === '"') {
      const loc = at(i);
      if (source.startsWith('"""', i))
        throw new GraphQlError('The Pimcore sandbox does not support block strings ("""); use a variable.', [
          loc,
        ]);
      let value = '';
      i += 1;
      for (;;) {
        if (i >= source.length || source[i] === '\n')
          throw new GraphQlError('Syntax Error: Unterminated string.', [at(i)]);
        const c = source[i];
        if (c === '"') break;
        if (c === '\\') {
          const next = source[i + 1];
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          if (next !== undefined && next in ESCAPES) {
            value += ESCAPES[next];
            i += 2;
            continue;
          }
          throw new GraphQlError(`Syntax Error: Invalid character escape sequence: \\${next ?? ''}.`, [
            at(i),
          ]);
        }
        value += c;
        i += 1;
      }
      i += 1;
      tokens.push({ kind: 'string', value, loc });
      continue;
    }
    throw new GraphQlError(`Syntax Error: Cannot parse the unexpected character "${ch}".`, [at(i)]);
  }
  tokens.push({ kind: 'eof', loc: at(i) });
  return tokens;
}

function describe(token: Token): string {
  if (token.kind === 'eof') return '<EOF>';
  if (token.kind === 'punct') return `"${token.value}"`;
  if (token.kind === 'string') return `String "${token.value}"`;
  if (token.kind === 'name') return `Name "${token.value}"`;
  return `${token.kind === 'int' ? 'Int' : 'Float'} "${token.value}"`;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private isPunct(value: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.value === value;
  }

  private expectPunct(value: string): Location {
    const t = this.next();
    if (t.kind !== 'punct' || t.value !== value)
      throw new GraphQlError(`Syntax Error: Expected "${value}", found ${describe(t)}.`, [t.loc]);
    return t.loc;
  }

  private expectName(): { value: string; loc: Location } {
    const t = this.next();
    if (t.kind !== 'name')
      throw new GraphQlError(`Syntax Error: Expected Name, found ${describe(t)}.`, [t.loc]);
    return t;
  }

  document(): Operation {
    const first = this.peek();
    if (first.kind === 'eof') throw new GraphQlError('Syntax Error: Unexpected <EOF>.', [first.loc]);
    const operation = this.operation();
    const rest = this.peek();
    if (rest.kind !== 'eof') {
      if (rest.kind === 'name' && rest.value === 'fragment')
        throw new GraphQlError('The Pimcore sandbox does not support fragment definitions.', [rest.loc]);
      throw new GraphQlError(
        'The Pimcore sandbox runs one operation per request; send each operation on its own.',
        [rest.loc],
      );
    }
    return operation;
  }

  private operation(): Operation {
    const t = this.peek();
    if (t.kind === 'punct' && t.value === '{')
      return { operation: 'query', variables: [], selections: this.selectionSet() };
    if (t.kind === 'name' && t.value === 'fragment')
      throw new GraphQlError('The Pimcore sandbox does not support fragment definitions.', [t.loc]);
    if (t.kind === 'name' && t.value === 'subscription')
      throw new GraphQlError('Pimcore Datahub has no subscriptions.', [t.loc]);
    if (t.kind !== 'name' || (t.value !== 'query' && t.value !== 'mutation'))
      throw new GraphQlError(`Syntax Error: Unexpected ${describe(t)}.`, [t.loc]);
    this.next();
    const name = this.peek().kind === 'name' ? this.expectName().value : undefined;
    const variables = this.isPunct('(') ? this.variableDefinitions() : [];
    this.refuseDirectives();
    return { operation: t.value, name, variables, selections: this.selectionSet() };
  }

  private variableDefinitions(): VariableDefinition[] {
    this.expectPunct('(');
    const defs: VariableDefinition[] = [];
    while (!this.isPunct(')')) {
      const loc = this.expectPunct('$');
      const name = this.expectName().value;
      this.expectPunct(':');
      const type = this.typeRef();
      let defaultValue: Value | undefined;
      if (this.isPunct('=')) {
        this.next();
        defaultValue = this.value(true);
      }
      defs.push({ name, type, defaultValue, loc });
    }
    this.expectPunct(')');
    return defs;
  }

  private typeRef(): TypeRef {
    let type: TypeRef;
    if (this.isPunct('[')) {
      this.next();
      const of = this.typeRef();
      this.expectPunct(']');
      type = { kind: 'list', of };
    } else {
      type = { kind: 'named', name: this.expectName().value };
    }
    if (this.isPunct('!')) {
      this.next();
      return { kind: 'nonNull', of: type };
    }
    return type;
  }

  private selectionSet(): Selection[] {
    this.expectPunct('{');
    const selections: Selection[] = [];
    while (!this.isPunct('}')) selections.push(this.selection());
    if (selections.length === 0) {
      const t = this.peek();
      throw new GraphQlError(`Syntax Error: Expected Name, found ${describe(t)}.`, [t.loc]);
    }
    this.expectPunct('}');
    return selections;
  }

  private selection(): Selection {
    if (this.isPunct('...')) {
      const loc = this.expectPunct('...');
      const t = this.peek();
      if (t.kind !== 'name' || t.value !== 'on')
        throw new GraphQlError(
          'The Pimcore sandbox does not support fragment spreads; use an inline fragment (... on Type { }).',
          [loc],
        );
      this.next();
      const typeCondition = this.expectName().value;
      this.refuseDirectives();
      return { kind: 'inline', typeCondition, selections: this.selectionSet(), loc };
    }
    const first = this.expectName();
    let alias: string | undefined;
    let name = first.value;
    if (this.isPunct(':')) {
      this.next();
      alias = first.value;
      name = this.expectName().value;
    }
    const args: Field['args'] = [];
    if (this.isPunct('(')) {
      this.next();
      while (!this.isPunct(')')) {
        const argName = this.expectName();
        this.expectPunct(':');
        args.push({ name: argName.value, value: this.value(false), loc: argName.loc });
      }
      this.expectPunct(')');
      if (args.length === 0) {
        const t = this.peek();
        throw new GraphQlError(`Syntax Error: Expected Name, found ${describe(t)}.`, [t.loc]);
      }
    }
    this.refuseDirectives();
    const selections = this.isPunct('{') ? this.selectionSet() : undefined;
    return { kind: 'field', alias, name, args, selections, loc: first.loc };
  }

  private refuseDirectives(): void {
    if (this.isPunct('@'))
      throw new GraphQlError('The Pimcore sandbox does not support directives.', [this.peek().loc]);
  }

  private value(constant: boolean): Value {
    const t = this.next();
    const loc = t.loc;
    if (t.kind === 'punct') {
      if (t.value === '$' && !constant) return { kind: 'variable', name: this.expectName().value, loc };
      if (t.value === '[') {
        const values: Value[] = [];
        while (!this.isPunct(']')) values.push(this.value(constant));
        this.next();
        return { kind: 'list', values, loc };
      }
      if (t.value === '{') {
        const fields: { name: string; value: Value }[] = [];
        while (!this.isPunct('}')) {
          const name = this.expectName().value;
          this.expectPunct(':');
          fields.push({ name, value: this.value(constant) });
        }
        this.next();
        return { kind: 'object', fields, loc };
      }
    }
    if (t.kind === 'string') return { kind: 'string', value: t.value, loc };
    if (t.kind === 'int') return { kind: 'int', value: Number(t.value), raw: t.value, loc };
    if (t.kind === 'float') return { kind: 'float', value: Number(t.value), raw: t.value, loc };
    if (t.kind === 'name') {
      if (t.value === 'true' || t.value === 'false')
        return { kind: 'boolean', value: t.value === 'true', loc };
      if (t.value === 'null') return { kind: 'null', loc };
      return { kind: 'enum', value: t.value, loc };
    }
    throw new GraphQlError(`Syntax Error: Unexpected ${describe(t)}.`, [loc]);
  }
}

/** Parses one GraphQL document of the subset; throws GraphQlError. */
export function parseGraphQl(source: string): Operation {
  return new Parser(tokenize(source)).document();
}
