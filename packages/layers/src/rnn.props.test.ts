// The generic RNN layer over a user's own cell (toy-cell.test-util.ts) and over the built-in
// cells: float64 gradient checks of the parameters, the input and the initial states, and a
// backend's fused pass standing in for the cell's steps (masked sequences only on a pass that
// applies masks).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { type KernelBackend, Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import type { BackwardSteps, ForwardSteps, RecurrentPass } from './cell.js';
import { lstmCell } from './cells/cell-plugins.js';
import { RNN } from './rnn.js';
import { afterMaskedBackStep, beforeMaskedBackStep, carryMaskedStates, maskedBackward } from './rnn-mask.js';
import { layerSubject, randomizeParams, recurrentCaseArb, uniform } from './test-support.js';
import { ToyCell } from './toy-cell.test-util.js';

const RUNS = { numRuns: 15 };

function expectPasses(subject: Parameters<typeof checkGradients>[0], where: string): void {
  const report = checkGradients(subject);
  if (!report.passed) throw new Error(`${where}\n${report.format()}`);
}

const variants = [
  { label: 'last step only' },
  { label: 'returnSequences', returnSequences: true },
  { label: 'returnSequences and returnState', returnSequences: true, returnState: true },
  { label: 'returnState with learnable initial states', returnState: true, learnableInitialState: true },
] as const;

describe('RNN over a user-written cell (property)', () => {
  for (const { label, ...options } of variants) {
    it(`should match central differences in float64: ${label}`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, (c) => {
          const random = new Random(c.seed);
          const layer = new RNN({ cell: new ToyCell(c.units), ...options });
          layer.build([null, c.time, c.features], random);
          randomizeParams(layer, random);
          const x = uniform([c.batch, c.time, c.features], random);
          expectPasses(layerSubject(layer, x, random), `${label}, input and parameters`);
          const initialState = [uniform([c.batch, c.units], random), uniform([c.batch, c.units], random)];
          for (const input of [0, 1]) {
            expectPasses(layerSubject(layer, x, random, { initialState, input }), `${label}, initial state ${input}`);
          }
        }),
        RUNS,
      );
    });
  }

  it('should learn every initial state of an LSTM cell (initialState, initialState_c): central differences', () => {
    fc.assert(
      fc.property(recurrentCaseArb, (c) => {
        const random = new Random(c.seed);
        const layer = new RNN({ cell: lstmCell({ units: c.units, dtype: 'float64' }), learnableInitialState: true, returnState: true });
        layer.build([null, c.time, c.features], random);
        randomizeParams(layer, random);
        expect(layer.params().map((p) => p.name)).toEqual(['kernel', 'recurrentKernel', 'bias', 'initialState', 'initialState_c']);
        expectPasses(layerSubject(layer, uniform([c.batch, c.time, c.features], random), random), 'LSTM cell, learnable initial states');
      }),
      RUNS,
    );
  });
});

/**
 * A backend with a fused pass for the toy cell that runs the cell's own steps, keeping
 * nothing when `keep` is false (the layer must then recompute before backward).
 */
function fakeBackend(calls: string[], masks = false): KernelBackend {
  const pass: RecurrentPass = {
    family: 'recurrent',
    name: 'fake toy',
    supports: (cell) => cell.kind === 'toy',
    masks,
    forward(run) {
      calls.push(`forward keep=${run.keep} masked=${!!run.valid}`);
      const kept = run.keep ? run.kept : run.cell.kept.map((k) => new Float64Array(run.time * run.batch * k.size));
      const frame: ForwardSteps = { ...run, t: 0, kept };
      const sizes = run.cell.states.map((s) => s.size);
      for (let t = 0; t < run.time; t++) {
        frame.t = t;
        run.cell.step(frame);
        if (run.valid) carryMaskedStates(run.valid, t, run.batch, run.states, sizes);
      }
    },
    backward(run) {
      calls.push(`backward outputs=${run.dOutputs !== null} masked=${!!run.valid}`);
      const frame: BackwardSteps = { ...run, t: 0, gradients: [] };
      const units = run.cell.units;
      const size = run.batch * units;
      const sizes = run.cell.states.map((s) => s.size);
      // A masked row's state gradients pass through (what the contract asks of a pass), the output gradients taken as they come.
      const stash = maskedBackward('float64', run.batch, units, sizes);
      for (let t = run.time - 1; t >= 0; t--) {
        if (run.dOutputs !== null) for (let i = 0; i < size; i++) run.dStates[0]![i]! += run.dOutputs[t * size + i]!;
        if (run.valid) beforeMaskedBackStep(stash, run.valid, t, run.batch, units, null, 0, run.dStates, sizes);
        frame.t = t;
        run.cell.backStep(frame);
        if (run.valid) afterMaskedBackStep(stash, run.valid, t, run.batch, run.dStates, sizes);
      }
    },
  };
  return { name: 'fake', gemm: jsBackend.gemm, fused: [{ family: 'other', name: 'unrelated' }, pass] };
}

