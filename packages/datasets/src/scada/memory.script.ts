// Run by memory.slow.test.ts in a Node process of its own, with a heap smaller than the
// export it reads: streams a generated 500,000-row La Haute Borne export (about 51 MB of
// text, never held whole) through parseScada and prints what it kept.
import { parseScada } from './parse-scada.js';
import { syntheticScadaCsv } from './synthetic.js';

const rows = Number(process.argv[2] ?? 500_000);
const data = await parseScada(syntheticScadaCsv({ rows, seed: 1, missingRate: 0.02, duplicateRate: 0.001, lateRate: 0.01 }), {
  variables: ['Wa_c_avg', 'Ws_avg'],
});
console.log(JSON.stringify({ rowsRead: data.report.rowsRead, kept: data.values.shape[0], heapUsed: process.memoryUsage().heapUsed }));
