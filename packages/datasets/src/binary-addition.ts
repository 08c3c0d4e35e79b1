// Binary addition as a sequence task (experiments 2 and 4 of docs/experiments.md): at each time step
// the network sees one bit of each operand and must emit the matching bit of the sum, which
// it can only do by carrying state from the earlier (less significant) steps.
import { type DType, RnnkitError, Tensor, allocate, describeValue, formatShape } from '@rnnkit/tensor';
import { type SeedOptions, checkOptions, choiceOption, dtypeOption, integerOption, randomOption } from './options.js';

/**
 * Which bit a sequence presents first. `lsb-first` is what both reference experiments do
 * (a carry flows forward in time); `msb-first` makes the task need look-ahead, which a
 * one-directional RNN cannot learn — handy to show why order matters.
 */
export type BitOrder = 'lsb-first' | 'msb-first';

const ORDERS: readonly BitOrder[] = ['lsb-first', 'msb-first'];
const MAX_BITS = 52; // sums must stay exact in a double

/** Options of {@link binaryAddition}. */
export interface BinaryAdditionOptions extends SeedOptions {
  /** Number of samples (operand pairs). */
  count: number;
  /**
   * Time steps per sequence, which is also the bit width of the sum. Experiment 2 uses 8,
   * experiment 4 uses 7.
   * @defaultValue 8
   */
  bits?: number;
  /**
   * Width of each operand: both are drawn uniformly from `[0, 2^operandBits)`, and their
   * sum always fits `bits` because `operandBits < bits`. Experiment 2 (8 bits, operands
   * below 128) uses 7; experiment 4 (6-bit operands padded to 7 steps) uses 6.
   * @defaultValue bits − 1
   */
  operandBits?: number;
  /**
   * Time order of the bits.
   * @defaultValue 'lsb-first'
   */
  order?: BitOrder;
  /**
   * Element type of `inputs` and `targets`.
   * @defaultValue 'float32'
   */
  dtype?: DType;
}

/** Samples of {@link binaryAddition}. */
export interface BinaryAdditionData {
  /** `[count, bits, 2]`: at step t, feature 0 is a bit of `a[i]` and feature 1 the same bit of `b[i]`. */
  readonly inputs: Tensor;
  /** `[count, bits, 1]`: the same bit of `a[i] + b[i]`. */
  readonly targets: Tensor;
  /** First operand of each sample. */
  readonly a: number[];
  /** Second operand of each sample. */
  readonly b: number[];
  /** Time steps per sequence (bit width of the sum). */
  readonly bits: number;
  /** Time order of the bits. */
  readonly order: BitOrder;
}

/** The bit position (0 = least significant) presented at time step `t`. */
function positionAt(t: number, bits: number, order: BitOrder): number {
  return order === 'lsb-first' ? t : bits - 1 - t;
}

/**
 * Random binary additions as `[batch, time, features]` tensors.
 *
 * Each sample draws `a` then `b` uniformly from `[0, 2^operandBits)`; step t holds bit p
 * of a, b and a + b, with p = t (`lsb-first`) or p = bits − 1 − t (`msb-first`).
 *
 * @example
 * ```ts
 * // Experiment 4: two 6-bit operands padded to 7 steps, least significant bit first.
 * const { inputs, targets } = binaryAddition({ count: 2000, bits: 7, operandBits: 6, seed: 1 });
 * inputs.shape; // [2000, 7, 2]
 * ```
 */
export function binaryAddition(options: BinaryAdditionOptions): BinaryAdditionData {
  const api = 'binaryAddition';
  const o = checkOptions(api, options, ['count', 'bits', 'operandBits', 'order', 'seed', 'random', 'dtype']);
  const count = integerOption(api, 'count', o.count, undefined, 0);
  const bits = integerOption(api, 'bits', o.bits, 8, 2, MAX_BITS);
  const operandBits = integerOption(api, 'operandBits', o.operandBits, bits - 1, 1);
  if (operandBits >= bits) {
    throw new RnnkitError(
      api,
      `operandBits ${operandBits} does not fit bits ${bits}: the sum of two ${operandBits}-bit operands needs ${operandBits + 1} bits, so operandBits must be at most ${bits - 1}`,
    );
  }
  const order = choiceOption(api, 'order', o.order, ORDERS, 'lsb-first');
  const dtype = dtypeOption(api, o.dtype);
  const random = randomOption(api, o);

  const high = 2 ** operandBits;
  const powers = new Float64Array(bits);
  for (let t = 0; t < bits; t++) powers[t] = 2 ** positionAt(t, bits, order);
  // Before the plain arrays below: a huge count is a clear error naming the shape.
  const inputs = allocate(dtype, count * bits * 2, [count, bits, 2], api);
  const targets = allocate(dtype, count * bits, [count, bits, 1], api);
  const a: number[] = new Array(count);
  const b: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const x = random.integer(0, high);
    const y = random.integer(0, high);
    const sum = x + y;
    a[i] = x;
    b[i] = y;
    for (let t = 0; t < bits; t++) {
      const p = powers[t]!;
      const k = i * bits + t;
      // floor(v / 2^p) mod 2 is bit p of v; exact for every v below 2^53.
      inputs[2 * k] = Math.floor(x / p) % 2;
      inputs[2 * k + 1] = Math.floor(y / p) % 2;
      targets[k] = Math.floor(sum / p) % 2;
    }
  }
  return {
    inputs: new Tensor(inputs, [count, bits, 2]),
    targets: new Tensor(targets, [count, bits, 1]),
    a,
    b,
    bits,
    order,
  };
}

