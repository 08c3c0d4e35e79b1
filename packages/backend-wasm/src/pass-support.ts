// Helpers of the fused-pass property tests (LSTM, GRU, SimpleRNN): the backends under test (one
// thread, and three threads sharing out even the smallest pass), their passes by name, and a
// run of the recurrentKernelLaws of @rnnkit/testing — the oracle there is always the cell's
// own reference steps, run on the plain-JS backend — and the check that a layer runs a pass.
import type { RNNCache, RecurrentCell, RecurrentLayer, RecurrentPass } from '@rnnkit/layers';
import { recurrentKernelLaws } from '@rnnkit/testing';
import { type KernelBackend, Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type WasmBackend, type WasmBackendOptions, createWasmBackend } from './index.js';

/** The WebAssembly backend (with `options`) on one thread, and on three with minParallelMultiplyAdds 0. */
export async function backendsUnderTest(options: WasmBackendOptions = {}): Promise<readonly (readonly [string, WasmBackend])[]> {
  const single = await createWasmBackend(options);
  const threaded = await createWasmBackend({ ...options, threads: 3, minParallelMultiplyAdds: 0 });
  afterEach(() => setBackend(jsBackend));
  afterAll(() => threaded.dispose());
  return [
    ['one thread', single],
    ['three threads', threaded],
  ];
}

/** The recurrent pass of `backend` whose name ends with `suffix` (e.g. `'lstm'`). */
export function passOf(backend: KernelBackend, suffix: string): RecurrentPass {
  const pass = backend.fused?.find((k) => k.family === 'recurrent' && k.name.endsWith(` ${suffix}`));
  if (pass === undefined) throw new Error(`${backend.name} has no recurrent ${suffix} pass`);
  return pass as RecurrentPass;
}

/** Cells by name, each made with the given number of units. */
export type CellMakers = Readonly<Record<string, (units: number) => RecurrentCell>>;

/**
 * For each of `backends`, one test per law of `recurrentKernelLaws` for its pass named
 * `suffix` (see {@link passOf}): the cells it must claim and other variants it may decline (but
 * must compute exactly if it claims them); the reference steps run on the JS backend (the
 * current one while a test runs). `label` goes before the backend's in the describe title.
 */
export function describeKernelLaws(
  backends: readonly (readonly [string, KernelBackend])[],
  suffix: string,
  cells: CellMakers,
  otherCells: CellMakers,
  numRuns: number,
  label = '',
): void {
  for (const [backendLabel, backend] of backends) {
    const pass = passOf(backend, suffix);
    describe(`${pass.name} through recurrentKernelLaws (${label}${backendLabel})`, () => {
      for (const law of recurrentKernelLaws(pass, { cells, otherCells })) {
        it(law.name, () => {
          setBackend(jsBackend);
          fc.assert(law.property, { numRuns });
        });
      }
    });
  }
}

/**
 * The test that a recurrent layer runs its cell through the pass named `suffix` of every one
 * of `backends` (not through the per-step loop), forward and backward: an inference forward, a
 * training forward and a backward pass call the pass's forward twice and its backward once.
 * The fused forward returns an incomplete run after an inference pass and a complete one
 * after a training pass; the loop (JS backend) always a complete one.
 */
export function describeFusedPassInLayer(
  title: string,
  should: string,
  backends: readonly (readonly [string, KernelBackend])[],
  suffix: string,
  makeLayer: () => RecurrentLayer<RNNCache>,
): void {
  describe(title, () => {
    it(should, () => {
      const layer = makeLayer();
      layer.build([null, 3, 2], new Random(2));
      const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2]);
      for (const [, backend] of backends) {
        const pass = passOf(backend, suffix);
        const forward = vi.spyOn(pass, 'forward');
        const backward = vi.spyOn(pass, 'backward');
        setBackend(backend);
        expect(layer.forward(x).cache.complete).toBe(false);
        const { y, cache } = layer.forward(x, { training: true });
        expect(cache.complete).toBe(true);
        layer.backward(y, cache);
        expect([forward.mock.calls.length, backward.mock.calls.length]).toEqual([2, 1]);
        setBackend(jsBackend);
        expect(layer.forward(x).cache.complete).toBe(true);
        vi.restoreAllMocks();
      }
    });
  });
}

export function randomTensor(shape: number[], random: Random, scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: size }, () => random.uniform(-scale, scale)), shape);
}

/** Largest difference relative to the largest magnitude of the reference (float32 sums). */
export function relativeError(got: Float32Array, want: Float32Array): number {
  let worst = 0;
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return worst / scale;
}

/** What one pass of a layer gives: the output, the final states, the input gradient and every weight gradient. */
export interface LayerPass {
  readonly y: Float32Array;
  readonly states: Float32Array[];
  readonly dx: Float32Array;
  readonly grads: Float32Array[];
}

/** A training forward and a backward pass of `layer` on `backend`, from zeroed gradients. */
export function runLayer(layer: RecurrentLayer, backend: KernelBackend, x: Tensor, dy: Tensor, stateGrads: Tensor[]): LayerPass {
  setBackend(backend);
  for (const p of layer.params()) p.grad.data.fill(0);
  const { y, states, cache } = layer.forward(x, { training: true });
  const dx = layer.backward(dy, cache, { stateGrads });
  return {
    y: y.data as Float32Array,
    states: (states ?? []).map((s) => s.data as Float32Array),
    dx: dx.data as Float32Array,
    grads: layer.params().map((p) => (p.grad.data as Float32Array).slice()),
  };
}
