import { createHash } from 'node:crypto';

/** Letters, digits, dot, hyphen and underscore are safe in a file name on every system we run on. */
const SAFE = /[A-Za-z0-9._-]/;
/** Well under the 255 bytes most file systems allow, for the hash and the temp suffixes. */
const LONGEST = 160;

/**
 * A pipeline name or run id as one portable directory name. Anything outside the safe set (a run
 * id's colons, Windows forbids them) becomes ~XX per UTF-8 byte, so distinct names never collide;
 * a leading or trailing dot is escaped too ('.', '..', hidden files, Windows trims trailing dots).
 * A name still too long keeps its start and gains a hash of the whole.
 */
export function directoryName(name: string): string {
  if (name === '') throw new RangeError('a report directory needs a non-empty name');
  const escaped = [...name]
    .map((char, i, chars) =>
      SAFE.test(char) && !(char === '.' && (i === 0 || i === chars.length - 1)) ? char : escape(char),
    )
    .join('');
  if (escaped.length <= LONGEST) return escaped;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${escaped.slice(0, LONGEST - 17)}~${hash}`;
}

const escape = (char: string): string =>
  [...Buffer.from(char, 'utf8')]
    .map((byte) => `~${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
