import fc from 'fast-check';
import { Random, type TypedArray, allocate } from '@rnnkit/tensor';
import type { Law } from './law-runner.js';
import {
  type CellUnderTest,
  type RecurrentPassUnderTest,
  type StepsForward,
  allocateForward,
  backwardSteps,
  firstStray,
  forwardSteps,
} from './recurrent-steps.js';

/** How {@link recurrentKernelLaws} exercises a pass. */
export interface RecurrentKernelLawsOptions {
  /**
   * The cells the pass claims, by a label for failure messages: each makes a fresh, unbuilt
   * cell of `units` (in the dtype the pass computes in). Every option that changes the
   * maths should have its own entry, e.g. `{ lstm: …, 'lstm without bias': … }`.
   */
  readonly cells: Readonly<Record<string, (units: number) => CellUnderTest>>;
  /**
   * Cells the pass may decline, such as other options or dtypes of the same kind: when it
   * `supports` one, that one must equal its reference steps too — so a pass that claims a
   * cell it computes differently fails. @defaultValue {}
   */
  readonly otherCells?: Readonly<Record<string, (units: number) => CellUnderTest>>;
  /**
   * Largest difference from the reference steps, relative to the largest magnitude of each
   * compared reference buffer (states, kept values, every gradient).
   * @defaultValue 3e-5 (float32 rounding over a few steps)
   */
  readonly tolerance?: number;
  /** Largest batch tried; 1, 5 and 7 (unit and uneven tails) are always among the draws. @defaultValue 14 */
  readonly maxBatch?: number;
  /** Largest units tried (from 1). @defaultValue 11 */
  readonly maxUnits?: number;
  /** Largest number of time steps (and of features) tried. @defaultValue 6 */
  readonly maxTime?: number;
}

interface PassCase {
  readonly label: string;
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly units: number;
  /** Every step is an output (dOutputs given) rather than only the last state. */
  readonly returnSequences: boolean;
  /** Row b's padding is `paddings[b % length]` (masked laws only; null: every step counts). */
  readonly paddings: readonly Padding[] | null;
  /** Steps of padding at the start or end. */
  readonly cut: number;
  readonly seed: number;
}

/** How a row of a masked case is padded: at the start, at the end, at random steps, every step, or not at all. */
type Padding = 'start' | 'end' | 'middle' | 'all' | 'none';
const PADDINGS: readonly Padding[] = ['start', 'end', 'middle', 'all', 'none'];

/** The step mask of a masked case, time-major `[T, batch]` (1: the step counts), or null. */
function stepMask(c: PassCase, random: Random): Uint8Array | null {
  if (c.paddings === null) return null;
  const { batch, time } = c;
  const valid = new Uint8Array(time * batch);
  for (let b = 0; b < batch; b++) {
    const padding = c.paddings[b % c.paddings.length]!;
    const pad = Math.min(c.cut, time);
    for (let t = 0; t < time; t++) {
      const masked =
        padding === 'all' || (padding === 'start' && t < pad) || (padding === 'end' && t >= time - pad) || (padding === 'middle' && random.next() < 0.5);
      valid[t * batch + b] = masked ? 0 : 1;
    }
  }
  return valid;
}

function uniform(dtype: CellUnderTest['dtype'], size: number, random: Random): TypedArray {
  const data = allocate(dtype, size);
  random.fillUniform(data, -1, 1);
  return data;
}

/**
 * The laws every fused recurrent pass of a backend obeys (the `RecurrentPass` contract of
 * `@rnnkit/layers`): for each cell it is given, the pass `supports` it and equals the cell's
 * own reference steps (`step`/`backStep`, the oracle) within float32 rounding —
 *
 * - training passes (`keep: true`): every slot of every state history, every kept value,
 *   then ∂L/∂x, the initial states' gradients and every parameter gradient (added to what
 *   `Param.grad` already holds), with and without per-step output gradients;
 * - inference passes (`keep: false`): the outputs h_1 … h_T and every final state; then,
 *   as the recurrent layer does before backward, a training pass over the same buffers
 *   must give everything above;
 * - the state histories start as NaN after slot 0: a pass may not read a state it has
 *   not written (kept buffers start at zero, as the layer gives them);
 * - for a pass declaring `masks: true`, both of the above on masked sequences too: random
 *   step masks (`valid`) with padding at the start, the end or in the middle, rows with every
 *   step masked and rows with none; at a masked step a row's states carry over and its state
 *   gradients pass through, adding nothing to ∂L/∂x or the parameter gradients; `dOutputs`
 *   are the gradients of the history slots (kept values are owed at counted steps only);
 * - for each of `otherCells` the pass claims, the same (claiming a cell is promising all this);
 * - over random batches including 1, 5 and 7 rows (unit and uneven tails), units from 1,
 *   and random weights (biases too); and it leaves x and the output gradients unchanged.
 *
 * The reference steps run on whatever backend is current (their matrix products use it).
 *
 * @example
 * const backend = await createWasmBackend({ threads: 3 });
 * const pass = backend.fused!.find((k) => k.family === 'recurrent')!;
 * runLaws(recurrentKernelLaws(pass, { cells: { lstm: (units) => lstmCell({ units }) } }));
 */
