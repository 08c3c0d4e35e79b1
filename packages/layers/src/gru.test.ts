import { describe, expect, it } from 'vitest';
import { Random } from '@rnnkit/tensor';
import { GRU } from './gru.js';

function built(options: ConstructorParameters<typeof GRU>[0], features: number): GRU {
  const layer = new GRU(options);
  layer.build([null, null, features], new Random(0));
  return layer;
}

describe('GRU', () => {
  it('should default to resetAfter with a [2, 3u] bias (Keras 2)', () => {
    const layer = built({ units: 3 }, 2);
    expect(layer.resetAfter).toBe(true);
    expect(layer.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['kernel', [2, 9]],
      ['recurrentKernel', [3, 9]],
      ['bias', [2, 9]],
    ]);
  });

  it('should have a [3u] bias with resetAfter false (Keras 1, TF.js)', () => {
    expect(built({ units: 3, resetAfter: false }, 2).params()[2]!.value.shape).toEqual([9]);
  });

  it('should record resetAfter and the gate activation in its config', () => {
    const config = new GRU({ units: 2, resetAfter: false }).getConfig();
    expect(config.resetAfter).toBe(false);
    expect(config.recurrentActivation).toBe('sigmoid');
    expect(config.name).toBe('gru');
  });

  it('should refuse a non-boolean resetAfter and LSTM-only options', () => {
    expect(() => new GRU({ units: 2, resetAfter: 1 as never })).toThrow('GRU: resetAfter must be true or false, got number 1');
    expect(() => new GRU({ units: 2, unitForgetBias: true } as never)).toThrow('GRU: unknown option "unitForgetBias"');
  });
});
