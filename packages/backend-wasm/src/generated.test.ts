import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED, compileAll, generatedModule } from '../scripts/compile-wasm.mjs';

describe('generated kernels module', () => {
  it('should equal a fresh compile of assembly/*.ts (run node scripts/compile-wasm.mjs after editing them)', async () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedModule(await compileAll()));
  }, 240_000);
});
