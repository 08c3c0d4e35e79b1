// The fused GRU pass of the WebAssembly backend (Keras' resetAfter cell), on one thread and
// on three, against the GRU cell's own reference steps (recurrentKernelLaws of
// @rnnkit/testing): state histories, kept values, input, initial-state and weight gradients,
// in training and inference passes, on sequences with and without step masks, over batches
// with unit and uneven tails.
import { gru, gruCell } from '@rnnkit/layers';
import { backendsUnderTest, describeFusedPassInLayer, describeKernelLaws } from './pass-support.js';

const backends = await backendsUnderTest();

describeKernelLaws(
  backends,
  'gru',
  {
    gru: (units) => gruCell({ units }),
    'gru without bias': (units) => gruCell({ units, useBias: false }),
  },
  {
    'gru with the reset gate before': (units) => gruCell({ units, resetAfter: false }),
    'gru in float64': (units) => gruCell({ units, dtype: 'float64' }),
    'gru with hard-sigmoid gates': (units) => gruCell({ units, recurrentActivation: 'hardSigmoid' }),
  },
  60, // the other cells are declined, so fewer than half the runs compare
);

describeFusedPassInLayer(
  'fused GRU pass of the WebAssembly backend in a layer',
  'should run the fused pass (not the per-step loop) for the default GRU in float32, forward and backward',
  backends,
  'gru',
  () => gru({ units: 4 }),
);
