import { describe, expectTypeOf, it } from 'vitest';
import type { TypedArray } from '@rnnkit/tensor';
import type { CellPlugin, RecurrentCell } from './cell.js';
import { type DefinedCellOptions, defineCell } from './define-cell.js';

const scaled = defineCell({
  name: 'ScaledCell',
  kind: 'scaled',
  defaults: { scale: 1, mode: 'a' as 'a' | 'b', clip: false },
  states: (u) => [{ name: 'h', size: u }],
  kept: () => [],
  params: { kernel: { shape: (f, u) => [f, u], initializer: 'glorotUniform' } },
  step(_s, cell) {
    expectTypeOf(cell.options.scale).toEqualTypeOf<number>();
    expectTypeOf(cell.options.mode).toEqualTypeOf<'a' | 'b'>();
    expectTypeOf(cell.w.kernel).toEqualTypeOf<TypedArray>();
    // @ts-expect-error the cell has no parameter 'bias'
    void cell.g.bias;
  },
  backStep: () => {},
});

describe('defineCell types', () => {
  it('should type the factory’s options from the defaults and the parameters', () => {
    expectTypeOf(scaled.create({ units: 2, scale: 0.5, mode: 'b', clip: true, kernelInitializer: 'zeros' })).toMatchTypeOf<RecurrentCell>();
    // @ts-expect-error 'scael' is not an option of the cell
    void (() => scaled.create({ units: 2, scael: 1 }));
    // @ts-expect-error scale is a number
    void (() => scaled.create({ units: 2, scale: '1' }));
    // @ts-expect-error mode is 'a' or 'b'
    void (() => scaled.create({ units: 2, mode: 'c' }));
    // @ts-expect-error there is no bias to initialise
    void (() => scaled.create({ units: 2, biasInitializer: 'zeros' }));
    // @ts-expect-error units is required
    void (() => scaled.create({ scale: 2 }));
  });

  it('should give a CellPlugin of those options', () => {
    type Options = DefinedCellOptions<{ scale: number; mode: 'a' | 'b'; clip: boolean }, { kernel: unknown }>;
    expectTypeOf(scaled.plugin).toMatchTypeOf<CellPlugin<Options>>();
  });
});
