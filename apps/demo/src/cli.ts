#!/usr/bin/env node
// rnnkit-demo: the five reference experiments of rnnkit, reproduced.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { RnnkitError, printable, setBackend } from '@rnnkit/tensor';
import { asciiChart } from './charts.js';
import { DemoError } from './errors.js';
import type { CommonFlags, Experiment, ExperimentResult } from './experiment.js';
import { experiments } from './experiments/index.js';
import { OutputDirectory } from './files.js';
import { createReporter, formatTable } from './reporter.js';
import { runPredict } from './predict.js';
import { EXPLAIN_KINDS, explain, formatExplanation } from './explain.js';
import { EXPORT_FORMATS, runExport } from './export-model.js';

const USAGE = `Usage: rnnkit-demo <experiment|all|predict|export|explain> [flags]

Experiments (see docs/experiments.md):
${experiments.map((e) => `  ${e.id.padEnd(16)} ${e.title}`).join('\n')}
  all              every experiment above, one after the other

Flags:
  --seed N         seed of the one random generator (each experiment has a default)
  --epochs N       iterations or epochs (alias --iterations)
  --lr X           learning rate
  --optimizer NAME optimizer, where the experiment offers a choice
  --variant NAME   a named variant (e.g. addition-tensor --variant improved)
  --steps N        turbine-forecast: steps (10 minutes each) to forecast (default 6)
  --csv PATH       turbine, turbine-forecast: a La Haute Borne SCADA export (default: synthetic data)
  --out DIR        where SVG plots go (default ./rnnkit-demo-out/<experiment>)
  --overwrite      replace existing files in --out that the demo did not write
  --kernels NAME   js (default) or wasm: WebAssembly SIMD kernels on every core
  --json           print one JSON object on stdout instead of the human report
                   (on failure: {"error": "...", "exitCode": N}, and a non-zero exit)
  --quiet          no progress display
  -h, --help       this text

  predict --model PATH/model.json|FILE.onnx --input FILE.json
                   load a saved model (TF.js layers format, or ONNX) and print its
                   predictions as JSON
  export --model PATH/model.json --format onnx --out FILE.onnx [--overwrite]
                   convert a saved model to ONNX (an existing FILE.onnx is only
                   replaced with --overwrite)
  explain lstm|gru|rnn
                   one forward and one backward step of a tiny trained model,
                   equation by equation, with its real numbers (--json: as data)`;

function parseNumber(flag: string, raw: string | undefined, kind: 'integer' | 'number'): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const ok = kind === 'integer' ? Number.isSafeInteger(value) && value >= 0 : Number.isFinite(value) && value > 0;
  if (raw.trim() === '' || !ok) {
    throw new DemoError(`--${flag} expects ${kind === 'integer' ? 'a non-negative integer' : 'a positive number'}, got "${raw}"`, 2);
  }
  return value;
}

/** Where relative paths given by the user point: the directory pnpm was started in. */
function userPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/**
 * Selects the kernels every experiment runs on and describes them: `js` (the default, the
 * figures in the README) or `wasm` (@rnnkit/backend-wasm on one thread per core; results
 * differ from js in float32 rounding, so trajectories drift apart over long runs).
 */
