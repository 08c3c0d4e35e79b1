import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random } from '@rnnkit/tensor';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { gradientFlow, recallFirstBit } from './gradient-flow.js';

describe('gradient-flow experiment', () => {
  it('should make sequences whose first step is the bit and whose target is that bit', () => {
    const { x, y } = recallFirstBit(64, 10, 1.5, new Random(1));
    expect(x.shape).toEqual([64, 10, 1]);
    for (let s = 0; s < 64; s++) expect(x.data[s * 10]).toBe(y.data[s] === 1 ? 1 : -1);
    const ones = Array.from(y.data).filter((v) => v === 1).length;
    expect(ones).toBeGreaterThan(20);
    expect(ones).toBeLessThan(44);
    // The noise after the bit has about the standard deviation asked for.
    const noise = Array.from(x.data).filter((_, i) => i % 10 !== 0);
    const std = Math.sqrt(noise.reduce((a, v) => a + v * v, 0) / noise.length);
    expect(std).toBeGreaterThan(1.2);
    expect(std).toBeLessThan(1.8);
  });

  it('should report accuracy and the gradient ratio of each cell, and plot ‖∂L/∂h_t‖', async () => {
    const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-gradient-flow-')), { overwrite: false });
    const result = await gradientFlow.run({ flags: { epochs: 1 }, reporter: createReporter({ json: true, quiet: true }), out });
    for (const key of ['simple_rnn', 'lstm', 'gru']) {
      expect(result.metrics[`accuracy_${key}`]).toBeGreaterThanOrEqual(0);
      expect(result.metrics[`accuracy_${key}`]).toBeLessThanOrEqual(1);
      expect(result.metrics[`grad_ratio_${key}`]).toBeGreaterThan(0);
    }
    expect(out.written.map((f) => f.split('/').pop())).toEqual(['gradient-flow.svg']);
  });
});