export function recurrentKernelLaws(pass: RecurrentPassUnderTest, options: RecurrentKernelLawsOptions): Law[] {
  if (Object.keys(options.cells).length === 0) throw new Error(`recurrentKernelLaws: no cells given for ${pass.name}`);
  const factories = { ...options.otherCells, ...options.cells };
  const labels = Object.keys(factories);
  const tolerance = options.tolerance ?? 3e-5;
  const maxBatch = options.maxBatch ?? 14;
  const maxTime = options.maxTime ?? 6;
  const caseArb: fc.Arbitrary<PassCase> = fc.record({
    label: fc.constantFrom(...labels),
    batch: fc.oneof(fc.constantFrom(1, 5, 7), fc.integer({ min: 1, max: maxBatch })),
    time: fc.integer({ min: 1, max: maxTime }),
    features: fc.integer({ min: 1, max: maxTime }),
    units: fc.integer({ min: 1, max: options.maxUnits ?? 11 }),
    returnSequences: fc.boolean(),
    paddings: fc.constant(null),
    cut: fc.constant(0),
    seed: fc.nat(),
  });
  // Masked cases: each row padded at the start, the end, in the middle, on every step or not at all.
  const maskedCaseArb: fc.Arbitrary<PassCase> = caseArb.chain((c) =>
    fc.record({ paddings: fc.array(fc.constantFrom(...PADDINGS), { minLength: 1, maxLength: 5 }), cut: fc.integer({ min: 1, max: maxTime }) }).map((m) => ({ ...c, ...m })),
  );
  const where = (c: PassCase, keep: boolean): string =>
    `${pass.name} on ${c.label} (batch ${c.batch}, time ${c.time}, features ${c.features}, units ${c.units}, ` +
    `returnSequences ${c.returnSequences}, keep ${keep}, ` +
    (c.paddings === null ? '' : `paddings ${c.paddings.join('/')} by ${c.cut}, `) +
    `seed ${c.seed})`;

  /** A built cell with random weights, an input, initial states and output gradients. */
  const setUp = (c: PassCase) => {
    const cell = factories[c.label]!(c.units);
    const random = new Random(c.seed);
    cell.build(c.features, random);
    // Initialisers leave biases at constants: move every weight off them.
    for (const p of cell.params()) {
      for (let i = 0; i < p.value.size; i++) p.value.data[i] = p.value.data[i]! + random.uniform(-0.5, 0.5);
    }
    const { batch, time } = c;
    const x = uniform(cell.dtype, time * batch * c.features, random);
    const initialStates = cell.states.map((v) => uniform(cell.dtype, batch * v.size, random));
    const dOutputs = c.returnSequences ? uniform(cell.dtype, time * batch * cell.units, random) : null;
    const finalStateGrads = cell.states.map((v) => uniform(cell.dtype, batch * v.size, random));
    const valid = stepMask(c, random);
    return { cell, x, initialStates, dOutputs, finalStateGrads, valid, random };
  };

  /** The reference: the cell's own steps, forward then backward, gradients from zero. */
  const reference = (s: ReturnType<typeof setUp>, c: PassCase) => {
    const buffers = allocateForward(s.cell, c.batch, c.time, s.x, s.initialStates);
    forwardSteps(s.cell, buffers, s.valid);
    for (const p of s.cell.params()) p.zeroGrad();
    const dStates = s.finalStateGrads.map((g) => g.slice());
    const dx = backwardSteps(s.cell, buffers, s.dOutputs, dStates, s.valid);
    const paramGrads = s.cell.params().map((p) => p.grad.data.slice());
    return { buffers, dx, dStates, paramGrads };
  };

  const check = (at: string, what: string, got: ArrayLike<number>, want: ArrayLike<number>, floor?: number): void => {
    const stray = firstStray(got, want, tolerance, floor);
    if (stray !== null) throw new Error(`${at}: ${what}${stray}`);
  };

  const law = (inference: boolean, masked: boolean): Law => ({
    name: masked
      ? inference
        ? 'should equal the cell’s reference steps on masked sequences in an inference pass (outputs, final states), then in a training pass over its buffers'
        : 'should equal the cell’s reference steps on masked sequences in a training pass (carried states, kept values of counted steps, every gradient)'
      : inference
        ? 'should equal the cell’s reference steps in an inference pass (outputs, final states), then in a training pass over its buffers'
        : 'should equal the cell’s reference steps in a training pass (states, kept values, every gradient)',
    property: fc.property(masked ? maskedCaseArb : caseArb, (c) => {
      const s = setUp(c);
      if (!pass.supports(s.cell)) {
        if (Object.hasOwn(options.cells, c.label)) throw new Error(`${where(c, !inference)}: the pass does not support this cell`);
        return; // one of the other cells, declined: nothing to compare
      }
      const want = reference(s, c);
      const { batch, time } = c;

      // The pass's buffers: slot 0 of each state history, NaN in the later slots (a pass may
      // not read a state it has not written), kept buffers zero (as the contract promises).
      const buffers: StepsForward = allocateForward(s.cell, batch, time, s.x.slice(), s.initialStates);
      buffers.states.forEach((history, k) => history.fill(NaN, batch * s.cell.states[k]!.size));
      const run = { cell: s.cell, batch, time, features: c.features, x: buffers.x, states: buffers.states, kept: buffers.kept, ...(s.valid === null ? {} : { valid: s.valid }) };
      const compareStates = (at: string, owed: 'all' | 'outputs and final states') =>
        s.cell.states.forEach((v, k) => {
          const size = batch * v.size;
          const from = owed === 'all' ? 0 : k === 0 ? size : time * size;
          check(at, `${v.name} history`, buffers.states[k]!.subarray(from), want.buffers.states[k]!.subarray(from));
        });

      if (inference) {
        // An inference pass owes h_1 … h_T and the final slot of every state. Backward then
        // runs a training pass over the same state buffers, as the recurrent layer does.
        const at = where(c, false);
        pass.forward({ ...run, kept: s.cell.kept.map(() => allocate(s.cell.dtype, 0)), keep: false });
        compareStates(at, 'outputs and final states');
      }
      const at = where(c, true) + (inference ? ' after an inference pass' : '');
      pass.forward({ ...run, keep: true });
      compareStates(at, 'all');
      // What a masked step computed is not used, so only the kept values of counted steps are owed.
      s.cell.kept.forEach((v, k) => check(at, `kept ${v.name}`, countedOnly(buffers.kept[k]!, s.valid, v.size), countedOnly(want.buffers.kept[k]!, s.valid, v.size)));

      // Backward, adding into gradients that already hold something.
      const before = s.cell.params().map((p) => {
        s.random.fillUniform(p.grad.data, -1, 1);
        return p.grad.data.slice();
      });
      const dOutputs = s.dOutputs?.slice() ?? null;
      const dStates = s.finalStateGrads.map((g) => g.slice());
      const dx = allocate(s.cell.dtype, time * batch * c.features);
      pass.backward({ ...run, keep: true, dOutputs, dStates, dx });
      // ∂x and ∂h_0 are sums of products of ∂z with the weights and may cancel to far less
      // than their terms (one feature, one step: ∂x is one such sum), so a fused multiply–add
      // or another order of the sum moves them by the rounding of the terms. They are held to
      // the largest reference gradient (the weight gradients gather the same ∂z), not to
      // their own magnitude.
      const gradientScale = Math.max(1e-3, ...[want.dx, ...want.dStates, ...want.paramGrads].map(largestMagnitude));
      check(at, 'dx', dx, want.dx, gradientScale);
      s.cell.states.forEach((v, k) => check(at, `initial ${v.name} gradient`, dStates[k]!, want.dStates[k]!, gradientScale));
      // A weight gradient is added to what was there (values up to 1 here), rounded at the
      // sum's largest operand: a sum that cancels to far less than what was there is held to that.
      s.cell.params().forEach((p, k) => {
        const expected = want.paramGrads[k]!.map((g, i) => g + before[k]![i]!);
        check(at, `${p.name} gradient (added to what was there)`, p.grad.data, expected, Math.max(1e-3, largestMagnitude(before[k]!)));
      });
      if (s.x.some((v, i) => !Object.is(v, buffers.x[i]))) throw new Error(`${at}: the pass changed x`);
      if (s.dOutputs !== null && s.dOutputs.some((v, i) => !Object.is(v, dOutputs![i]))) {
        throw new Error(`${at}: the pass changed dOutputs`);
      }
    }),
  });
  return pass.masks === true ? [law(false, false), law(true, false), law(false, true), law(true, true)] : [law(false, false), law(true, false)];
}

function largestMagnitude(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]!));
  return largest;
}

/** A kept buffer `[T, batch, size]` with the rows of masked steps zeroed (itself when every step counts). */
function countedOnly(kept: TypedArray, valid: Uint8Array | null, size: number): TypedArray {
  if (valid === null) return kept;
  const out = kept.slice();
  valid.forEach((v, row) => v === 0 && out.fill(0, row * size, (row + 1) * size));
  return out;
}
