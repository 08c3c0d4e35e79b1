import { describe, expect, it } from 'vitest';
import { formatText } from './report.js';
import { machineInfo } from './machine.js';

describe('the machine line', () => {
  it('should name the caches the WebAssembly backend measured (its products block for them)', () => {
    const machine = machineInfo();
    expect(machine.caches).toMatch(/^L1 \d+ KiB, L2 \d+ KiB, L3 \d+ KiB$/);
    const timing = { warmUpMs: 0, blockMs: 10, repetitions: 3, budgetMs: 1000, errorPasses: 1, errorTrials: 1 };
    expect(formatText({ machine, scale: 'tiny', timing, results: [], heap: [] }).split('\n')[0]).toContain(` · caches ${machine.caches} (measured) · Node `);
  });
});
