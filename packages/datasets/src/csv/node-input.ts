// Node inputs of the CSV loaders: a file path, a `file:` URL or a Node readable stream, read
// as chunks of bytes; gzip (recognised by its first bytes) is decompressed as it streams.
import { createReadStream } from 'node:fs';
import { type Readable, Readable as ReadableStream, pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { RnnkitError, describeValue } from '@rnnkit/tensor';
import { isGzip } from './sniff.js';

/** The stream of a path, URL or readable, and the input's name for messages. */
export function openNodeInput(api: string, input: unknown): { stream: Readable; source: string } {
  if (typeof input === 'string' || input instanceof URL) {
    const source = typeof input === 'string' ? input : fileURLToPath(input);
    return { stream: createReadStream(source, { highWaterMark: 1 << 16 }), source };
  }
  if (input !== null && typeof input === 'object' && typeof (input as Readable).pipe === 'function' && Symbol.asyncIterator in input) {
    const path = (input as { path?: unknown }).path;
    return { stream: input as Readable, source: typeof path === 'string' ? path : '<stream>' };
  }
  throw new RnnkitError(api, `expected a file path, a file URL or a Node readable stream, got ${describeValue(input)}`);
}

/**
 * The chunks as they come, or decompressed when the first one starts like gzip.
 * @param corrupt the error to throw when the gzip stream cannot be decompressed
 */
export async function* gunzipIfCompressed(
  chunks: AsyncIterable<Uint8Array | string>,
  corrupt: (why: string, cause: unknown) => Error,
): AsyncGenerator<Uint8Array | string> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  async function* all(): AsyncGenerator<Uint8Array | string> {
    yield first.value;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  }
  if (!isGzip(first.value)) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  // pipeline (unlike pipe) passes a read error of the source on and destroys both on exit.
  pipeline(ReadableStream.from(all()), gunzip, () => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (error) {
    if (error instanceof RnnkitError) throw error;
    throw corrupt((error as Error).message, error);
  } finally {
    gunzip.destroy();
  }
}
