// Recognises inputs that are not CSV text at all from their first bytes, so that a compressed
// export or a UTF-16 file is named as such instead of being reported as garbage columns.

/** A file format told apart by the bytes it starts with. */
interface Signature {
  /** What to call it: `the input is ${what}`. */
  readonly what: string;
  /** What the user should do about it. */
  readonly advice: string;
  readonly bytes: readonly number[];
}

const DECOMPRESS = 'decompress it first';

const SIGNATURES: readonly Signature[] = [
  { what: 'gzip-compressed', advice: `${DECOMPRESS} (gunzip)`, bytes: [0x1f, 0x8b] },
  { what: 'a zip archive (or an .xlsx workbook)', advice: 'extract the CSV file from it first', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { what: 'a zip archive (or an .xlsx workbook)', advice: 'extract the CSV file from it first', bytes: [0x50, 0x4b, 0x05, 0x06] },
  // "BZh", the block size digit is checked below, then the block magic 0x314159265359 (π).
  { what: 'bzip2-compressed', advice: `${DECOMPRESS} (bunzip2)`, bytes: [0x42, 0x5a, 0x68, -1, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59] },
  { what: 'xz-compressed', advice: `${DECOMPRESS} (unxz)`, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { what: 'zstd-compressed', advice: `${DECOMPRESS} (unzstd)`, bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { what: '7z-compressed', advice: 'extract the CSV file from it first', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
];

const UTF16 = { what: 'UTF-16 text', advice: 'save it as UTF-8' };
/** How far into the input a NUL byte marks it as binary (CSV text never holds one). */
const NUL_WINDOW = 4096;

/**
 * Byte `b` (or the wildcard -1, a bzip2 block-size digit) at position `i` of the input. Text
 * that was decoded before it reached us shows a byte ≥ 0x80 as U+FFFD (UTF-8 decoding: the
 * bytes of these signatures are never valid UTF-8 there) or as the same code (Latin-1).
 */
function matches(head: string | Uint8Array, bytes: readonly number[]): boolean {
  if (head.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const c = typeof head === 'string' ? head.charCodeAt(i) : head[i]!;
    const b = bytes[i]!;
    if (b === -1 ? c < 0x31 || c > 0x39 : c !== b && !(b >= 0x80 && c === 0xfffd)) return false;
  }
  return true;
}

/**
 * What the input is when its first chunk shows it is not CSV text (compressed, an archive,
 * UTF-16), as `{ what, advice }`; undefined for anything else.
 */
export function sniffNonText(head: string | Uint8Array): { what: string; advice: string } | undefined {
  const found = SIGNATURES.find((signature) => matches(head, signature.bytes));
  if (found !== undefined) return { what: found.what, advice: found.advice };
  // A UTF-16 byte-order mark: FF FE or FE FF, bytes that never occur in UTF-8; decoded as
  // UTF-8 they became two U+FFFD, followed by the NUL half of the first character.
  const first = typeof head === 'string' ? head.charCodeAt(0) : head[0];
  const second = typeof head === 'string' ? head.charCodeAt(1) : head[1];
  if ((first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff)) return UTF16;
  if (typeof head === 'string' && first === 0xfffd && second === 0xfffd && (head[2] === '\0' || head[3] === '\0')) return UTF16;
  const nul = typeof head === 'string' ? head.slice(0, NUL_WINDOW).indexOf('\0') : head.subarray(0, NUL_WINDOW).indexOf(0);
  if (nul !== -1) {
    return { what: `binary data or UTF-16 text, not UTF-8 text (a NUL byte at offset ${nul})`, advice: 'give a UTF-8 CSV export' };
  }
  return undefined;
}

/** True when the bytes start like a gzip stream (1F 8B), which the Node entry decompresses. */
export function isGzip(head: string | Uint8Array): boolean {
  return typeof head !== 'string' && head[0] === 0x1f && head[1] === 0x8b;
}
