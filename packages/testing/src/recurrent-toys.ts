// A tiny recurrent cell h_t = tanh(s·(x_t·W + h_{t−1}·U + b)), a tiny layer that runs any
// cell over its steps, and a pass that reuses the reference loop — written here, independently
// of @rnnkit/layers (which tests itself with these laws), with switchable bugs so that every
// recurrent law can be shown to fail. Test support only: not exported from the package.
import { type DType, Param, type Random, Tensor, type TypedArray, allocate } from '@rnnkit/tensor';
import type { RecurrentLayerOptionsLike, RecurrentLayerUnderTest } from './recurrent-laws.js';
import {
  type BackwardStepsLike,
  type CellUnderTest,
  type ForwardStepsLike,
  type PassBackwardLike,
  type PassForwardLike,
  type RecurrentPassUnderTest,
  type StepsForward,
  allocateForward,
  backwardSteps,
  forwardSteps,
} from './recurrent-steps.js';

export type ToyCellBug =
  | 'none'
  | 'wrongRecurrentGrad' // dU from h_t instead of h_{t−1}
  | 'rowsShareState' // every row reads row 0's previous state (and backward does not know)
  | 'float32DropsBias' // the float32 cell forgets its bias
  | 'configDropsScale'; // getConfig leaves out `scale`

export interface ToyCellOptions {
  readonly units: number;
  readonly dtype?: DType;
  readonly scale?: number;
  readonly bug?: ToyCellBug;
}

export class ToyCell implements CellUnderTest {
  readonly kind = 'toy';
  readonly units: number;
  readonly dtype: DType;
  readonly states: CellUnderTest['states'];
  /** s·(1 − h_t²), the slope of the step, for backStep. */
  readonly kept: CellUnderTest['kept'];
  readonly scale: number;
  readonly bug: ToyCellBug;
  features = 0;
  // Not a #private field: a buggy pass below views the cell through Object.create.
  private paramList: Param[] = [];

  constructor(options: ToyCellOptions) {
    this.units = options.units;
    this.dtype = options.dtype ?? 'float64';
    this.scale = options.scale ?? 1;
    this.bug = options.bug ?? 'none';
    this.states = [{ name: 'h', size: this.units }];
    this.kept = [{ name: 'slope', size: this.units }];
  }

  get built(): boolean {
    return this.paramList.length > 0;
  }

  build(features: number, random: Random): void {
    this.features = features;
    const param = (name: string, shape: number[]) => {
      const data = allocate(this.dtype, shape.reduce((a, b) => a * b, 1));
      random.fillUniform(data, -0.6, 0.6);
      return new Param(name, new Tensor(data, shape));
    };
    this.paramList = [param('kernel', [features, this.units]), param('recurrentKernel', [this.units, this.units]), param('bias', [this.units])];
  }

  params(): Param[] {
    return this.paramList;
  }

  step(s: ForwardStepsLike): void {
    const [W, U, b] = this.paramList.map((p) => p.value.data) as [TypedArray, TypedArray, TypedArray];
    const { batch, features, t } = s;
    const n = this.units;
    const h = s.states[0]!;
    const useBias = !(this.bug === 'float32DropsBias' && this.dtype === 'float32');
    for (let r = 0; r < batch; r++) {
      const previous = (t * batch + (this.bug === 'rowsShareState' ? 0 : r)) * n;
      for (let j = 0; j < n; j++) {
        let z = useBias ? b[j]! : 0;
        for (let k = 0; k < features; k++) z += s.x[(t * batch + r) * features + k]! * W[k * n + j]!;
        for (let i = 0; i < n; i++) z += h[previous + i]! * U[i * n + j]!;
        const out = Math.tanh(this.scale * z);
        h[((t + 1) * batch + r) * n + j] = out;
        s.kept[0]![(t * batch + r) * n + j] = this.scale * (1 - out * out);
      }
    }
  }

