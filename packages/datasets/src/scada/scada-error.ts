// The error of the SCADA loader, and how it quotes what came from the input: every name or
// value read from a file passes through `printable` (escaped, cut to a length) before it is
// put into a message.
import { RnnkitError, formatCount, printable } from '@rnnkit/tensor';

/** Longest name or value from the input quoted in a message; the rest is counted. */
const QUOTED_LENGTH = 100;
/** Most names from the input listed in one message (columns found, turbines present). */
const LISTED_NAMES = 40;

/** A value from the input, quoted and safe to print: `"12,5"`, `"\x1b]0;…"`. */
export function quoted(text: string): string {
  return printable(text, { quote: true, maxLength: QUOTED_LENGTH });
}

/** A name from the input, safe to print, unquoted. */
export function shown(text: string): string {
  return printable(text, { maxLength: QUOTED_LENGTH });
}

/** Names from the input as `a, b, c` (at most {@link LISTED_NAMES}, then a count). */
export function listed(names: readonly string[]): string {
  const head = names.slice(0, LISTED_NAMES).map(shown).join(', ');
  return names.length > LISTED_NAMES ? `${head} and ${formatCount(names.length - LISTED_NAMES)} more` : head;
}

/**
 * A SCADA input that could not be read. The message names the input, the line and the
 * column; the same facts are fields for programs.
 */
export class ScadaError extends RnnkitError {
  /** The input's name (file path, or `<text>` / `<stream>`). */
  readonly source: string;
  /** 1-based line of the input, when the problem has one. */
  readonly line: number | undefined;
  /** Column name, when the problem is in one column. */
  readonly column: string | undefined;

  constructor(api: string, where: { source: string; line?: number; column?: string; field?: number }, message: string, options?: { cause?: unknown }) {
    // The source and a column may come from the file (or a directory listing): print them safely.
    const parts = [printable(where.source, { maxLength: 1000 })];
    if (where.line !== undefined) parts.push(`line ${where.line}`);
    if (where.column !== undefined) parts.push(`column ${shown(where.column)}${where.field !== undefined ? ` (field ${where.field + 1})` : ''}`);
    super(api, `${parts.join(', ')}: ${message}`, options);
    this.name = 'ScadaError';
    this.source = where.source;
    this.line = where.line;
    this.column = where.column;
  }
}
