import type { Experiment } from '../experiment.js';

/** Every experiment, in the order of SEEDS.md. */
export const experiments: readonly Experiment[] = [];
