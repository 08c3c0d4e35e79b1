// Streams a large synthetic La Haute Borne export through loadScada and reports throughput
// and memory: the point is that memory follows the selected rows and columns, not the file.
//
//   cd packages/datasets && node --expose-gc --import tsx --conditions=source bench/scada-stream.ts [rows]
//
// (`npx tsx --conditions=source bench/scada-stream.ts` works too; without --expose-gc the
// baseline is less exact.) Numbers are printed, never asserted.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { syntheticScadaCsv } from '../src/index.js';
import { loadScada } from '../src/node.js';

const rows = Number(process.argv[2] ?? 500_000);
if (!Number.isInteger(rows) || rows < 1) throw new Error(`rows must be a positive integer, got ${process.argv[2]}`);

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function writeExport(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (const chunk of syntheticScadaCsv({ rows, seed: 1, missingRate: 0.02, duplicateRate: 0.001, lateRate: 0.01 })) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** csv-parse alone, every record dropped: the floor any loader built on it can reach. */
async function bareParse(file: string): Promise<number> {
  let records = 0;
  const parser = parse({ delimiter: ';', on_record: () => (records++, null) });
  const started = performance.now();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    if (!parser.write(chunk)) await once(parser, 'drain');
  }
  parser.end();
  parser.resume();
  await once(parser, 'end');
  const seconds = (performance.now() - started) / 1000;
  console.log(`csv-parse alone: ${records.toLocaleString('en')} records in ${seconds.toFixed(2)} s → ${Math.round(records / seconds).toLocaleString('en')} rows/s`);
  return seconds;
}

async function measure(label: string, file: string, options: Parameters<typeof loadScada>[1], floor: number): Promise<void> {
  gc?.();
  // JS heap plus ArrayBuffer storage (typed arrays live outside heapUsed).
  const used = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.arrayBuffers;
  const before = process.memoryUsage();
  let peakHeap = used(before);
  let peakRss = before.rss;
  const sample = (): void => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, used(now));
    peakRss = Math.max(peakRss, now.rss);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  const data = await loadScada(file, options);
  const seconds = (performance.now() - started) / 1000;
  sample();
  clearInterval(timer);
  gc?.();
  const retained = used(process.memoryUsage()) - used(before);
  const size = statSync(file).size;
  console.log(
    [
      `${label}:`,
      `  ${data.report.rowsRead.toLocaleString('en')} rows in ${seconds.toFixed(2)} s → ${Math.round(data.report.rowsRead / seconds).toLocaleString('en')} rows/s, ${(size / 2 ** 20 / seconds).toFixed(1)} MB/s (${(seconds / floor).toFixed(2)}× the time of csv-parse alone)`,
      `  kept ${data.values.shape[0]!.toLocaleString('en')} rows × ${data.columns.length} columns of ${data.turbine} (${mb(data.values.data.byteLength + data.time.byteLength)} of results)`,
      `  peak heap + buffers growth ${mb(peakHeap - used(before))} (garbage included), peak RSS growth ${mb(peakRss - before.rss)}, retained after gc ${gc ? mb(retained) : 'n/a'} (file ${mb(size)})`,
    ].join('\n'),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'rnnkit-scada-bench-'));
try {
  const file = join(dir, 'la-haute-borne-synthetic.csv');
  const t0 = performance.now();
  await writeExport(file);
  console.log(`wrote ${rows.toLocaleString('en')} rows (${mb(statSync(file).size)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s to ${file}`);
  console.log(`node ${process.version}, gc ${gc ? 'exposed' : 'not exposed (run node --expose-gc for a cleaner baseline)'}`);
  const floor = await bareParse(file);
  await measure('loadScada, one turbine, Wa_c_avg (experiment 1)', file, {}, floor);
  await measure(
    'loadScada, one turbine, 4 variables, sin/cos of Wa_c_avg',
    file,
    { variables: ['Wa_c_avg', 'Ws_avg', 'P_avg', 'Ot_avg'], angles: { Wa_c_avg: ['sin', 'cos'] } },
    floor,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
