// `pnpm bench`: rnnkit against TF.js (CPU and WASM backends) and brain.js on the seed
// workloads (docs/benchmarks.md), side by side in one run; on the prediction rows also ONNX
// Runtime, directly and through @rnnkit/onnx's onnxRunner.
//
//   pnpm bench                          everything, full sizes (about 20 minutes)
//   pnpm bench --quick                  shorter timing
//   pnpm bench --json                   machine-readable report on stdout
//   pnpm bench --markdown               Markdown tables (docs/benchmarks.md)
//   pnpm bench --only W1,W4             only these workloads or rows ("W2 predict")
//   pnpm bench --contenders rnnkit-wasm-mt,tfjs-wasm,pytorch-cpu   (pytorch-cpu: a Python with torch)
//   pnpm bench --tiny                   tiny sizes (what the smoke test runs)
//   pnpm bench --no-heap                skip the heap-growth check
// (apps/bench is not a workspace package: the first run installs its contenders.)
import { type ContenderId } from './harness.js';
import { formatMarkdown, formatText } from './report.js';
import { ALL_CONTENDERS, runBenchmarks } from './run.js';

const USAGE =
  'usage: bench [--quick] [--json | --markdown] [--tiny] [--no-heap] [--only W1,W2,…] [--contenders id,…] [--reps n]';

function listArgument(args: string[], name: string): string[] | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a comma-separated list\n${USAGE}`);
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

async function main(argv: string[]): Promise<void> {
  const args = argv.filter((a) => a !== '--'); // pnpm/turbo may pass a bare separator through
  const known = new Set(['--quick', '--json', '--markdown', '--tiny', '--no-heap', '--only', '--contenders', '--reps', '--help']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!known.has(a)) throw new Error(`unknown argument "${a}"\n${USAGE}`);
    if (a === '--only' || a === '--contenders' || a === '--reps') i++;
  }
  if (args.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const json = args.includes('--json');
  const contenders = listArgument(args, '--contenders');
  for (const id of contenders ?? []) {
    if (!(ALL_CONTENDERS as readonly string[]).includes(id)) throw new Error(`unknown contender "${id}"; known: ${ALL_CONTENDERS.join(', ')}`);
  }
  const repsText = listArgument(args, '--reps')?.[0];
  const reps = repsText === undefined ? undefined : Number(repsText);
  if (reps !== undefined && !(Number.isInteger(reps) && reps > 0)) throw new Error(`--reps must be a positive integer, got ${repsText}`);
  const report = await runBenchmarks({
    quick: args.includes('--quick'),
    scale: args.includes('--tiny') ? 'tiny' : 'full',
    only: listArgument(args, '--only'),
    heap: !args.includes('--no-heap'),
    ...(contenders === undefined ? {} : { contenders: contenders as ContenderId[] }),
    ...(reps === undefined ? {} : { timing: { repetitions: reps } }),
    // Progress goes to stderr so that --json output on stdout stays parseable.
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (json) console.log(JSON.stringify(report, null, 2));
  else if (args.includes('--markdown')) console.log(formatMarkdown(report));
  else console.log(formatText(report));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