/** Options of {@link encodeBits}. */
export interface EncodeBitsOptions {
  /** Number of bits (time steps). */
  bits: number;
  /**
   * Time order of the bits.
   * @defaultValue 'lsb-first'
   */
  order?: BitOrder;
}

/** The bits of a non-negative integer as 0/1 numbers in time order: `encodeBits(6, { bits: 4 })` is `[0, 1, 1, 0]`. */
export function encodeBits(value: number, options: EncodeBitsOptions): number[] {
  const api = 'encodeBits';
  const o = checkOptions(api, options, ['bits', 'order']);
  const bits = integerOption(api, 'bits', o.bits, undefined, 1, MAX_BITS);
  const order = choiceOption(api, 'order', o.order, ORDERS, 'lsb-first');
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RnnkitError(api, `expected an integer in [0, 2^${bits}), got ${describeValue(value)}`);
  }
  const out = new Array<number>(bits);
  for (let t = 0; t < bits; t++) out[t] = Math.floor(value / 2 ** positionAt(t, bits, order)) % 2;
  return out;
}

/** Options of {@link decodeBits} and {@link decodeSequences}. */
export interface DecodeBitsOptions {
  /**
   * Time order of the bits.
   * @defaultValue 'lsb-first'
   */
  order?: BitOrder;
  /**
   * A value counts as a 1 bit when it is greater than this, so probabilities decode the
   * way numpy's `round` does (0.5 rounds to 0).
   * @defaultValue 0.5
   */
  threshold?: number;
}

function decodeOptions(api: string, options: DecodeBitsOptions | undefined, extra: readonly string[] = []) {
  const o = checkOptions(api, options, ['order', 'threshold', ...extra] as (keyof DecodeBitsOptions)[]);
  const order = choiceOption(api, 'order', o.order, ORDERS, 'lsb-first');
  const threshold = o.threshold ?? 0.5;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new RnnkitError(api, `option "threshold" must be a number, got ${describeValue(threshold)}`);
  }
  return { order, threshold };
}

/**
 * The integer spelled by a sequence of bits (or bit probabilities) in time order:
 * `decodeBits([0, 1, 1, 0])` is 6, `decodeBits([0.1, 0.9], { order: 'msb-first' })` is 1.
 */
export function decodeBits(bits: ArrayLike<number>, options?: DecodeBitsOptions): number {
  const api = 'decodeBits';
  const { order, threshold } = decodeOptions(api, options);
  if (bits === null || typeof bits !== 'object' || typeof bits.length !== 'number') {
    throw new RnnkitError(api, `expected an array of bits, got ${describeValue(bits)}`);
  }
  if (bits.length > MAX_BITS) throw new RnnkitError(api, `expected at most ${MAX_BITS} bits, got ${bits.length}`);
  return decodeRun(bits, 0, 1, bits.length, order, threshold);
}

/** Decodes `length` values read from `data[offset + t·stride]`. */
function decodeRun(data: ArrayLike<number>, offset: number, stride: number, length: number, order: BitOrder, threshold: number): number {
  let value = 0;
  for (let t = 0; t < length; t++) {
    if (data[offset + t * stride]! > threshold) value += 2 ** positionAt(t, length, order);
  }
  return value;
}

/** Options of {@link decodeSequences}. */
export interface DecodeSequencesOptions extends DecodeBitsOptions {
  /**
   * Which feature of a `[count, time, features]` tensor holds the bits (0 and 1 are the
   * operands of `inputs`).
   * @defaultValue 0
   */
  feature?: number;
}

/**
 * Decodes every sample of a `[count, time, features]` (or `[count, time]`) tensor of bits
 * or bit probabilities into integers — a batch of predictions into sums, for instance:
 * `decodeSequences(model.predict(inputs))`.
 */
