// The built-in cells through the reusable recurrent laws of @rnnkit/testing, inside the
// generic RNN layer — the same laws a user's own cell can be run through (gradient check
// through time, chunking, batch split, float32 vs float64, config round trip).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type DType } from '@rnnkit/tensor';
import { recurrentLaws } from '@rnnkit/testing';
import type { RecurrentCell } from './cell.js';
import { gruCell, gruCellPlugin } from './cells/cell-plugins.js';
import { lstmCell, lstmCellPlugin } from './cells/cell-plugins.js';
import { simpleRNNCell, simpleRNNCellPlugin } from './cells/cell-plugins.js';
import { RNN } from './rnn.js';

const RUNS = { numRuns: 10 };
const rnn = (options: ConstructorParameters<typeof RNN>[0]) => new RNN(options);

const suites: [string, (dtype: DType, units: number) => RecurrentCell, { name: string; create(config: never): RecurrentCell }][] = [
  ['LSTMCell', (dtype, units) => lstmCell({ units, dtype }), lstmCellPlugin],
  [
    'LSTMCell (cellOutput none, no bias, sigmoid candidate)',
    (dtype, units) => lstmCell({ units, dtype, cellOutput: 'none', useBias: false, activation: 'sigmoid' }),
    lstmCellPlugin,
  ],
  ['GRUCell (resetAfter)', (dtype, units) => gruCell({ units, dtype }), gruCellPlugin],
  ['GRUCell (reset before)', (dtype, units) => gruCell({ units, dtype, resetAfter: false }), gruCellPlugin],
  ['SimpleRNNCell', (dtype, units) => simpleRNNCell({ units, dtype }), simpleRNNCellPlugin],
  ['SimpleRNNCell (sigmoid, no bias)', (dtype, units) => simpleRNNCell({ units, dtype, activation: 'sigmoid', useBias: false }), simpleRNNCellPlugin],
];

for (const [name, factory, plugin] of suites) {
  describe(`${name} through recurrentLaws`, () => {
    for (const law of recurrentLaws(factory, { rnn, plugin, name })) {
      it(law.name, () => fc.assert(law.property, RUNS));
    }
  });
}
