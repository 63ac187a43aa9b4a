import type { Readable } from 'node:stream';
import { parser as jsonParser } from 'stream-json';
import { JsonTokens, jsonKind, jsonScalar, messageOf, parsed, type Token } from './rows';

/**
 * A JSON file's elements as whole values (nested objects and arrays kept), for records that are
 * trees rather than rows: a supplier's products with their variants. Rows (rows.ts) flatten each
 * element into dotted columns instead.
 */

export interface ElementPageRequest {
  /** 0-based index of the first element to return. */
  fromElement: number;
  /** At most this many elements. */
  count: number;
  /**
   * At most this many bytes of elements (as JSON) in the page; the first element always comes,
   * and one larger than this comes without its value, with a problem saying so.
   */
  maxBytes: number;
}

export interface FileElement {
  /** 0-based index in the array. */
  index: number;
  /** As parsed; numbers a double cannot hold exactly stay their digits (see jsonScalar). */
  value: unknown;
  /** Its size as JSON. */
  bytes: number;
  /** Why the element cannot be used as it is, e.g. its size. */
  problem?: string;
}

export interface ElementPage {
  elements: FileElement[];
  /** The fromElement of the next page. */
  nextElement: number;
  done: boolean;
}

/** Stops assembling an element once it is known to be too large to carry. */
class TooLarge extends Error {}

interface TokenSource {
  next(): Promise<Token>;
}

/** The file's tokens, counting how deep the current element is, so one cut short is skipped whole. */
class DepthCounter implements TokenSource {
  depth = 0;

  constructor(private readonly tokens: JsonTokens) {}

  async next(): Promise<Token> {
    const token = await this.tokens.next();
    if (token.name === 'startObject' || token.name === 'startArray') this.depth++;
    else if (token.name === 'endObject' || token.name === 'endArray') this.depth--;
    return token;
  }
}

/** Builds the value that starts with `first`, counting its JSON size against `limit`. */
async function assemble(tokens: TokenSource, first: Token, size: { bytes: number; limit: number }) {
  const grow = (bytes: number) => {
    size.bytes += bytes;
    if (size.bytes > size.limit) throw new TooLarge();
  };
  async function value(token: Token): Promise<unknown> {
    if (token.name === 'startObject') {
      const object: Record<string, unknown> = {};
      grow(2);
      for (let next = await tokens.next(); next.name !== 'endObject'; next = await tokens.next()) {
        if (next.name !== 'keyValue') continue;
        grow(Buffer.byteLength(next.value) + 4);
        // As JSON.parse does: a `__proto__` key is an own property, never the prototype.
        Object.defineProperty(object, next.value, {
          value: await value(await tokens.next()),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    if (token.name === 'startArray') {
      const array: unknown[] = [];
      grow(2);
      for (let next = await tokens.next(); next.name !== 'endArray'; next = await tokens.next()) {
        grow(1);
        array.push(await value(next));
      }
      return array;
    }
    const scalar = jsonScalar(token);
    grow(Buffer.byteLength(JSON.stringify(scalar)));
    return scalar;
  }
  return value(first);
}

/** Skips what is left of a value whose start was consumed at `depth` levels in. */
async function skipRest(tokens: JsonTokens, depth: number): Promise<void> {
  for (let open = depth; open > 0;) {
    const token = await tokens.next();
    if (token.name === 'startObject' || token.name === 'startArray') open++;
    else if (token.name === 'endObject' || token.name === 'endArray') open--;
  }
}

/**
 * One page of the elements of the file's top-level array (or of a top-level object's first
 * array-valued property). Re-read from the start for every page, as rows.ts reads JSON: a JSON
 * parser cannot start in the middle of a document; the elements before the page are skipped
 * token by token, never built. Throws UnreadableFile when the file is not such a document.
 */
export async function readElements(
  key: string,
  request: ElementPageRequest,
  source: Readable,
): Promise<ElementPage> {
  for (const [name, value] of Object.entries(request)) {
    if (!Number.isInteger(value) || value < (name === 'fromElement' ? 0 : 1)) {
      throw new Error(`${name} must be a whole number from ${name === 'fromElement' ? 0 : 1}, got ${value}`);
    }
  }
  const parser = jsonParser.asStream({ packValues: true, streamValues: false });
  const tokens = new JsonTokens(
    key,
    parsed<Token>(key, source, [parser], (error) => `malformed JSON: ${messageOf(error)}`),
  );
  try {
    await tokens.enterRows();
    const elements: FileElement[] = [];
    let total = 0;
    let more = false;
    for (let index = 0; ; index++) {
      const first = await tokens.next();
      if (first.name === 'endArray') break;
      if (index < request.fromElement) {
        await tokens.skip(first);
        continue;
      }
      if (elements.length === request.count) {
        more = true;
        break;
      }
      const element = await readElement(tokens, first, index, request.maxBytes);
      if (elements.length > 0 && total + element.bytes > request.maxBytes) {
        more = true;
        break;
      }
      elements.push(element);
      total += element.bytes;
    }
    if (!more) await tokens.finish();
    return { elements, nextElement: request.fromElement + elements.length, done: !more };
  } finally {
    await tokens.close();
  }
}

async function readElement(
  tokens: JsonTokens,
  first: Token,
  index: number,
  maxBytes: number,
): Promise<FileElement> {
  const size = { bytes: 0, limit: maxBytes };
  const counter = new DepthCounter(tokens);
  if (first.name === 'startObject' || first.name === 'startArray') counter.depth = 1;
  try {
    const value = await assemble(counter, first, size);
    const bytes = Buffer.byteLength(JSON.stringify(value));
    return first.name === 'startObject'
      ? { index, value, bytes }
      : { index, value, bytes, problem: `is ${jsonKind(first)}, not an object` };
  } catch (error) {
    if (!(error instanceof TooLarge)) throw error;
    await skipRest(tokens, counter.depth);
    const kb = Math.ceil(maxBytes / 1024);
    return {
      index,
      value: null,
      bytes: 4,
      problem: `is larger than ${kb} KB, more than one record may hold`,
    };
  }
}
