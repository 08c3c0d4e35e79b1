import { Random, RnnkitError, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { binaryAddition, decodeBits, decodeSequences, encodeBits, formatAddition } from './binary-addition.js';

describe('binaryAddition', () => {
  it('should produce experiment 2 data: 8 steps, operands below 128, inputs [n, 8, 2] and targets [n, 8, 1]', () => {
    const data = binaryAddition({ count: 500, seed: 3 });
    expect(data.inputs.shape).toEqual([500, 8, 2]);
    expect(data.targets.shape).toEqual([500, 8, 1]);
    expect(data.order).toBe('lsb-first');
    expect(Math.max(...data.a, ...data.b)).toBeLessThan(128);
    expect(Math.max(...data.a, ...data.b)).toBeGreaterThan(100); // the full operand range is used
  });

  it('should produce experiment 4 data: two 6-bit operands padded to 7 steps', () => {
    const data = binaryAddition({ count: 2000, bits: 7, operandBits: 6, seed: 0 });
    expect(data.inputs.shape).toEqual([2000, 7, 2]);
    expect(data.targets.shape).toEqual([2000, 7, 1]);
    expect(Math.max(...data.a, ...data.b)).toBe(63);
    // The padding step (bit 6, the last lsb-first step) of an operand is always 0.
    for (let i = 0; i < 2000; i++) expect(data.inputs.get(i, 6, 0) + data.inputs.get(i, 6, 1)).toBe(0);
  });

  it('should place bit t of each operand at step t when lsb-first', () => {
    const data = binaryAddition({ count: 1, seed: 9 });
    const a = data.a[0]!;
    for (let t = 0; t < 8; t++) expect(data.inputs.get(0, t, 0)).toBe((a >> t) & 1);
  });

  it('should give the same samples for the same seed and different ones for another', () => {
    expect(binaryAddition({ count: 20, seed: 5 }).a).toEqual(binaryAddition({ count: 20, seed: 5 }).a);
    expect(binaryAddition({ count: 20, seed: 5 }).a).not.toEqual(binaryAddition({ count: 20, seed: 6 }).a);
  });

  it('should draw fresh pairs from a shared Random on each call', () => {
    const random = new Random(1);
    const first = binaryAddition({ count: 10, random });
    const second = binaryAddition({ count: 10, random });
    expect(second.a).not.toEqual(first.a);
  });

  it('should honour dtype', () => {
    expect(binaryAddition({ count: 2, dtype: 'float64' }).inputs.data).toBeInstanceOf(Float64Array);
    expect(binaryAddition({ count: 2 }).targets.data).toBeInstanceOf(Float32Array);
  });

  it('should refuse operands whose sum does not fit the bits', () => {
    expect(() => binaryAddition({ count: 1, bits: 8, operandBits: 8 })).toThrow(/operandBits 8 does not fit bits 8/);
  });

  it('should refuse bad or unknown options with the API name', () => {
    expect(() => binaryAddition({ count: -1 })).toThrow(RnnkitError);
    expect(() => binaryAddition({ count: 1.5 })).toThrow(/binaryAddition: option "count"/);
    expect(() => binaryAddition({ count: 1, order: 'backwards' as never })).toThrow(/order/);
    expect(() => binaryAddition({ count: 1, bitz: 8 } as never)).toThrow(/unknown option "bitz"/);
    expect(() => binaryAddition({ count: 1, seed: 1, random: new Random(1) })).toThrow(/either "seed" or "random"/);
    expect(() => binaryAddition(undefined as never)).toThrow(/"count" is required/);
  });
});

describe('encodeBits and decodeBits', () => {
  it('should write 6 as 0110 least significant bit first and 0110 reversed most significant first', () => {
    expect(encodeBits(6, { bits: 4 })).toEqual([0, 1, 1, 0]);
    expect(encodeBits(6, { bits: 5, order: 'msb-first' })).toEqual([0, 0, 1, 1, 0]);
    expect(decodeBits([0, 1, 1, 0])).toBe(6);
    expect(decodeBits([1, 0, 0], { order: 'msb-first' })).toBe(4);
  });

  it('should read probabilities above the threshold as ones, 0.5 itself as zero', () => {
    expect(decodeBits([0.9, 0.5, 0.51])).toBe(1 + 4);
    expect(decodeBits([0.3, 0.3], { threshold: 0.2 })).toBe(3);
  });

  it('should refuse values that do not fit', () => {
    expect(() => encodeBits(16, { bits: 4 })).toThrow(/encodeBits: expected an integer in \[0, 2\^4\)/);
    expect(() => encodeBits(-1, { bits: 4 })).toThrow(RnnkitError);
  });

  it('should refuse tensors of the wrong rank in decodeSequences', () => {
    expect(() => decodeSequences(tensor([1, 0]))).toThrow(/decodeSequences: expected a tensor \[count, time, features\]/);
    expect(() => decodeSequences(tensor([[[1, 0]]]), { feature: 2 })).toThrow(/feature/);
  });
});

describe('formatAddition', () => {
  const data = binaryAddition({ count: 4, seed: 11 });
  const a = data.a[2]!;
  const b = data.b[2]!;
  const paper = (v: number) => v.toString(2).padStart(8, '0');

  it('should write operands and sum most significant bit first with their decimal values', () => {
    const lines = formatAddition(data, 2).split('\n');
    expect(lines[0]).toContain(paper(a));
    expect(lines[0]!.trimEnd().endsWith(String(a))).toBe(true);
    expect(lines[1]).toContain(`+ ${paper(b)}`);
    expect(lines[3]).toContain(`= ${paper(a + b)}`);
    expect(lines.at(-1)).toBe(`${a} + ${b} = ${a + b}`);
  });

  it('should align the bits of every row in one column', () => {
    const lines = formatAddition(data, 2, { prediction: data.targets }).split('\n').slice(0, 5);
    const starts = lines.map((line) => line.search(/[01-]{8}/));
    expect(new Set(starts).size).toBe(1);
  });

  it('should print a prediction, mark it wrong and decode it in the last line', () => {
    const wrong = (a + b + 1) % 256;
    const prediction = encodeBits(wrong, { bits: 8 }).map((bit) => (bit ? 0.8 : 0.1));
    const text = formatAddition(data, 2, { prediction });
    expect(text).toContain(`= ${paper(wrong)}`);
    expect(text).toMatch(/wrong/);
    expect(text.split('\n').at(-1)).toBe(`${a} + ${b} = ${wrong}`);
  });

  it('should take the sample at the index from a batch of predictions and mark it correct', () => {
    expect(formatAddition(data, 2, { prediction: data.targets })).toMatch(/correct/);
  });

  it('should refuse an index out of range and a prediction of the wrong length', () => {
    expect(() => formatAddition(data, 4)).toThrow(/formatAddition: index must be an integer in \[0, 4\)/);
    expect(() => formatAddition(data, 0, { prediction: [1, 0] })).toThrow(/prediction must hold 8 values/);
  });
});

describe('binaryAddition beyond memory', () => {
  it('should refuse a count whose tensors exceed the allocation limit, naming the shape, before drawing anything', () => {
    expect(() => binaryAddition({ count: 1e9 })).toThrow(
      /^binaryAddition: shape \[1000000000, 8, 2\] \(float32\) needs 64,000,000,000 bytes \(16,000,000,000 elements\), more than the allocation limit/,
    );
  });
});
