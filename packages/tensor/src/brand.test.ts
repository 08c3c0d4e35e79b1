import { describe, expect, it } from 'vitest';
import { Param, Tensor, zeros } from './index.js';

describe('instanceof across copies of the package', () => {
  it('should recognise a tensor made by another copy of the Tensor class', () => {
    // A second copy of the package (its CJS build next to the ESM one) has its own class
    // object; the shared brand makes `instanceof` agree anyway.
    const foreign = Object.create(null) as Record<symbol, unknown>;
    foreign[Symbol.for('@rnnkit/tensor:Tensor')] = true;
    expect(foreign instanceof Tensor).toBe(true);
    expect(zeros([2]) instanceof Tensor).toBe(true);
  });

  it('should reject objects without the brand', () => {
    expect({ shape: [2], data: new Float32Array(2) } instanceof Tensor).toBe(false);
    expect((null as unknown) instanceof Tensor).toBe(false);
    expect(new Float32Array(2) instanceof Tensor).toBe(false);
  });

  it('should recognise params and views derived from them', () => {
    const p = new Param('w', zeros([2]));
    expect(p instanceof Param).toBe(true);
    expect(Object.create(p) instanceof Param).toBe(true);
    expect(p.value instanceof Param).toBe(false);
  });
});
