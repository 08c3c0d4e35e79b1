import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED, compileKernels, generatedModule } from '../scripts/compile-wasm.mjs';

describe('generated kernels module', () => {
  it('should equal a fresh compile of assembly/*.ts (run node scripts/compile-wasm.mjs after editing them)', async () => {
    const [binary, shared] = await Promise.all([compileKernels(false), compileKernels(true)]);
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedModule(binary, shared));
  }, 120_000);
});
