// Oracle for the variants TF.js cannot build: the reference cells (cells/*.ts), stepped
// alone on one sequence, and the layers built on them, against the published equations,
// evaluated here independently with plain nested arrays, one scalar at a time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random, type Tensor, allocate } from '@rnnkit/tensor';
import type { ForwardSteps, RecurrentCell } from './cell.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { maxAbsDiff, randomizeParams, recurrentCaseArb, uniform } from './test-support.js';

const RUNS = { numRuns: 25 };
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Element `[i][j]` of a row-major matrix tensor with `cols` columns. */
const at = (t: Tensor, i: number, j: number, cols: number): number => t.data[i * cols + j]!;

/**
 * Keras 2's GRUCell with reset_after=True (keras/layers/rnn/gru.py), for one sequence:
 *   matrix_x = x·kernel + input_bias;       x_z, x_r, x_h = split(matrix_x)
 *   matrix_inner = h·recurrent_kernel + recurrent_bias;  r_z, r_r, r_h = split(matrix_inner)
 *   z = σ(x_z + r_z);  r = σ(x_r + r_r);  hh = tanh(x_h + r ⊙ r_h);  h = z ⊙ h + (1 − z) ⊙ hh
 */
function kerasGruResetAfter(xs: number[][], kernel: Tensor, recurrent: Tensor, bias: Tensor, units: number): number[][] {
  const width = 3 * units;
  let h = new Array<number>(units).fill(0);
  const outputs: number[][] = [];
  for (const x of xs) {
    const matrixX = Array.from({ length: width }, (_, j) => x.reduce((s, v, i) => s + v * at(kernel, i, j, width), 0) + bias.data[j]!);
    const matrixInner = Array.from(
      { length: width },
      (_, j) => h.reduce((s, v, i) => s + v * at(recurrent, i, j, width), 0) + bias.data[width + j]!,
    );
    const next: number[] = [];
    for (let k = 0; k < units; k++) {
      const z = sigmoid(matrixX[k]! + matrixInner[k]!);
      const r = sigmoid(matrixX[units + k]! + matrixInner[units + k]!);
      const hh = Math.tanh(matrixX[2 * units + k]! + r * matrixInner[2 * units + k]!);
      next.push(z * h[k]! + (1 - z) * hh);
    }
    h = next;
    outputs.push(h);
  }
  return outputs;
}

/**
 * The LSTM of experiment 1 (docs/experiments.md), as written there: xc = [x_t, h_{t−1}];
 * g = tanh(W_g·xc + b_g), i = σ(W_i·xc + b_i), f = σ(W_f·xc + b_f), o = σ(W_o·xc + b_o);
 * s_t = g ⊙ i + s_{t−1} ⊙ f; h_t = s_t ⊙ o. Each W_gate is read out of Keras' layout:
 * its input part from the kernel's gate block, its recurrent part from the recurrent kernel's.
 */
function experiment1Lstm(xs: number[][], kernel: Tensor, recurrent: Tensor, bias: Tensor, units: number): number[][] {
  const width = 4 * units;
  const block = { i: 0, f: 1, c: 2, o: 3 };
  let h = new Array<number>(units).fill(0);
  let s = new Array<number>(units).fill(0);
  const outputs: number[][] = [];
  for (const x of xs) {
    const xc = [...x, ...h];
    const pre = (gate: keyof typeof block, k: number): number => {
      const column = block[gate] * units + k;
      let sum = bias.data[column]!;
      xc.forEach((v, i) => {
        sum += v * (i < x.length ? at(kernel, i, column, width) : at(recurrent, i - x.length, column, width));
      });
      return sum;
    };
    const nextS: number[] = [];
    const nextH: number[] = [];
    for (let k = 0; k < units; k++) {
      const g = Math.tanh(pre('c', k));
      const i = sigmoid(pre('i', k));
      const f = sigmoid(pre('f', k));
      const o = sigmoid(pre('o', k));
      nextS.push(g * i + s[k]! * f);
      nextH.push(nextS[k]! * o);
    }
    s = nextS;
    h = nextH;
    outputs.push(h);
  }
  return outputs;
}

/** The outputs h_1 … h_T of a built cell's own steps over one sequence `xs` ([time][features]), from zero states. */
function stepCell(cell: RecurrentCell, xs: number[][]): number[][] {
  const time = xs.length;
  const x = allocate(cell.dtype, time * cell.features);
  x.set(xs.flat());
  const s: ForwardSteps = {
    batch: 1,
    time,
    features: cell.features,
    t: 0,
    x,
    states: cell.states.map((v) => allocate(cell.dtype, (time + 1) * v.size)),
    kept: cell.kept.map((v) => allocate(cell.dtype, time * v.size)),
  };
  cell.beforeForward?.(s);
  for (let t = 0; t < time; t++) {
    s.t = t;
    cell.step(s);
  }
  return Array.from({ length: time }, (_, t) => Array.from(s.states[0]!.subarray((t + 1) * cell.units, (t + 2) * cell.units)));
}

/**
 * Builds `layer` (returnSequences, float64) for case `c` with random weights and checks, for
 * every sequence of a random batch, that the published `equations` give its cell's steps and
 * the layer's outputs within 1e-12. Returns the bias, for checks of its layout.
 */
function expectEquations(
  c: { readonly seed: number; readonly batch: number; readonly time: number; readonly features: number; readonly units: number },
  layer: GRU | LSTM,
  equations: (xs: number[][], kernel: Tensor, recurrent: Tensor, bias: Tensor, units: number) => number[][],
): Tensor {
  const random = new Random(c.seed);
  layer.build([null, c.time, c.features], random);
  randomizeParams(layer, random);
  const [kernel, recurrent, bias] = layer.getWeights() as [Tensor, Tensor, Tensor];
  const x = uniform([c.batch, c.time, c.features], random);
  const y = layer.forward(x).y;
  const expected: number[] = [];
  for (let b = 0; b < c.batch; b++) {
    const xs = Array.from({ length: c.time }, (_, t) =>
      Array.from({ length: c.features }, (_, f) => x.get(b, t, f)),
    );
    const steps = equations(xs, kernel, recurrent, bias, c.units);
    expect(maxAbsDiff(stepCell(layer.cell, xs).flat(), steps.flat())).toBeLessThanOrEqual(1e-12);
    expected.push(...steps.flat());
  }
  expect(maxAbsDiff(y, expected)).toBeLessThanOrEqual(1e-12);
  return bias;
}

describe('oracle: published equations', () => {
  it("should compute Keras' GRU with reset_after=True (bias [2, 3u]: input row, recurrent row)", () => {
    fc.assert(
      fc.property(recurrentCaseArb, (c) => {
        const layer = new GRU({ units: c.units, resetAfter: true, returnSequences: true, dtype: 'float64' });
        const bias = expectEquations(c, layer, kerasGruResetAfter);
        expect(bias.shape).toEqual([2, 3 * c.units]);
      }),
      RUNS,
    );
  });

  it("should compute experiment 1's LSTM cell (h = s ⊙ o) with cellOutput 'none'", () => {
    fc.assert(
      fc.property(recurrentCaseArb, (c) => {
        const layer = new LSTM({ units: c.units, cellOutput: 'none', returnSequences: true, dtype: 'float64' });
        expectEquations(c, layer, experiment1Lstm);
      }),
      RUNS,
    );
  });
});
