import fc from 'fast-check';
import { type KernelBackend, jsBackend } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { kernelLaws } from './kernel-laws.js';
import { runLaws } from './law-runner.js';

/** A backend with one deliberate bug, to show that the laws catch it. */
function broken(name: string, gemm: KernelBackend['gemm']): KernelBackend {
  return { name, gemm };
}

describe('kernelLaws (property)', () => {
  it('should hold for the plain-JS backend', () => {
    for (const law of kernelLaws({ backend: jsBackend, blocks: { rows: 64, depth: 256, columns: 512 } })) {
      fc.assert(law.property, { numRuns: 15 });
    }
  });

  it('should catch a backend that ignores beta (always overwrites C)', () => {
    const backend = broken('no-beta', (ta, tb, m, n, k, a, ao, b, bo, _beta, c, co) => jsBackend.gemm(ta, tb, m, n, k, a, ao, b, bo, 0, c, co));
    expect(() => runLaws(kernelLaws({ backend }).slice(0, 1), { numRuns: 100 })).toThrow(/no-beta: C\[/);
  });

  it('should catch a backend that mixes up the transpose of B', () => {
    const backend = broken('swapped', (ta, tb, m, n, k, a, ao, b, bo, beta, c, co) => jsBackend.gemm(ta, !tb, m, n, k, a, ao, b, bo, beta, c, co));
    expect(() => runLaws(kernelLaws({ backend }).slice(0, 1), { numRuns: 100 })).toThrow(/swapped/);
  });

  it('should catch a backend that writes past the end of C', () => {
    const backend = broken('spill', (ta, tb, m, n, k, a, ao, b, bo, beta, c, co) => {
      jsBackend.gemm(ta, tb, m, n, k, a, ao, b, bo, beta, c, co);
      if (m * n > 0) c[co + m * n] = 42;
    });
    expect(() => runLaws(kernelLaws({ backend }).slice(0, 1), { numRuns: 100 })).toThrow(/after the product changed/);
  });

  it('should catch a backend that loses float32 precision (sums in float16-like steps)', () => {
    const backend = broken('coarse', (ta, tb, m, n, k, a, ao, b, bo, beta, c, co) => {
      jsBackend.gemm(ta, tb, m, n, k, a, ao, b, bo, beta, c, co);
      for (let i = co; i < co + m * n; i++) c[i] = Math.round(c[i]! * 1024) / 1024;
    });
    expect(() => runLaws(kernelLaws({ backend, dtypes: ['float32'] }).slice(0, 1), { numRuns: 100 })).toThrow(/coarse/);
  });
});
