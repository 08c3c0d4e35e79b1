/**
 * The one error type rnnkit throws for a mistake in how it was called.
 *
 * Its message always starts with the API that refused (`matmul: …`, `Dense: …`) and says
 * what was expected and what came, so a user can fix the call without reading our sources.
 * `api` carries the same name for programs that want to branch on it.
 *
 * Messages often quote untrusted input (a CSV header, a name from model.json), and they end
 * up on terminals. So the whole message passes through {@link printable} here: whatever a
 * call site forgot, an error can never carry a raw control character (a crafted file could
 * otherwise retitle or clear the user's terminal) nor grow beyond
 * {@link MAX_MESSAGE_LENGTH} characters.
 */
export class RnnkitError extends Error {
  /** The function, class or option that refused the input, e.g. `"matmul"` or `"Dense"`. */
  readonly api: string;

  constructor(api: string, message: string, options?: { cause?: unknown }) {
    super(printable(`${api}: ${message}`, { maxLength: MAX_MESSAGE_LENGTH }), options);
    this.name = 'RnnkitError';
    this.api = api;
  }
}

/** Formats a shape the way every error message shows it: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Longest error message kept whole; longer ones end in `… (N more characters)`. */
export const MAX_MESSAGE_LENGTH = 4000;

/** Options of {@link printable}. */
export interface PrintableOptions {
  /**
   * Most characters (UTF-16 code units) of the text kept; the rest is replaced by
   * `… (9,999,873 more characters)`. The count is of the original text, before escaping.
   * @defaultValue 200
   */
  readonly maxLength?: number;
  /**
   * Wraps the result in double quotes and escapes `"` and `\` too, so the quoted value reads
   * back unambiguously (like `JSON.stringify`, which escapes fewer characters).
   * @defaultValue false
   */
  readonly quote?: boolean;
}

// Characters a terminal may act on or that are invisible: controls (C0, DEL, C1: Cc), format
// characters such as the bidi overrides U+202E and U+2066–U+2069, zero-width spaces and the
// BOM (Cf), the line and paragraph separators U+2028/U+2029 and lone surrogates.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNPRINTABLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const UNPRINTABLE_OR_QUOTE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}"\\]/gu;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };

function escapeCharacter(c: string): string {
  const short = SHORT_ESCAPES[c];
  if (short !== undefined) return short;
  const code = c.codePointAt(0)!;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code < 0x10000 ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Writes a count with thousands separators: `9,999,873` (the same in every locale). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Text that is safe to print in a one-line message: every control character (C0 such as ESC
 * and newline, DEL, C1), bidi override and other invisible format character becomes a
 * visible escape (`\x1b`, `\n`, `\u202e`), and text longer than `maxLength` is cut with a
 * count of what was left out. Use it on every value that came from a file or a user before
 * putting it into a message.
 *
 * @example
 * ```ts
 * printable('Wind\x1b]0;owned\x07'); // 'Wind\\x1b]0;owned\\x07'
 * printable('a'.repeat(250), { maxLength: 10 }); // 'aaaaaaaaaa… (240 more characters)'
 * printable('say "hi"', { quote: true }); // '"say \\"hi\\""'
 * ```
 */
export function printable(text: string, options: PrintableOptions = {}): string {
  const maxLength = options.maxLength ?? 200;
  let kept = String(text);
  let rest = '';
  if (kept.length > maxLength) {
    let end = Math.max(0, Math.floor(maxLength));
    // Do not split a surrogate pair: keep the pair whole or drop it whole.
    const last = kept.charCodeAt(end - 1);
    if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
    rest = `… (${formatCount(kept.length - end)} more character${kept.length - end === 1 ? '' : 's'})`;
    kept = kept.slice(0, end);
  }
  if (options.quote === true) return `"${kept.replace(UNPRINTABLE_OR_QUOTE_ALL, escapeCharacter)}"${rest}`;
  // Most messages have nothing to escape: test once rather than rebuild the string.
  return (UNPRINTABLE.test(kept) ? kept.replace(UNPRINTABLE_ALL, escapeCharacter) : kept) + rest;
}
