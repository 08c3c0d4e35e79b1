import { describe, expect, it } from 'vitest';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { layerFromConfig } from './from-config.js';

describe('layerFromConfig', () => {
  it('should rebuild a built-in layer of the named class with an equal config', () => {
    const config = new LSTM({ units: 3, cellOutput: 'none', returnSequences: true }).getConfig();
    const layer = layerFromConfig('LSTM', JSON.parse(JSON.stringify(config)));
    expect(layer).toBeInstanceOf(LSTM);
    expect(layer.getConfig()).toEqual(config);
    expect(layerFromConfig('GRU', new GRU({ units: 2 }).getConfig())).toBeInstanceOf(GRU);
  });

  it('should refuse an unknown class name, listing the known ones', () => {
    expect(() => layerFromConfig('Conv1D', { name: 'conv' })).toThrow(
      'layerFromConfig: unknown layer class "Conv1D"; known: Dense, SimpleRNN, LSTM, GRU',
    );
  });

  it('should refuse a config with unknown keys', () => {
    expect(() => layerFromConfig('LSTM', { name: 'lstm', units: 2, unroll: true })).toThrow('LSTM: unknown option "unroll"');
  });
});
