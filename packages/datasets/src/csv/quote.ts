// How the CSV loaders quote what came from the input: every name or value read from a file
// passes through `printable` (escaped, cut to a length) before it is put into a message.
import { formatCount, printable } from '@rnnkit/tensor';

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