async function selectKernels(name: string | undefined): Promise<string> {
  if (name === undefined || name === 'js') return 'js';
  if (name !== 'wasm') throw new DemoError(`--kernels expects js or wasm, got "${name}"`, 2);
  const backend = await createWasmBackend({ threads: 'auto' });
  setBackend(backend);
  return backend.threads > 1 ? `${backend.name}, ${backend.threads} threads` : backend.name;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        seed: { type: 'string' },
        epochs: { type: 'string' },
        iterations: { type: 'string' },
        lr: { type: 'string' },
        optimizer: { type: 'string' },
        variant: { type: 'string' },
        steps: { type: 'string' },
        csv: { type: 'string' },
        out: { type: 'string' },
        overwrite: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        kernels: { type: 'string' },
        model: { type: 'string' },
        input: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new DemoError(`${(error as Error).message} (see rnnkit-demo --help)`, 2);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0 && !values.help && values.json) {
    // A program reading stdout expects JSON, not the usage text.
    throw new DemoError('expected an experiment, all, predict, export or explain (see rnnkit-demo --help)', 2);
  }
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  if (positionals[0] === 'explain') {
    if (positionals.length !== 2) throw new DemoError(`explain expects one of ${EXPLAIN_KINDS.join(', ')} (e.g. rnnkit-demo explain lstm)`, 2);
    const seed = values.seed !== undefined ? parseNumber('seed', values.seed, 'integer')! : 1;
    const explanation = await explain(positionals[1]!, seed);
    process.stdout.write(`${values.json ? JSON.stringify(explanation) : formatExplanation(explanation)}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new DemoError(`expected one command, got "${positionals.join(' ')}" (see --help)`, 2);
  const command = positionals[0]!;
  const kernels = await selectKernels(values.kernels);

  if (command === 'predict') {
    if (!values.model || !values.input) throw new DemoError('predict needs --model PATH/model.json (or FILE.onnx) and --input FILE.json', 2);
    const predictions = await runPredict(userPath(values.model), userPath(values.input));
    process.stdout.write(`${JSON.stringify(predictions)}\n`);
    return 0;
  }

  if (command === 'export') {
    if (!values.model || !values.format || !values.out) {
      throw new DemoError(`export needs --model PATH/model.json, --format ${EXPORT_FORMATS.join('|')} and --out FILE.${EXPORT_FORMATS[0]}`, 2);
    }
    const out = userPath(values.out);
    const bytes = await runExport(userPath(values.model), values.format, out, { overwrite: values.overwrite === true });
    process.stdout.write(values.json ? `${JSON.stringify({ file: out, format: values.format, bytes })}\n` : `wrote ${out} (${bytes} bytes)\n`);
    return 0;
  }

  const selected: Experiment[] =
    command === 'all' ? [...experiments] : experiments.filter((e) => e.id === command);
  if (selected.length === 0) {
    throw new DemoError(`unknown experiment "${command}"; choose one of ${experiments.map((e) => e.id).join(', ')}, all, predict, export`, 2);
  }
  if (values.epochs !== undefined && values.iterations !== undefined) {
    throw new DemoError('give either --epochs or --iterations, not both', 2);
  }
  const flags: CommonFlags = {
    ...(values.seed !== undefined ? { seed: parseNumber('seed', values.seed, 'integer')! } : {}),
    ...(values.epochs ?? values.iterations
      ? { epochs: parseNumber(values.epochs ? 'epochs' : 'iterations', values.epochs ?? values.iterations, 'integer')! }
      : {}),
    ...(values.lr !== undefined ? { lr: parseNumber('lr', values.lr, 'number')! } : {}),
    ...(values.optimizer !== undefined ? { optimizer: values.optimizer } : {}),
    ...(values.variant !== undefined ? { variant: values.variant } : {}),
    ...(values.steps !== undefined ? { steps: parseNumber('steps', values.steps, 'integer')! } : {}),
    ...(values.csv !== undefined ? { csv: userPath(values.csv) } : {}),
  };
  for (const experiment of selected) checkFlags(experiment, flags, command === 'all');

  const reporter = createReporter({ json: values.json === true, quiet: values.quiet === true });
  const outputs = selected.map(
    (experiment) =>
      new OutputDirectory(
        values.out ? resolve(userPath(values.out), command === 'all' ? experiment.id : '.') : userPath(`rnnkit-demo-out/${experiment.id}`),
        { overwrite: values.overwrite === true },
      ),
  );
  // Before any training: an unwritable --out must not cost a whole run.
  for (const out of outputs) out.checkWritable();
  const results: { experiment: Experiment; result: ExperimentResult; files: string[] }[] = [];
  for (const [index, experiment] of selected.entries()) {
    const out = outputs[index]!;
    reporter.log(`\n== ${experiment.id}: ${experiment.title}${kernels === 'js' ? '' : ` (kernels: ${kernels})`}`);
    const result = await experiment.run({ flags, reporter, out });
    reporter.endProgress();
    results.push({ experiment, result, files: out.written });
    reporter.log();
    reporter.log(formatTable(['', 'reached', 'original'], result.comparisons.map((c) => [c.what, c.reached, c.reported])));
    if (result.lossCurve && result.lossCurve.length > 1) {
      reporter.log(`\nloss (${result.lossCurve.length} points):`);
      reporter.log(asciiChart(result.lossCurve, { logY: true }));
    }
    if (out.written.length > 0) reporter.log(`\nwrote ${out.written.join(', ')}`);
  }

  if (values.json) {
    const toJson = ({ experiment, result, files }: (typeof results)[number]) => ({
      experiment: experiment.id,
      seed: result.seed,
      kernels,
      metrics: result.metrics,
      reference: result.reference,
      files,
    });
    const payload = results.length === 1 ? toJson(results[0]!) : { experiments: results.map(toJson) };
    process.stdout.write(`${JSON.stringify(payload)}\n`);
  }
  return 0;
}

function checkFlags(experiment: Experiment, flags: CommonFlags, lenient: boolean): void {
  for (const key of Object.keys(flags) as (keyof CommonFlags)[]) {
    if (key === 'seed') continue;
    if (!experiment.flags.includes(key)) {
      if (lenient) continue; // `all` applies a flag only where it makes sense
      throw new DemoError(`${experiment.id} does not take --${key} (it takes ${['seed', ...experiment.flags].map((f) => `--${f}`).join(', ')})`, 2);
    }
  }
  if (flags.variant !== undefined && experiment.variants && !experiment.variants.includes(flags.variant)) {
    throw new DemoError(`${experiment.id}: unknown --variant "${flags.variant}"; choose one of ${experiment.variants.join(', ')}`, 2);
  }
  if (flags.optimizer !== undefined && experiment.optimizers && !experiment.optimizers.includes(flags.optimizer)) {
    throw new DemoError(`${experiment.id}: unknown --optimizer "${flags.optimizer}"; choose one of ${experiment.optimizers.join(', ')}`, 2);
  }
}

/**
 * Reports a failure: one line on stderr, and with --json also exactly one JSON line on
 * stdout, `{"error": message, "exitCode": n}` (plus `"api"` for a library refusal), so a
 * program reading stdout always gets JSON. Messages quote files and flags: they pass
 * through printable, so nothing in them can act on the terminal.
 */
function report(error: unknown, json: boolean): number {
  let message: string;
  let exitCode = 1;
  let api: string | undefined;
  if (error instanceof DemoError) {
    message = error.message;
    exitCode = error.exitCode;
  } else if (error instanceof RnnkitError) {
    // A library refusal (ScadaError too) already names the API and what was wrong: one line is enough.
    message = error.message;
    api = error.api;
  } else {
    message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.RNNKIT_DEBUG) console.error(error);
  }
  message = printable(message, { maxLength: 4000 });
  process.stderr.write(`rnnkit-demo: ${message}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ error: message, exitCode, ...(api !== undefined ? { api } : {}) })}\n`);
  return exitCode;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // From argv itself: the flags may be what failed to parse.
    process.exitCode = report(error, argv.includes('--json'));
  },
);
