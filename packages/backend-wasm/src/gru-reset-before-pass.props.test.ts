// The fused GRU pass of the WebAssembly backend for the reset-before form (resetAfter: false,
// Keras 1's and TF.js' default), on one thread and on three, against the GRU cell's own
// reference steps (recurrentKernelLaws of @rnnkit/testing): state histories, kept values,
// input, initial-state and weight gradients, in training and inference passes, over batches
// with unit and uneven tails.
import { gru, gruCell } from '@rnnkit/layers';
import { backendsUnderTest, describeFusedPassInLayer, describeKernelLaws } from './pass-support.js';

const backends = await backendsUnderTest();

describeKernelLaws(
  backends,
  'gru-reset-before',
  {
    'gru with the reset gate before': (units) => gruCell({ units, resetAfter: false }),
    'gru with the reset gate before, without bias': (units) => gruCell({ units, resetAfter: false, useBias: false }),
  },
  {
    'gru with the reset gate after': (units) => gruCell({ units }),
    'gru with the reset gate before in float64': (units) => gruCell({ units, resetAfter: false, dtype: 'float64' }),
    'gru with the reset gate before and hard-sigmoid gates': (units) => gruCell({ units, resetAfter: false, recurrentActivation: 'hardSigmoid' }),
  },
  60, // the other cells are declined, so fewer than half the runs compare
);

describeFusedPassInLayer(
  'fused reset-before GRU pass of the WebAssembly backend in a layer',
  'should run the fused pass (not the per-step loop) for a resetAfter: false GRU in float32, forward and backward',
  backends,
  'gru-reset-before',
  () => gru({ units: 4, resetAfter: false }),
);
