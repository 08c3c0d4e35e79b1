import type { Experiment } from '../experiment.js';
import { additionRnn } from './addition-rnn.js';

/** Every experiment, in the order of SEEDS.md. */
export const experiments: readonly Experiment[] = [
  additionRnn,
];
