import type { Experiment } from '../experiment.js';
import { additionRnn } from './addition-rnn.js';
import { additionTensor } from './addition-tensor.js';
import { gradientFlow } from './gradient-flow.js';
import { kerasSine } from './keras-sine.js';
import { lstmScratch } from './lstm-scratch.js';
import { lstmToy } from './lstm-toy.js';
import { tokens } from './tokens.js';
import { turbine } from './turbine.js';
import { turbineForecast } from './turbine-forecast.js';

/** Every experiment, in the order of docs/experiments.md (turbine-forecast goes on from experiment 1). */
export const experiments: readonly Experiment[] = [
  turbine,
  turbineForecast,
  additionRnn,
  lstmToy,
  kerasSine,
  additionTensor,
  lstmScratch,
  gradientFlow,
  tokens,
];
