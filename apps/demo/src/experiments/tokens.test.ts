import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bidirectional, Dense, Embedding, LSTM, Sequential } from '@rnnkit/layers';
import { Random } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { CommonFlags, ExperimentResult } from '../experiment.js';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { TOKENS_DEFAULTS, TOKEN_A, TOKEN_B, orderedPairs, paddingInvariance, tokens } from './tokens.js';

async function runTokens(flags: CommonFlags = {}): Promise<{ result: ExperimentResult; files: string[] }> {
  const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-tokens-')), { overwrite: false });
  const result = await tokens.run({ flags, reporter: createReporter({ json: true, quiet: true }), out });
  return { result, files: out.written };
}

/** An untrained Embedding → Bidirectional(LSTM) → Dense model, with or without the padding mask. */
const classifier = (maskZero: boolean): Sequential =>
  new Sequential({
    layers: [new Embedding({ inputDim: TOKENS_DEFAULTS.vocabulary, outputDim: 4, maskZero }), new Bidirectional({ layer: new LSTM({ units: 5 }) }), new Dense({ units: 1, activation: 'sigmoid' })],
    inputShape: [null],
    random: new Random(7),
  });

describe('orderedPairs', () => {
  it('should hold A and B once each among filler tokens, then padding, labelled 1 exactly when A comes first', () => {
    const { x, y, lengths } = orderedPairs(300, new Random(2));
    const width = TOKENS_DEFAULTS.maxLength;
    expect(x.shape).toEqual([300, width]);
    expect(y.shape).toEqual([300, 1]);
    lengths.forEach((length, s) => {
      expect(length).toBeGreaterThanOrEqual(TOKENS_DEFAULTS.minLength);
      expect(length).toBeLessThanOrEqual(TOKENS_DEFAULTS.maxLength);
      const row = Array.from(x.data.subarray(s * width, (s + 1) * width));
      expect(row.slice(length).every((id) => id === 0)).toBe(true);
      const real = row.slice(0, length);
      expect(real.filter((id) => id === TOKEN_A)).toHaveLength(1);
      expect(real.filter((id) => id === TOKEN_B)).toHaveLength(1);
      expect(real.every((id) => Number.isInteger(id) && id >= 1 && id < TOKENS_DEFAULTS.vocabulary)).toBe(true);
      expect(y.data[s]).toBe(real.indexOf(TOKEN_A) < real.indexOf(TOKEN_B) ? 1 : 0);
    });
    // Both labels about equally often, and lengths across the whole range.
    const ones = Array.from(y.data).filter((v) => v === 1).length;
    expect(ones).toBeGreaterThan(120);
    expect(ones).toBeLessThan(180);
    expect(Math.min(...lengths)).toBe(TOKENS_DEFAULTS.minLength);
    expect(Math.max(...lengths)).toBe(TOKENS_DEFAULTS.maxLength);
  });
});

describe('paddingInvariance', () => {
  it('should find a masked model predicting a padded sequence as it predicts the sequence alone', () => {
    expect(paddingInvariance(classifier(true), orderedPairs(40, new Random(3)))).toBeLessThanOrEqual(1e-6);
  });

  it('should see the difference the padding makes to a model without the mask', () => {
    expect(paddingInvariance(classifier(false), orderedPairs(40, new Random(3)))).toBeGreaterThan(1e-4);
  });
});

describe('tokens experiment', () => {
  it('should classify held-out sequences with the default seed, and padding should change no prediction (≤ 1e-6)', { timeout: 120_000 }, async () => {
    const { result, files } = await runTokens();
    expect(result.seed).toBe(TOKENS_DEFAULTS.seed);
    const m = result.metrics;
    expect(m.accuracy as number).toBeGreaterThanOrEqual(0.95);
    expect(m.padding_invariance).toBeGreaterThanOrEqual(0);
    expect(m.padding_invariance as number).toBeLessThanOrEqual(1e-6);
    expect(m.epochs).toBe(TOKENS_DEFAULTS.epochs);
    expect(m.cell).toBe('lstm');
    expect(m.train_seconds as number).toBeGreaterThan(0);
    expect(result.lossCurve).toHaveLength(TOKENS_DEFAULTS.epochs);
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(['loss.svg']);
    expect(readFileSync(files[0]!, 'utf8').startsWith('<svg')).toBe(true);
  });

  it('should run a Bidirectional GRU with --variant gru, and --epochs epochs', { timeout: 120_000 }, async () => {
    const { result } = await runTokens({ variant: 'gru', epochs: 2 });
    expect(result.metrics.cell).toBe('gru');
    expect(result.metrics.epochs).toBe(2);
    expect(result.lossCurve).toHaveLength(2);
    expect(result.metrics.padding_invariance as number).toBeLessThanOrEqual(1e-6);
  });
});
