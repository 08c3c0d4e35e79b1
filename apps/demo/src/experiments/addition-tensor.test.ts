import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryAddition } from '@rnnkit/datasets';
import { Dense, Sequential, SimpleRNN } from '@rnnkit/layers';
import { binaryCrossentropy } from '@rnnkit/losses';
import { createOptimizer, rmspropNesterov } from '@rnnkit/optimizers';
import { Random, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { CommonFlags, ExperimentResult } from '../experiment.js';
import { OutputDirectory } from '../files.js';
import { type Reporter, createReporter } from '../reporter.js';
import {
  ADDITION_TENSOR_ORIGINAL,
  ADDITION_TENSOR_SETUP,
  ADDITION_TENSOR_VARIANTS,
  additionTensor,
  additionTensorModel,
  additionTensorOptimizers,
  checkAdditionGradients,
} from './addition-tensor.js';

async function runExperiment(flags: CommonFlags = {}, reporter: Reporter = createReporter({ json: true, quiet: true })) {
  const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-addition-tensor-')), { overwrite: false });
  const result: ExperimentResult = await additionTensor.run({ flags, reporter, out });
  return { result, files: out.written };
}

let defaultRun: ReturnType<typeof runExperiment> | undefined;
const runDefault = () => (defaultRun ??= runExperiment());

describe('addition-tensor experiment', () => {
  it('should pass the gradient check of experiment 4 before training', async () => {
    const { result } = await runDefault();
    expect(result.metrics.gradcheck_passed).toBe(true);
    expect(result.metrics.gradcheck_max_abs_error as number).toBeLessThan(1e-6);
    expect(typeof result.metrics.gradcheck_max_rel_error).toBe('number');
  });

  it('should add all 1,000 fresh samples exactly with the original hyperparameters and the default seed', async () => {
    const { result } = await runDefault();
    expect(result.seed).toBe(ADDITION_TENSOR_ORIGINAL.seed);
    expect(result.metrics.variant).toBe('original');
    expect(result.metrics.accuracy).toBe(1);
    expect(result.metrics.final_loss as number).toBeLessThan(0.05);
  });

  it('should write the minibatch losses and the predicted bits as SVG files', async () => {
    const { files } = await runDefault();
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(['loss.svg', 'predictions.svg']);
    for (const file of files) expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
  });

  it('should add all 1,000 fresh samples exactly with the improved variant and its default seed', async () => {
    const { result } = await runExperiment({ variant: 'improved' });
    expect(result.seed).toBe(ADDITION_TENSOR_VARIANTS.improved!.seed);
    expect(result.metrics.accuracy).toBe(1);
  });

  it('should print the gradient check report and five fresh additions', async () => {
    const lines: string[] = [];
    const reporter: Reporter = { log: (line = '') => lines.push(...line.split('\n')), progress: () => {}, endProgress: () => {} };
    await runExperiment({ epochs: 1 }, reporter);
    expect(lines.some((l) => l.startsWith('PASSED: 6 of 6 entries passed, 25 elements checked'))).toBe(true);
    expect(lines.filter((l) => /^ sum: = [01]{7} +\d+$/.test(l))).toHaveLength(5);
    expect(lines.filter((l) => /^pred: = [01]{7} +\d+ +(correct|wrong)$/.test(l))).toHaveLength(5);
  });

  it('should fail the gradient check when the backward pass is wrong', () => {
    const model = additionTensorModel({ random: new Random(1) });
    const data = binaryAddition({ count: 20, bits: 7, operandBits: 6, seed: 2 });
    expect(checkAdditionGradients(model, data, 20, 3).passed).toBe(true);
    // Sabotage the output layer's backward pass (of the float64 copy the check builds too):
    // the input gradient it hands to the RNN comes out 1 % too large.
    const copyBackward = Dense.prototype.backward;
    Dense.prototype.backward = function (this: Dense, dy, cache) {
      const dx = copyBackward.call(this, dy, cache);
      for (let i = 0; i < dx.data.length; i++) dx.data[i]! *= 1.01;
      return dx;
    };
    try {
      expect(checkAdditionGradients(model, data, 20, 3).passed).toBe(false);
    } finally {
      Dense.prototype.backward = copyBackward;
    }
  });

  it("should move the merged bias exactly as the original's two biases move (doubleBiasStep)", () => {
    // The original's architecture, literally: a linear input map with its own bias, then
    // S_k = tanh(Z_k·I + S_{k−1}·W + b) with a frozen identity kernel, then the output map.
    const single = additionTensorModel({ random: new Random(5), dtype: 'float64' });
    const inputMap = new Dense({ units: 3, dtype: 'float64', name: 'input_map' });
    const state = new SimpleRNN({ units: 3, learnableInitialState: true, returnSequences: true, dtype: 'float64' });
    const output = new Dense({ units: 1, dtype: 'float64', name: 'output_map' });
    const twoBiases = new Sequential({ layers: [inputMap, state, output], inputShape: [7, 2], seed: 0 });
    const [kernel, recurrent, bias, s0, outKernel, outBias] = single.getWeights() as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const identity = new Tensor(Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3]);
    twoBiases.setWeights([kernel, bias.clone(), identity, recurrent, bias.clone(), s0, outKernel, outBias]);
    state.params()[0]!.trainable = false; // the identity kernel stays the identity

    const { rho, momentum, epsilon } = ADDITION_TENSOR_SETUP;
    const optimizers = {
      single: additionTensorOptimizers(single, ADDITION_TENSOR_ORIGINAL),
      two: [createOptimizer(rmspropNesterov, twoBiases.params(), { rho, momentum, epsilon, epsilonAfterDivision: true, learningRate: 0.05 })],
    };
    const loss = binaryCrossentropy({ fromLogits: true });
    const data = binaryAddition({ count: 100, bits: 7, operandBits: 6, seed: 9, dtype: 'float64' });
    const step = (model: Sequential, list: typeof optimizers.two) => {
      for (const o of list) {
        o.zeroGrad();
        o.beforeGradient();
      }
      const { y, cache } = model.forward(data.inputs);
      model.backward(loss.compute(y, data.targets).grad, cache);
      for (const o of list) o.step();
    };
    for (let k = 0; k < 10; k++) {
      step(single, optimizers.single);
      step(twoBiases, optimizers.two);
    }
    const a = single.getWeights();
    const b = twoBiases.getWeights();
    const merged = b[1]!.data.map((v, i) => v + b[4]!.data[i]!);
    const pairs: [Tensor | Float64Array, Tensor][] = [[b[0]!, a[0]!], [b[3]!, a[1]!], [merged as Float64Array, a[2]!], [b[5]!, a[3]!], [b[6]!, a[4]!], [b[7]!, a[5]!]];
    for (const [got, want] of pairs) {
      const values = got instanceof Tensor ? got.data : got;
      values.forEach((v, i) => expect(v).toBeCloseTo(want.data[i]!, 10));
    }
    // Ten steps did move the bias, so the comparison is not of untouched zeros.
    expect(Math.max(...Array.from(a[2]!.data, Math.abs))).toBeGreaterThan(1e-3);
  });
});
