// Runs the whole benchmark: every row with every contender, then the heap check.
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { jsBackend, setBackend } from '@rnnkit/tensor';
import { brainContender } from './contenders/brain.js';
import { pytorchContender } from './contenders/pytorch.js';
import { onnxContender } from './contenders/onnx.js';
import { rnnkitContender } from './contenders/rnnkit.js';
import { tfjsContender } from './contenders/tfjs.js';
import { type CaseResult, type Contender, type ContenderId, type Log, type TimingOptions, measureCase } from './harness.js';
import { type HeapResult, measureHeapPerStep } from './heap.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { type Scale, benchCases } from './workloads.js';

export { type MachineInfo, machineInfo } from './machine.js';

export interface BenchOptions {
  /** Fewer, shorter repetitions. @defaultValue false */
  readonly quick?: boolean;
  /** Sizes: the benchmark's, or tiny ones for the smoke test. @defaultValue 'full' */
  readonly scale?: Scale;
  /** Only these rows or workloads (`['W1', 'W4 train']`). @defaultValue all */
  readonly only?: readonly string[];
  /** Only these contenders. @defaultValue all */
  readonly contenders?: readonly ContenderId[];
  /** Measure heap growth per time step. @defaultValue true */
  readonly heap?: boolean;
  /** Overrides of the timing settings. */
  readonly timing?: Partial<TimingOptions>;
  readonly log?: Log;
}


export interface BenchReport {
  readonly machine: MachineInfo;
  readonly scale: Scale;
  readonly timing: TimingOptions;
  readonly results: readonly CaseResult[];
  readonly heap: readonly HeapResult[];
}


export const ALL_CONTENDERS: readonly ContenderId[] = [
  'rnnkit-js',
  'rnnkit-wasm',
  'rnnkit-wasm-mt',
  'rnnkit-wasm-relaxed',
  'rnnkit-wasm-mt-relaxed',
  'tfjs-cpu',
  'tfjs-wasm',
  'brain.js',
  'pytorch-cpu',
  'onnxruntime',
  'rnnkit-onnx',
];

function contender(id: ContenderId): Contender {
  switch (id) {
    case 'rnnkit-js':
    case 'rnnkit-wasm':
    case 'rnnkit-wasm-mt':
    case 'rnnkit-wasm-relaxed':
    case 'rnnkit-wasm-mt-relaxed':
      return rnnkitContender(id);
    case 'tfjs-cpu':
    case 'tfjs-wasm':
      return tfjsContender(id);
    case 'brain.js':
      return brainContender();
    case 'pytorch-cpu':
      return pytorchContender();
    case 'onnxruntime':
    case 'rnnkit-onnx':
      return onnxContender(id);
  }
}

export function timingFor(quick: boolean): TimingOptions {
  return quick
    ? { warmUpMs: 150, blockMs: 150, repetitions: 3, budgetMs: 10_000, errorPasses: 5, errorTrials: 3 }
    : { warmUpMs: 1000, blockMs: 700, repetitions: 7, budgetMs: 60_000, errorPasses: 30, errorTrials: 15 };
}

export async function runBenchmarks(options: BenchOptions = {}): Promise<BenchReport> {
  const scale = options.scale ?? 'full';
  const timing = { ...timingFor(options.quick ?? false), ...options.timing };
  const log = options.log ?? (() => {});
  const only = options.only;
  const cases = benchCases(scale).filter(
    (c) => only === undefined || only.length === 0 || only.includes(c.id) || only.includes(c.workload),
  );
  const contenders = (options.contenders ?? ALL_CONTENDERS).map(contender);
  const results: CaseResult[] = [];
  for (const c of cases) {
    log(`${c.id}: ${c.title}`);
    results.push(await measureCase(c, contenders, timing, log));
  }
  const heap: HeapResult[] = [];
  if (options.heap ?? true) {
    log('heap growth per time step');
    const heapOptions = scale === 'tiny' ? { longSteps: 60, units: 4, repetitions: 2 } : {};
    setBackend(jsBackend);
    heap.push(...measureHeapPerStep(heapOptions));
    if (options.contenders === undefined || options.contenders.includes('rnnkit-wasm')) {
      setBackend(await createWasmBackend());
      heap.push(...measureHeapPerStep(heapOptions));
    }
    setBackend(jsBackend);
  }
  return { machine: machineInfo(), scale, timing, results, heap };
}
