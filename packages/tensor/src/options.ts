// The one place every package checks an options object and shows a bad value in an error,
// so "unknown option" reads the same everywhere and a value from a file is always escaped.
import { RnnkitError, printable } from './errors.js';

/** Items of an array shown before `…`; the rest is only counted. */
const SHOWN_ITEMS = 8;
/** Characters of a string shown before it is cut. */
const SHOWN_LENGTH = 100;

function withArticle(noun: string): string {
  return `${/^[AEIOUaeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

function describeItem(item: unknown): string {
  if (typeof item === 'number' || item === null || typeof item === 'boolean') return String(item);
  if (typeof item === 'string') return printable(item, { quote: true, maxLength: SHOWN_LENGTH });
  return Array.isArray(item) ? 'an array' : typeof item;
}

/**
 * A value as an error message shows it after `got`: `null`, `undefined`, `number NaN`,
 * `boolean true`, `"relu"` (escaped and cut by {@link printable}, since strings often come
 * from files), `[1, 2, 3]` (at most 8 items), `a Float32Array`, `a Tensor`, `an object`,
 * `a function`.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return printable(value, { quote: true, maxLength: SHOWN_LENGTH });
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) {
    const items = value.slice(0, SHOWN_ITEMS).map(describeItem);
    return `[${items.join(', ')}${value.length > SHOWN_ITEMS ? `, … (${value.length} items)` : ''}]`;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
    const name = prototype?.constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? withArticle(name) : 'an object';
  }
  return `${typeof value} ${String(value)}`;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Throws unless `options` is a plain object whose keys are all in `known`: a misspelt option
 * must not be ignored silently. The message names the first unknown key and lists the valid
 * ones: `Dense: unknown option "unit"; valid options are units, activation`.
 *
 * `what` names a key in the messages, for objects nested in options:
 * `fit: unknown callback "onEpoch"; valid callbacks are onEpochEnd, …`.
 *
 * Layers call this on every forward and backward pass, so the check of good options
 * allocates nothing; the list is built only for the error.
 */
export function checkOptionKeys(api: string, options: unknown, known: readonly string[], what = 'option'): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new RnnkitError(api, `expected ${withArticle(`${what}s`)} object, got ${describeValue(options)}`);
  }
  for (const key in options) {
    if (!hasOwn.call(options, key) || known.includes(key)) continue;
    const valid = known.length === 0 ? `it takes no ${what}s` : `valid ${what}s are ${known.join(', ')}`;
    throw new RnnkitError(api, `unknown ${what} ${printable(key, { quote: true, maxLength: SHOWN_LENGTH })}; ${valid}`);
  }
}
