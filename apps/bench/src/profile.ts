// Runs one benchmark row for one rnnkit contender in a loop, for a CPU profile:
//
//   node --conditions=source --import tsx --cpu-prof src/profile.ts W5 [--contender rnnkit-wasm] [--seconds 5]
//
// (`pnpm bench:profile W5` prints the time per run without profiling.)
import { rnnkitContender } from './contenders/rnnkit.js';
import type { RnnkitContenderId as RnnkitId } from './harness.js';
import { benchCases } from './workloads.js';

const IDS: readonly RnnkitId[] = ['rnnkit-js', 'rnnkit-wasm', 'rnnkit-wasm-mt', 'rnnkit-wasm-relaxed', 'rnnkit-wasm-mt-relaxed'];

function fail(message: string): never {
  console.error(`profile: ${message}`);
  console.error(`usage: profile <row, e.g. "W5" or "W4 predict"> [--contender ${IDS.join('|')}] [--seconds n]`);
  process.exit(1);
}

const args = process.argv.slice(2);
let row: string | undefined;
let contender: RnnkitId = 'rnnkit-wasm';
let seconds = 5;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--contender') {
    const value = args[++i];
    if (!IDS.includes(value as RnnkitId)) fail(`--contender must be one of ${IDS.join(', ')}, got ${String(value)}`);
    contender = value as RnnkitId;
  } else if (arg === '--seconds') {
    seconds = Number(args[++i]);
    if (!(seconds > 0)) fail(`--seconds must be a positive number, got ${String(args[i])}`);
  } else if (arg.startsWith('--')) {
    fail(`unknown argument "${arg}"`);
  } else if (row === undefined) {
    row = arg;
  } else {
    fail(`one row only, got "${row}" and "${arg}"`);
  }
}
const cases = benchCases('full');
const c = cases.find((x) => x.id === row) ?? cases.find((x) => x.workload === row);
if (c === undefined) fail(`unknown row ${JSON.stringify(row)}; rows: ${cases.map((x) => x.id).join(', ')}`);
console.log(`${c.id}: ${c.title} (${contender})`);
const task = await rnnkitContender(contender).setup(c);
for (let i = 0; i < 20; i++) task.run();
const start = performance.now();
let runs = 0;
while (performance.now() - start < seconds * 1000) {
  task.run();
  runs++;
}
console.log(`${((performance.now() - start) / runs).toFixed(3)} ms per run over ${runs} runs`);
task.dispose();