export function decodeSequences(sequences: Tensor, options?: DecodeSequencesOptions): number[] {
  const api = 'decodeSequences';
  const { order, threshold } = decodeOptions(api, options, ['feature']);
  if (!(sequences instanceof Tensor) || (sequences.rank !== 2 && sequences.rank !== 3)) {
    const got = sequences instanceof Tensor ? `shape ${formatShape(sequences.shape)}` : describeValue(sequences);
    throw new RnnkitError(api, `expected a tensor [count, time, features] or [count, time], got ${got}`);
  }
  const [count, steps, features = 1] = sequences.shape as [number, number, number?];
  const feature = integerOption(api, 'feature', options?.feature, 0, 0, features - 1);
  if (steps > MAX_BITS) throw new RnnkitError(api, `expected at most ${MAX_BITS} time steps, got ${steps}`);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    out[i] = decodeRun(sequences.data, i * steps * features + feature, features, steps, order, threshold);
  }
  return out;
}

/** Options of {@link formatAddition}. */
export interface FormatAdditionOptions {
  /**
   * The network's output for this sample: a `[count, bits, 1]` batch (the sample at
   * `index` is used), or the `bits` values of this sample in time order. Values above 0.5
   * count as 1 bits.
   * @defaultValue none (only the operands and the true sum are printed)
   */
  prediction?: Tensor | ArrayLike<number>;
}

/**
 * One sample written out like a pencil-and-paper sum, the way experiments 2 and 4 print
 * them: bits most significant first (whatever the time order), the decimal value beside
 * each row, the prediction aligned under the true sum, then the decoded `a + b = c`
 * (c being the prediction when one is given).
 *
 * ```text
 *    a:   00101101   45
 *    b: + 01000110   70
 *         --------
 *  sum: = 01110011  115
 * pred: = 01110111  119  wrong
 * 45 + 70 = 119
 * ```
 */
export function formatAddition(data: BinaryAdditionData, index = 0, options?: FormatAdditionOptions): string {
  const api = 'formatAddition';
  const o = checkOptions(api, options, ['prediction']);
  if (!data || !(data.inputs instanceof Tensor) || !(data.targets instanceof Tensor) || !Array.isArray(data.a)) {
    throw new RnnkitError(api, `expected the result of binaryAddition, got ${describeValue(data)}`);
  }
  const count = data.a.length;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RnnkitError(api, `index must be an integer in [0, ${count}), got ${describeValue(index)}`);
  }
  const { bits, order } = data;
  const a = data.a[index]!;
  const b = data.b[index]!;
  const sum = decodeRun(data.targets.data, index * bits, 1, bits, order, 0.5);
  const width = String(2 ** bits - 1).length;
  // Bits of an integer, most significant first, as on paper.
  const paper = (value: number): string => encodeBits(value, { bits, order: 'msb-first' }).join('');
  const row = (label: string, sign: string, value: number): string =>
    `${label.padStart(4)}: ${sign} ${paper(value)}  ${String(value).padStart(width)}`;
  const lines = [row('a', ' ', a), row('b', '+', b), `${' '.repeat(8)}${'-'.repeat(bits)}`, row('sum', '=', sum)];
  let result = sum;
  if (o.prediction !== undefined) {
    result = decodePrediction(api, o.prediction, index, bits, order);
    lines.push(`${row('pred', '=', result)}  ${result === sum ? 'correct' : 'wrong'}`);
  }
  lines.push(`${a} + ${b} = ${result}`);
  return lines.join('\n');
}

function decodePrediction(api: string, prediction: Tensor | ArrayLike<number>, index: number, bits: number, order: BitOrder): number {
  if (prediction instanceof Tensor) {
    const s = prediction.shape;
    const batch = s.length === 3 && s[1] === bits && s[2] === 1;
    if (batch) {
      if (index >= s[0]!) throw new RnnkitError(api, `prediction ${formatShape(s)} has no sample ${index}`);
      return decodeRun(prediction.data, index * bits, 1, bits, order, 0.5);
    }
    if (prediction.size === bits) return decodeRun(prediction.data, 0, 1, bits, order, 0.5);
    throw new RnnkitError(api, `prediction must have shape [count, ${bits}, 1] or hold ${bits} values, got ${formatShape(s)}`);
  }
  if (prediction === null || typeof prediction !== 'object' || prediction.length !== bits) {
    throw new RnnkitError(api, `prediction must hold ${bits} values, got ${describeValue(prediction)}`);
  }
  return decodeRun(prediction, 0, 1, bits, order, 0.5);
}
