import { toIsoInstant, type Checkpoint } from './checkpoint';

/**
 * A place in a pipeline's change stream: every record at or before it has been synced. Whatever
 * the source, positions compare as strings, and each begins with an ISO-8601 instant (so that a
 * time is a position too): Salesforce `<SystemModstamp>|<Id>`, a file drop
 * `<last-modified>|<file key>|<row>`.
 */
export type Position = string;

/** The position just before everything changed at or after `isoTime`. */
export function positionAt(isoTime: string): Position {
  return `${toIsoInstant(isoTime)}|`;
}

/** The instant a position begins with. */
export function instantOf(position: Position): string {
  const end = position.indexOf('|');
  return end === -1 ? position : position.slice(0, end);
}

export function laterPosition(a: Position | null, b: Position | null): Position | null {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}

export function earlierPosition(a: Position | null, b: Position | null): Position | null {
  if (a === null) return b;
  if (b === null) return a;
  return b < a ? b : a;
}

/** Checkpoints kept by runs and owners from before positions were strings read as positions. */
export function asPosition(value: Position | Checkpoint | null | undefined): Position | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return `${toIsoInstant(value.systemModstamp)}|${value.id}`;
}
