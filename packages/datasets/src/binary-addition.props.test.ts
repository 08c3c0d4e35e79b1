import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BitOrder, binaryAddition, decodeBits, decodeSequences, encodeBits } from './binary-addition.js';

/** An independent reading of bit sequences: Σ bit_t · 2^position(t). */
function oracleDecode(data: ArrayLike<number>, offset: number, stride: number, bits: number, order: BitOrder): number {
  let value = 0;
  for (let t = 0; t < bits; t++) {
    const position = order === 'lsb-first' ? t : bits - 1 - t;
    value += data[offset + t * stride]! * 2 ** position;
  }
  return value;
}

const configArb = fc
  .record({
    count: fc.integer({ min: 0, max: 40 }),
    bits: fc.integer({ min: 2, max: 20 }),
    order: fc.constantFrom<BitOrder>('lsb-first', 'msb-first'),
    seed: fc.integer(),
    dtype: fc.constantFrom('float32' as const, 'float64' as const),
  })
  .chain((c) => fc.record({ operandBits: fc.integer({ min: 1, max: c.bits - 1 }) }).map((o) => ({ ...c, ...o })));

describe('binaryAddition (properties)', () => {
  it('should make the decoded target of every sample the sum of its decoded operands, in both orders', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        const { inputs, targets, a, b } = binaryAddition(config);
        const { count, bits, order } = config;
        for (let i = 0; i < count; i++) {
          const x = oracleDecode(inputs.data, i * bits * 2, 2, bits, order);
          const y = oracleDecode(inputs.data, i * bits * 2 + 1, 2, bits, order);
          const sum = oracleDecode(targets.data, i * bits, 1, bits, order);
          expect([x, y]).toEqual([a[i], b[i]]);
          expect(sum).toBe(x + y);
        }
      }),
    );
  });

  it('should draw both operands from [0, 2^operandBits) and write only 0 and 1 bits', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        const { inputs, targets, a, b } = binaryAddition(config);
        expect([...a, ...b].every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** config.operandBits)).toBe(true);
        const isBit = (bit: number): boolean => bit === 0 || bit === 1;
        expect(inputs.data.every(isBit) && targets.data.every(isBit)).toBe(true);
      }),
    );
  });

  it('should present msb-first sequences as the lsb-first ones reversed in time', () => {
    fc.assert(
      fc.property(configArb, ({ count, bits, operandBits, seed }) => {
        const lsb = binaryAddition({ count, bits, operandBits, seed, order: 'lsb-first' });
        const msb = binaryAddition({ count, bits, operandBits, seed, order: 'msb-first' });
        expect(msb.a).toEqual(lsb.a);
        const mismatches: string[] = [];
        for (let i = 0; i < count; i++) {
          for (let t = 0; t < bits; t++) {
            const r = bits - 1 - t;
            for (let f = 0; f < 2; f++) {
              if (msb.inputs.data[(i * bits + t) * 2 + f] !== lsb.inputs.data[(i * bits + r) * 2 + f]) mismatches.push(`inputs ${i},${t},${f}`);
            }
            if (msb.targets.data[i * bits + t] !== lsb.targets.data[i * bits + r]) mismatches.push(`targets ${i},${t}`);
          }
        }
        expect(mismatches).toEqual([]);
      }),
    );
  });

  it('should decode what encodeBits encodes, in both orders', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((bits) => fc.tuple(fc.constant(bits), fc.integer({ min: 0, max: 2 ** bits - 1 }))),
        fc.constantFrom<BitOrder>('lsb-first', 'msb-first'),
        ([bits, value], order) => {
          const encoded = encodeBits(value, { bits, order });
          expect(encoded).toHaveLength(bits);
          expect(decodeBits(encoded, { order })).toBe(value);
          expect(oracleDecode(encoded, 0, 1, bits, order)).toBe(value);
        },
      ),
    );
  });

  it('should decode a batch with decodeSequences exactly as the operands and sums were drawn', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        const { inputs, targets, a, b } = binaryAddition(config);
        const order = config.order;
        expect(decodeSequences(inputs, { order, feature: 0 })).toEqual(a);
        expect(decodeSequences(inputs, { order, feature: 1 })).toEqual(b);
        expect(decodeSequences(targets, { order })).toEqual(a.map((x, i) => x + b[i]!));
      }),
    );
  });
});
