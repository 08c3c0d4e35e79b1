// Every layer, and every option that changes its maths, against central differences in
// float64 (@rnnkit/gradcheck): parameters, the input, and the initial states.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { Random } from '@rnnkit/tensor';
import type { ActivationName } from './activations.js';
import { Dense } from './dense.js';
import { GRU, type GRUOptions } from './gru.js';
import type { Layer } from './layer.js';
import { LSTM, type LSTMOptions } from './lstm.js';
import { SimpleRNN, type SimpleRNNOptions } from './simple-rnn.js';
import { type RecurrentCase, layerSubject, randomizeParams, recurrentCaseArb, uniform } from './test-support.js';

const RUNS = { numRuns: 15 };

function expectPasses(subject: Parameters<typeof checkGradients>[0], where: string): void {
  const report = checkGradients(subject);
  if (!report.passed) throw new Error(`${where}\n${report.format()}`);
}

/** Builds a float64 layer for a case, with random weights, and a random input. */
function setUp(make: (units: number) => Layer, c: RecurrentCase, rank3 = true) {
  const random = new Random(c.seed);
  const layer = make(c.units);
  const shape = rank3 ? [c.batch, c.time, c.features] : [c.batch, c.features];
  layer.build([null, ...shape.slice(1)], random);
  randomizeParams(layer, random);
  return { layer, x: uniform(shape, random), random };
}

const lstmVariants: readonly (Omit<LSTMOptions, 'units'> & { label: string })[] = [
  { label: 'Keras defaults (tanh/sigmoid, cellOutput activation, unitForgetBias)' },
  { label: 'cellOutput none (h = o ⊙ c, experiments 1–2)', cellOutput: 'none' },
  { label: 'cellOutput none with returnSequences', cellOutput: 'none', returnSequences: true },
  { label: 'unitForgetBias off', unitForgetBias: false },
  { label: 'hardSigmoid gates (TF.js default)', recurrentActivation: 'hardSigmoid' },
  { label: 'relu activation, tanh gates', activation: 'relu', recurrentActivation: 'tanh' },
  { label: 'returnSequences', returnSequences: true },
  { label: 'returnSequences and returnState', returnSequences: true, returnState: true },
  { label: 'returnState, no bias', returnState: true, useBias: false },
];

const gruVariants: readonly (Omit<GRUOptions, 'units'> & { label: string })[] = [
  { label: 'resetAfter true (Keras 2 default)' },
  { label: 'resetAfter false (Keras 1, TF.js)', resetAfter: false },
  { label: 'resetAfter true with returnSequences and returnState', returnSequences: true, returnState: true },
  { label: 'resetAfter false with returnSequences and returnState', resetAfter: false, returnSequences: true, returnState: true },
  { label: 'hardSigmoid gates, no bias', recurrentActivation: 'hardSigmoid', useBias: false },
  { label: 'resetAfter false, sigmoid activation, no bias', resetAfter: false, activation: 'sigmoid', useBias: false },
];

const simpleVariants: readonly (Omit<SimpleRNNOptions, 'units'> & { label: string })[] = [
  { label: 'tanh' },
  { label: 'sigmoid (experiment 2)', activation: 'sigmoid' },
  { label: 'tanh with a learnable initial state (experiment 4)', learnableInitialState: true, returnSequences: true },
  { label: 'sigmoid with a learnable initial state and returnState', activation: 'sigmoid', learnableInitialState: true, returnState: true },
  { label: 'returnSequences, no bias', returnSequences: true, useBias: false },
];

const denseActivations: readonly ActivationName[] = ['linear', 'sigmoid', 'hardSigmoid', 'tanh', 'relu', 'softmax'];

describe('LSTM gradients', () => {
  for (const { label, ...options } of lstmVariants) {
    it(`should match central differences: ${label}`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, (c) => {
          const { layer, x, random } = setUp((units) => new LSTM({ units, dtype: 'float64', ...options }), c);
          expectPasses(layerSubject(layer, x, random), `LSTM ${label} ${JSON.stringify(c)}`);
        }),
        RUNS,
      );
    });
  }
});