  backStep(s: BackwardStepsLike): void {
    const [W, U] = this.paramList.map((p) => p.value.data) as [TypedArray, TypedArray];
    const [dW, dU, db] = this.paramList.map((p) => p.grad.data) as [TypedArray, TypedArray, TypedArray];
    const { batch, features, t } = s;
    const n = this.units;
    const h = s.states[0]!;
    const dh = s.dStates[0]!;
    const dz = new Float64Array(batch * n);
    for (let i = 0; i < batch * n; i++) dz[i] = dh[i]! * s.kept[0]![t * batch * n + i]!;
    const source = this.bug === 'wrongRecurrentGrad' ? t + 1 : t;
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < n; j++) {
        const g = dz[r * n + j]!;
        db[j] = db[j]! + g;
        for (let k = 0; k < features; k++) {
          const xi = (t * batch + r) * features + k;
          dW[k * n + j] = dW[k * n + j]! + s.x[xi]! * g;
          s.dx[xi] = s.dx[xi]! + W[k * n + j]! * g;
        }
        for (let i = 0; i < n; i++) dU[i * n + j] = dU[i * n + j]! + h[(source * batch + r) * n + i]! * g;
      }
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += dz[r * n + j]! * U[i * n + j]!;
        dh[r * n + i] = sum;
      }
    }
  }

  getConfig(): Readonly<Record<string, unknown>> {
    return this.bug === 'configDropsScale'
      ? { units: this.units, dtype: this.dtype, bug: this.bug }
      : { units: this.units, dtype: this.dtype, scale: this.scale, bug: this.bug };
  }
}

export const toyCellPlugin = { name: 'ToyCell', create: (options: ToyCellOptions) => new ToyCell(options) };

export type ToyLayerBug = 'none' | 'ignoresInitialState';

/** A recurrent layer over any cell, on the reference loop of recurrent-steps.ts. */
export class ToyRNN implements RecurrentLayerUnderTest {
  readonly #options: RecurrentLayerOptionsLike<CellUnderTest>;
  readonly #bug: ToyLayerBug;
  #initial: Param[] = [];

  constructor(options: RecurrentLayerOptionsLike<CellUnderTest>, bug: ToyLayerBug = 'none') {
    this.#options = options;
    this.#bug = bug;
  }

  get built(): boolean {
    return this.#options.cell.built;
  }

  build(inputShape: readonly (number | null)[], random: Random): void {
    const { cell } = this.#options;
    cell.build(inputShape[2]!, random);
    if (this.#options.learnableInitialState) {
      this.#initial = cell.states.map((v) => new Param(`initial_${v.name}`, new Tensor(allocate(cell.dtype, v.size), [v.size])));
    }
  }

  params(): Param[] {
    return [...this.#options.cell.params(), ...this.#initial];
  }

  forward(x: Tensor, options: { readonly initialState?: readonly Tensor[] } = {}) {
    const { cell, returnSequences, returnState } = this.#options;
    const [batch, time, features] = x.shape as [number, number, number];
    const given = this.#bug === 'ignoresInitialState' ? undefined : options.initialState;
    const initial = cell.states.map((v, k) => {
      if (given) return given[k]!.data;
      const data = allocate(cell.dtype, batch * v.size);
      const learnt = this.#initial[k];
      if (learnt) for (let i = 0; i < data.length; i++) data[i] = learnt.value.data[i % v.size]!;
      return data;
    });
    const buffers = allocateForward(cell, batch, time, swap(x.data, batch, time, features), initial);
    forwardSteps(cell, buffers);
    const n = cell.units;
    const h = buffers.states[0]!;
    const y = returnSequences
      ? new Tensor(swap(h.subarray(batch * n), time, batch, n), [batch, time, n])
      : new Tensor(h.slice(time * batch * n), [batch, n]);
    const states = returnState
      ? cell.states.map((v, k) => new Tensor(buffers.states[k]!.slice(time * batch * v.size), [batch, v.size]))
      : undefined;
    return { y, ...(states && { states }), cache: buffers };
  }

  backwardWithStates(dy: Tensor, cache: unknown, options: { readonly stateGrads?: readonly (Tensor | undefined)[] } = {}) {
    const { cell, returnSequences } = this.#options;
    const buffers = cache as StepsForward;
    const { batch, time, features } = buffers;
    const dStates = cell.states.map((v, k) => options.stateGrads?.[k]?.data.slice() ?? allocate(cell.dtype, batch * v.size));
    if (!returnSequences) for (let i = 0; i < dy.size; i++) dStates[0]![i] = dStates[0]![i]! + dy.data[i]!;
    const dOutputs = returnSequences ? swap(dy.data, batch, time, cell.units) : null;
    const dx = backwardSteps(cell, buffers, dOutputs, dStates);
    this.#initial.forEach((p, k) => {
      for (let i = 0; i < dStates[k]!.length; i++) p.grad.data[i % p.value.size] = p.grad.data[i % p.value.size]! + dStates[k]![i]!;
    });
    return {
      dx: new Tensor(swap(dx, time, batch, features), [batch, time, features]),
      initialStateGrads: cell.states.map((v, k) => new Tensor(dStates[k]!, [batch, v.size])),
    };
  }
}

