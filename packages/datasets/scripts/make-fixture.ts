// Writes fixtures/la-haute-borne-sample.csv: a small synthetic La Haute Borne SCADA export,
// the output of syntheticScadaCsv(scadaSampleOptions).
//
//   cd packages/datasets && npx tsx --conditions=source scripts/make-fixture.ts
//
// The output is deterministic (seeded); re-running it rewrites the same bytes, and a unit
// test (src/scada/synthetic.test.ts) checks the committed file still matches.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scadaSampleOptions, syntheticScadaCsv } from '../src/index.js';

const file = fileURLToPath(new URL('../fixtures/la-haute-borne-sample.csv', import.meta.url));
const text = [...syntheticScadaCsv(scadaSampleOptions)].join('');
writeFileSync(file, text);
const rows = text.trimEnd().split('\n').slice(1);
const offsets = new Set(rows.map((line) => line.split(';')[1]!.slice(-6)));
console.log(`wrote ${file}: ${rows.length} rows, ${text.length} bytes, offsets ${[...offsets].join(', ')}`);
