// Delimiter detection: the header line is read ahead (and kept), and the candidate that
// occurs most often in it outside quotes is taken.
import { MAX_LINE_BYTES, type ChunkSource } from '../csv/stream.js';

/** Candidates in order of preference when counts tie. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * The delimiter of a header line: the candidate occurring most often outside double quotes
 * (ties go to the earlier of `, ; tab |`), `,` when none occurs.
 */
export function detectDelimiter(header: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    if (counts.get(d)! > most) {
      best = d;
      most = counts.get(d)!;
    }
  }
  return best;
}

/**
 * Reads chunks until the first line is complete (or the input ends, or it exceeds the longest
 * line read), and gives that line and every chunk again from the start.
 * @param checkHead called with the first non-empty chunk before anything else is done with it
 */
export async function readHeaderLine(
  chunks: ChunkSource,
  checkHead: (head: string | Uint8Array) => void,
): Promise<{ header: string; chunks: AsyncIterable<string | Uint8Array> }> {
  const iterator = (async function* () {
    yield* chunks;
  })();
  const held: (string | Uint8Array)[] = [];
  const decoder = new TextDecoder('utf-8');
  let header = '';
  let quoted = false;
  let complete = false;
  let sniffed = false;
  let started = false;
  while (!complete && header.length <= MAX_LINE_BYTES) {
    const next = await iterator.next();
    if (next.done === true) break;
    const chunk = next.value;
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      throw new TypeError(`expected chunks of text or bytes (Uint8Array), got ${typeof chunk}`);
    }
    if (!sniffed && chunk.length > 0) {
      sniffed = true;
      checkHead(chunk);
    }
    held.push(chunk);
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    // Scans only the new text, carrying the quote state; blank lines before the header are
    // skipped by the parser, so they are skipped here too.
    let from = 0;
    let i = 0;
    for (; i < text.length; i++) {
      const ch = text[i];
      const lineBreak = ch === '\n' || ch === '\r';
      if (!started) {
        if (lineBreak) {
          from = i + 1;
          continue;
        }
        started = true;
      }
      if (ch === '"') quoted = !quoted;
      else if (!quoted && lineBreak) {
        complete = true;
        break;
      }
    }
    header += text.slice(from, i);
  }
  async function* again(): AsyncGenerator<string | Uint8Array> {
    yield* held;
    yield* iterator;
  }
  return { header, chunks: again() };
}