/** `[a, b, c]` → `[b, a, c]`. */
function swap(data: TypedArray, a: number, b: number, c: number): TypedArray {
  const out = data.slice(0, a * b * c);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) out[(j * a + i) * c + k] = data[(i * b + j) * c + k]!;
  return out;
}

export type ToyPassBug =
  | 'none'
  | 'supportsNothing'
  | 'skipsLastRow' // leaves the last row of uneven batches, like a SIMD loop without its scalar tail
  | 'overwritesGrads' // zeroes Param.grad instead of adding
  | 'onlyFinalOutput' // an inference pass writes h_T but not h_1 … h_{T−1}
  | 'changesX' // writes into the input
  | 'assumesScaleOne' // claims every toy cell but computes with scale 1
  | 'ignoresMask' // declares masks but runs every step
  | 'masksForwardOnly'; // carries masked states forward, but backward steps through every row

/** A "fused" pass that runs the cell's own steps, masks applied — correct unless given a bug. */
export function toyPass(bug: ToyPassBug = 'none'): RecurrentPassUnderTest {
  /** The cell whose steps the pass runs: the given one, or a view of it with scale 1. */
  const maths = (cell: CellUnderTest): CellUnderTest =>
    bug === 'assumesScaleOne' ? (Object.create(cell, { scale: { value: 1 } }) as CellUnderTest) : cell;
  /** The forward steps into the pass's buffers, with kept buffers of its own when not keeping. */
  const forward = (run: PassForwardLike): void => {
    // Not keeping: kept values in buffers of its own, like registers of a fused kernel.
    const kept = run.keep ? [...run.kept] : run.cell.kept.map((v) => allocate(run.cell.dtype, run.time * run.batch * v.size));
    const states = bug === 'onlyFinalOutput' && !run.keep ? run.states.map((h) => h.slice()) : [...run.states];
    const buffers = { batch: run.batch, time: run.time, features: run.features, x: run.x, states, kept };
    const saved = bug === 'skipsLastRow' && run.batch % 4 !== 0 ? run.states.map((s) => s.slice()) : null;
    forwardSteps(maths(run.cell), buffers, bug === 'ignoresMask' ? null : (run.valid ?? null));
    if (states[0] !== run.states[0]) {
      // onlyFinalOutput: the pass computed in buffers of its own and hands over slot T only.
      run.cell.states.forEach((v, k) => run.states[k]!.set(states[k]!.subarray(run.time * run.batch * v.size), run.time * run.batch * v.size));
    }
    if (saved !== null) {
      run.cell.states.forEach((v, k) => {
        for (let t = 1; t <= run.time; t++) {
          const at = (t * run.batch + run.batch - 1) * v.size;
          run.states[k]!.set(saved[k]!.subarray(at, at + v.size), at);
        }
      });
    }
  };
  return {
    family: 'recurrent',
    name: `toy pass (${bug})`,
    supports: (cell) => bug !== 'supportsNothing' && cell.kind === 'toy',
    masks: true,
    forward,
    backward: (run: PassBackwardLike) => {
      if (bug === 'overwritesGrads') for (const p of run.cell.params()) p.zeroGrad();
      const valid = bug === 'ignoresMask' || bug === 'masksForwardOnly' ? null : (run.valid ?? null);
      const dx = backwardSteps(maths(run.cell), { ...run, states: [...run.states], kept: [...run.kept] }, run.dOutputs, run.dStates, valid);
      run.dx.set(dx);
      if (bug === 'changesX') run.x[0] = run.x[0]! + 1;
    },
  };
}
