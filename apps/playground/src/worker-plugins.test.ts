import { lion } from '@rnnkit/optimizer-lion';
import type { ToWorker } from '@rnnkit/worker';
import { describe, expect, it } from 'vitest';
import { withPlugins } from './worker-plugins.js';

function train(optimizer: string): ToWorker {
  const tensor = { data: new Float32Array(2), shape: [1, 2, 1] };
  return { type: 'train', artifacts: { modelJson: {} as never, weights: new ArrayBuffer(0) }, x: tensor, y: tensor, options: { loss: 'mse', optimizer, epochs: 3 } };
}

describe('withPlugins', () => {
  it("should put the Lion plugin in place of its name, keeping the other options", () => {
    const message = withPlugins(train('lion'));
    if (message.type !== 'train') throw new Error('expected a train message');
    expect(message.options.optimizer).toBe(lion);
    expect(message.options.epochs).toBe(3);
  });

  it('should leave built-in names, inherited property names and other messages alone', () => {
    for (const name of ['adam', 'toString', 'constructor']) {
      const message = train(name);
      expect(withPlugins(message)).toBe(message);
    }
    expect(withPlugins({ type: 'pause' })).toEqual({ type: 'pause' });
  });
});