describe('RNN with a fused pass (property)', () => {
  it('should give the cell steps results, recomputing after an inference pass', () => {
    fc.assert(
      fc.property(recurrentCaseArb, fc.boolean(), (c, returnSequences) => {
        const random = new Random(c.seed);
        const layer = new RNN({ cell: new ToyCell(c.units), returnSequences, returnState: true });
        layer.build([null, c.time, c.features], random);
        const x = uniform([c.batch, c.time, c.features], random);
        const dy = uniform(returnSequences ? [c.batch, c.time, c.units] : [c.batch, c.units], random);
        const stateGrads = [uniform([c.batch, c.units], random), uniform([c.batch, c.units], random)];
        const run = (training: boolean) => {
          for (const p of layer.params()) p.zeroGrad();
          const { y, states, cache } = layer.forward(x, { training });
          const result = layer.backwardWithStates(dy, cache, { stateGrads });
          return [y, ...states!, result.dx, ...result.initialStateGrads, ...layer.params().map((p) => p.grad.clone())].map((t) => Array.from(t.data));
        };
        const want = run(true);
        const calls: string[] = [];
        setBackend(fakeBackend(calls));
        try {
          expect(run(false)).toEqual(want);
          expect(run(true)).toEqual(want);
        } finally {
          setBackend(jsBackend);
        }
        const backward = `backward outputs=${returnSequences} masked=false`;
        expect(calls).toEqual(['forward keep=false masked=false', 'forward keep=true masked=false', backward, 'forward keep=true masked=false', backward]);
      }),
      RUNS,
    );
  });

  it("should run a masked sequence on a pass that applies masks, and on the cell's steps otherwise, with the same results", () => {
    fc.assert(
      fc.property(recurrentCaseArb, fc.boolean(), fc.boolean(), (c, returnSequences, goBackwards) => {
        const random = new Random(c.seed);
        const layer = new RNN({ cell: new ToyCell(c.units), returnSequences, returnState: true, goBackwards });
        layer.build([null, c.time, c.features], random);
        const x = uniform([c.batch, c.time, c.features], random);
        // Sample 0 has every step masked, the others random steps (at least one masked step in all).
        const values = Array.from({ length: c.batch * c.time }, (_, i) => (i < c.time ? 0 : random.uniform(0, 1) < 0.4 ? 0 : 1));
        const mask = new Tensor(Float64Array.from(values), [c.batch, c.time]);
        const dy = uniform(returnSequences ? [c.batch, c.time, c.units] : [c.batch, c.units], random);
        const stateGrads = [uniform([c.batch, c.units], random), uniform([c.batch, c.units], random)];
        const run = (training: boolean) => {
          for (const p of layer.params()) p.zeroGrad();
          const { y, states, cache } = layer.forward(x, { training, mask });
          const result = layer.backwardWithStates(dy, cache, { stateGrads });
          return [y, ...states!, result.dx, ...result.initialStateGrads, ...layer.params().map((p) => p.grad.clone())].map((t) => Array.from(t.data));
        };
        const want = run(true);
        for (const masks of [false, true]) {
          const calls: string[] = [];
          setBackend(fakeBackend(calls, masks));
          try {
            const got = run(false);
            got.forEach((values, i) => values.forEach((v, k) => expect(Math.abs(v - want[i]![k]!)).toBeLessThan(1e-12)));
          } finally {
            setBackend(jsBackend);
          }
          const backward = `backward outputs=${returnSequences} masked=true`;
          expect(calls).toEqual(masks ? ['forward keep=false masked=true', 'forward keep=true masked=true', backward] : []);
        }
      }),
      RUNS,
    );
  });
});
