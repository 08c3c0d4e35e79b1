// The full default run (about a minute): with seed 3 the LSTM recalls the bit and keeps its
// gradient over the 49 noisy steps; the SimpleRNN's gradient vanishes and it stays at chance.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { gradientFlow } from './gradient-flow.js';

describe('gradient-flow experiment, full run', () => {
  it('should show the LSTM learning the long dependency and the SimpleRNN losing its gradient', async () => {
    const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-gradient-flow-')), { overwrite: false });
    const { metrics } = await gradientFlow.run({ flags: {}, reporter: createReporter({ json: true, quiet: true }), out });
    expect(metrics.accuracy_lstm).toBeGreaterThanOrEqual(0.95);
    expect(metrics.accuracy_simple_rnn).toBeLessThanOrEqual(0.6);
    expect(metrics.grad_ratio_lstm as number).toBeGreaterThan(100 * (metrics.grad_ratio_simple_rnn as number));
  }, 600_000);
});
