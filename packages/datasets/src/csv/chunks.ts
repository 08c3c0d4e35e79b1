// The inputs the browser-safe loaders take, as one shape: an (async) iterable of chunks.
import { RnnkitError, describeValue } from '@rnnkit/tensor';
import type { ChunkSource } from './stream.js';

/** CSV text, UTF-8 bytes, a web stream, or (async) iterable chunks of text or UTF-8 bytes. */
export type CsvInput =
  | string
  | Uint8Array
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

const CHUNK = 1 << 16; // characters (or bytes) per write when the input is one string or array

/**
 * The input as chunks, and its name for messages (`<text>` or `<stream>`).
 * @param allowBytes take a whole Uint8Array as the input (else it is refused, as an
 *   iterable of numbers)
 */
export function chunksOf(api: string, input: unknown, allowBytes = false): { chunks: ChunkSource; source: string } {
  if (typeof input === 'string') return { chunks: textChunks(input), source: '<text>' };
  if (allowBytes && input instanceof Uint8Array) return { chunks: byteChunks(input), source: '<bytes>' };
  if (input !== null && typeof input === 'object' && !(allowBytes && ArrayBuffer.isView(input))) {
    if (typeof (input as ReadableStream).getReader === 'function') {
      return { chunks: streamChunks(input as ReadableStream<Uint8Array | string>), source: '<stream>' };
    }
    if (Symbol.asyncIterator in input || Symbol.iterator in input) {
      return { chunks: input as ChunkSource, source: '<stream>' };
    }
  }
  const what = allowBytes ? 'CSV text, UTF-8 bytes (Uint8Array)' : 'CSV text';
  throw new RnnkitError(api, `expected ${what}, a ReadableStream or an iterable of chunks, got ${describeValue(input)}`);
}

/** Slices of a string, never splitting a surrogate pair. */
function* textChunks(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + CHUNK, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

/** Views of a byte array (the decoder joins characters split between them). */
function* byteChunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += CHUNK) yield bytes.subarray(start, start + CHUNK);
}

/** A web stream's chunks; releases (and on early exit cancels) the stream. */
async function* streamChunks(stream: ReadableStream<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  const reader = stream.getReader();
  let done = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
