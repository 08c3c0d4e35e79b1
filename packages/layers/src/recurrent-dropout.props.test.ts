// Gradients through the dropout masks against central differences in float64: the masks of
// the check are drawn once and then fixed (the cell's draw is replaced by that one draw), so
// every forward pass of the check — the perturbed ones too — applies the same masks.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type GradientSubject, checkGradients } from '@rnnkit/gradcheck';
import { Random, type Tensor } from '@rnnkit/tensor';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import type { RNN } from './rnn.js';
import { SimpleRNN } from './simple-rnn.js';
import { randomizeParams, recurrentCaseArb, uniform } from './test-support.js';

type Options = { units: number; dropout: number; recurrentDropout: number; returnSequences: boolean; returnState: boolean; dtype: 'float64' };

const kinds: readonly [string, (o: Options) => RNN][] = [
  ['LSTM', (o) => new LSTM(o)],
  ['LSTM, no bias, hardSigmoid gates', (o) => new LSTM({ ...o, useBias: false, recurrentActivation: 'hardSigmoid' })],
  ['GRU (resetAfter)', (o) => new GRU(o)],
  ['GRU (resetAfter false)', (o) => new GRU({ ...o, resetAfter: false })],
  ['SimpleRNN', (o) => new SimpleRNN(o)],
];

/** A training-pass subject, L = Σ y ⊙ w + Σ_s state_s ⊙ v_s, with the cell's masks fixed to one draw. */
function trainingSubject(layer: RNN, x: Tensor, random: Random): GradientSubject {
  const cell = layer.cell;
  const fixed = cell.drawDropoutMasks!(x.shape[0]!, random);
  cell.drawDropoutMasks = () => fixed;
  const probe = layer.forward(x, { training: true });
  const dy = uniform(probe.y.shape, random);
  const stateGrads = (probe.states ?? []).map((s) => uniform(s.shape, random));
  const lossOf = (y: Tensor, states: readonly Tensor[] | undefined): number => {
    let sum = 0;
    for (let i = 0; i < y.size; i++) sum += y.data[i]! * dy.data[i]!;
    (states ?? []).forEach((s, k) => {
      for (let i = 0; i < s.size; i++) sum += s.data[i]! * stateGrads[k]!.data[i]!;
    });
    return sum;
  };
  const params = layer.params();
  return {
    params,
    input: x,
    loss: () => {
      const { y, states } = layer.forward(x, { training: true });
      return lossOf(y, states);
    },
    gradients: () => {
      for (const p of params) p.zeroGrad();
      const { y, states, cache } = layer.forward(x, { training: true });
      const { dx } = layer.backwardWithStates(dy, cache, stateGrads.length > 0 ? { stateGrads } : {});
      return { loss: lossOf(y, states), inputGrad: dx };
    },
  };
}

const rates = fc.record({
  dropout: fc.constantFrom(0, 0.3, 0.6),
  recurrentDropout: fc.constantFrom(0, 0.3, 0.6),
  returnSequences: fc.boolean(),
  returnState: fc.boolean(),
});

describe('gradients through recurrent dropout masks', () => {
  for (const [name, make] of kinds) {
    it(`should match central differences for ${name} (params and input, fixed masks)`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, rates, (c, r) => {
          const random = new Random(c.seed);
          const layer = make({ units: c.units, dtype: 'float64', ...r });
          layer.build([null, c.time, c.features], random);
          randomizeParams(layer, random);
          const report = checkGradients(trainingSubject(layer, uniform([c.batch, c.time, c.features], random), random));
          if (!report.passed) throw new Error(`${name} ${JSON.stringify({ ...c, ...r })}\n${report.format()}`);
        }),
        { numRuns: 12 },
      );
    });
  }
});
