import fc from 'fast-check';
import { describe, it } from 'vitest';
import { RNN } from '@rnnkit/layers';
import { recurrentLaws } from '@rnnkit/testing';
import { peepholeLSTMCell, peepholeLSTMCellPlugin } from './peephole-lstm.js';

// The same laws the built-in cells pass: gradients through time, chunking, batch split,
// float32 against float64 and the config round trip.
for (const unitForgetBias of [true, false]) {
  describe(`recurrent laws: peephole LSTM (unitForgetBias ${unitForgetBias})`, () => {
    const laws = recurrentLaws((dtype, units) => peepholeLSTMCell({ units, dtype, unitForgetBias }), {
      rnn: (options) => new RNN(options),
      plugin: peepholeLSTMCellPlugin,
    });
    for (const law of laws) it(law.name, () => fc.assert(law.property, { numRuns: 10 }));
  });
}
