// The fused SimpleRNN pass of the WebAssembly backend (tanh and σ), on one thread and on
// three, against the SimpleRNN cell's own reference steps (recurrentKernelLaws of
// @rnnkit/testing): state histories, input, initial-state and weight gradients, in training
// and inference passes, over batches with unit and uneven tails.
import { simpleRNN, simpleRNNCell } from '@rnnkit/layers';
import { backendsUnderTest, describeFusedPassInLayer, describeKernelLaws } from './pass-support.js';

const backends = await backendsUnderTest();

describeKernelLaws(
  backends,
  'simple-rnn',
  {
    'simple-rnn (tanh)': (units) => simpleRNNCell({ units }),
    'simple-rnn (sigmoid)': (units) => simpleRNNCell({ units, activation: 'sigmoid' }),
    'simple-rnn without bias': (units) => simpleRNNCell({ units, useBias: false }),
  },
  {
    'simple-rnn in float64': (units) => simpleRNNCell({ units, dtype: 'float64' }),
    'simple-rnn with relu': (units) => simpleRNNCell({ units, activation: 'relu' }),
    'simple-rnn with hard-sigmoid': (units) => simpleRNNCell({ units, activation: 'hardSigmoid' }),
  },
  60, // the other cells are declined, so fewer than half the runs compare
);

describeFusedPassInLayer(
  'fused SimpleRNN pass of the WebAssembly backend in a layer',
  'should run the fused pass (not the per-step loop) for a σ SimpleRNN in float32, forward and backward',
  backends,
  'simple-rnn',
  () => simpleRNN({ units: 4, activation: 'sigmoid' }),
);
