// Helpers of the fused-pass property tests (LSTM and GRU): random inputs, one forward and
// backward pass of a recurrent layer on a given backend, and a float32-aware comparison.
import type { RecurrentLayer } from '@rnnkit/layers';
import { type KernelBackend, type Random, Tensor, setBackend } from '@rnnkit/tensor';

export function randomTensor(shape: number[], random: Random, scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: size }, () => random.uniform(-scale, scale)), shape);
}

/** What one pass gives: the output, the final states, the input gradient and every weight gradient. */
export interface Pass {
  readonly y: Float32Array;
  readonly states: Float32Array[];
  readonly dx: Float32Array;
  readonly grads: Float32Array[];
}

/** Forward (with `training` as given) and backward on `backend`, from zeroed gradients. */
export function runPass(
  layer: RecurrentLayer,
  backend: KernelBackend,
  x: Tensor,
  dy: Tensor,
  stateGrads: Tensor[],
  training: boolean,
): Pass {
  setBackend(backend);
  for (const p of layer.params()) p.grad.data.fill(0);
  const { y, states, cache } = layer.forward(x, { training });
  const dx = layer.backward(dy, cache, { stateGrads });
  return {
    y: y.data as Float32Array,
    states: (states ?? []).map((s) => s.data as Float32Array),
    dx: dx.data as Float32Array,
    grads: layer.params().map((p) => (p.grad.data as Float32Array).slice()),
  };
}

/** Largest difference relative to the largest magnitude of the reference (float32 sums). */
export function relativeError(got: Float32Array, want: Float32Array): number {
  let worst = 0;
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return worst / scale;
}