describe('GRU gradients', () => {
  for (const { label, ...options } of gruVariants) {
    it(`should match central differences: ${label}`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, (c) => {
          const { layer, x, random } = setUp((units) => new GRU({ units, dtype: 'float64', ...options }), c);
          expectPasses(layerSubject(layer, x, random), `GRU ${label} ${JSON.stringify(c)}`);
        }),
        RUNS,
      );
    });
  }
});

describe('SimpleRNN gradients', () => {
  for (const { label, ...options } of simpleVariants) {
    it(`should match central differences: ${label}`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, (c) => {
          const { layer, x, random } = setUp((units) => new SimpleRNN({ units, dtype: 'float64', ...options }), c);
          expectPasses(layerSubject(layer, x, random), `SimpleRNN ${label} ${JSON.stringify(c)}`);
        }),
        RUNS,
      );
    });
  }
});

describe('Dense gradients', () => {
  for (const activation of denseActivations) {
    it(`should match central differences on [batch, features] and [batch, time, features]: ${activation}`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, fc.boolean(), (c, rank3) => {
          const { layer, x, random } = setUp((units) => new Dense({ units, activation, dtype: 'float64' }), c, rank3);
          expectPasses(layerSubject(layer, x, random), `Dense ${activation} ${JSON.stringify(c)} rank3 ${rank3}`);
        }),
        RUNS,
      );
    });
  }
});

describe('initial-state gradients', () => {
  const makers: readonly [string, (units: number) => Layer, number][] = [
    ['SimpleRNN', (units) => new SimpleRNN({ units, dtype: 'float64', returnState: true }), 1],
    ['LSTM', (units) => new LSTM({ units, dtype: 'float64', returnSequences: true, returnState: true }), 2],
    ['LSTM cellOutput none', (units) => new LSTM({ units, dtype: 'float64', cellOutput: 'none', returnState: true }), 2],
    ['GRU resetAfter true', (units) => new GRU({ units, dtype: 'float64', returnState: true }), 1],
    ['GRU resetAfter false', (units) => new GRU({ units, dtype: 'float64', resetAfter: false, returnSequences: true }), 1],
  ];
  for (const [label, make, stateCount] of makers) {
    it(`should match central differences with respect to each given initial state: ${label}`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, (c) => {
          const { layer, x, random } = setUp(make, c);
          const initialState = Array.from({ length: stateCount }, () => uniform([c.batch, c.units], random));
          for (let k = 0; k < stateCount; k++) {
            expectPasses(layerSubject(layer, x, random, { initialState, input: k }), `${label} state ${k} ${JSON.stringify(c)}`);
          }
        }),
        RUNS,
      );
    });
  }
});

describe('stacked layers', () => {
  it('should match central differences through LSTM(returnSequences) → GRU → Dense(softmax), every parameter and the input', () => {
    fc.assert(
      fc.property(recurrentCaseArb, (c) => {
        const random = new Random(c.seed);
        const layers: Layer[] = [
          new LSTM({ units: c.units, returnSequences: true, dtype: 'float64' }),
          new GRU({ units: 2, resetAfter: false, dtype: 'float64' }),
          new Dense({ units: 3, activation: 'softmax', dtype: 'float64' }),
        ];
        let shape: readonly (number | null)[] = [null, c.time, c.features];
        for (const layer of layers) {
          layer.build(shape, random);
          randomizeParams(layer, random);
          shape = layer.outputShape(shape);
        }
        const x = uniform([c.batch, c.time, c.features], random);
        const params = layers.flatMap((l) => l.params());
        const w = uniform([c.batch, 3], random);
        const run = () => {
          const caches: unknown[] = [];
          let y = x;
          for (const layer of layers) {
            const result = layer.forward(y);
            caches.push(result.cache);
            y = result.y;
          }
          let loss = 0;
          for (let i = 0; i < y.size; i++) loss += y.data[i]! * w.data[i]!;
          return { y, caches, loss };
        };
        expectPasses(
          {
            params,
            input: x,
            loss: () => run().loss,
            gradients: () => {
              for (const p of params) p.zeroGrad();
              const { caches, loss } = run();
              let grad = w;
              for (let k = layers.length - 1; k >= 0; k--) grad = layers[k]!.backward(grad, caches[k]);
              return { loss, inputGrad: grad };
            },
          },
          `stack ${JSON.stringify(c)}`,
        );
      }),
      RUNS,
    );
  });
});
