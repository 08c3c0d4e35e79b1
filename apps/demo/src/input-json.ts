// Reading the JSON files a user hands to the demo (predict --input) as untrusted input:
// bounded nesting, a byte-order mark allowed, numbers that overflow named, and values
// described in messages without ever serialising a whole (possibly huge) subtree.
import { printable } from '@rnnkit/tensor';
import { DemoError } from './errors.js';

/** Deepest nesting of lists and objects accepted in an input file. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Parses JSON text from the file `name`: a leading byte-order mark is skipped, and nesting
 * deeper than {@link MAX_INPUT_DEPTH} is refused (naming line and column) before the text
 * is parsed, so that no later walk over the value can run out of stack.
 */
export function parseInputJson(text: string, name: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  checkDepth(text, name);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DemoError(`input ${name} is not valid JSON: ${printable((error as Error).message, { maxLength: 200 })}`);
  }
}

/** Scans brackets outside strings; stops at the first one that nests too deep. */
function checkDepth(text: string, name: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_INPUT_DEPTH) {
        const before = text.slice(0, i);
        const line = before.split('\n').length;
        const column = i - before.lastIndexOf('\n');
        throw new DemoError(`input ${name} nests lists or objects deeper than ${MAX_INPUT_DEPTH} levels (line ${line}, column ${column})`);
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
}

/**
 * A parsed JSON value as a message shows it: numbers and short strings as written, lists and
 * objects by their size (never serialised whole), `±Infinity` as what it came from.
 */
export function describeJsonValue(value: unknown): string {
  if (typeof value === 'number') {
    // JSON has no Infinity: the text held a literal too large for a double, such as 1e400.
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return `a number too large for a double (${value > 0 ? '' : '-'}Infinity once read; at most ±1.8e308)`;
    return String(value);
  }
  if (typeof value === 'string') return printable(value, { quote: true, maxLength: 60 });
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value === null || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}
