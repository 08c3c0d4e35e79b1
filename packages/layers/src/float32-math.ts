// The logistic sigmoid and tanh for float32 outputs, about twice as fast as Math.exp and
// Math.tanh. The gate activations are half the time of a recurrent layer (every gate value
// of every step goes through one), and a float32 result needs a relative accuracy of
// 2^-24 ≈ 6e-8 before its final rounding, not Math.exp's 2^-53.
//
// exp(x) = 2^n · e^r with n = round(x / ln 2) and r = x − n·ln 2 ∈ [−0.35, 0.35]:
//   - n is rounded by adding and subtracting 1.5·2^52 (a double that large has no fraction
//     bits, so the addition rounds to an integer, half to even);
//   - r uses Cody & Waite's split of ln 2 into a head with trailing zero bits (n·head is
//     exact) and a tail, so r keeps full double accuracy;
//   - e^r is its Taylor polynomial of degree 7: the first term left out, r⁸/8!, stays below
//     5.3e-9 of the result;
//   - 2^n comes from a table.
// So each value is within 7e-9 (relative) of the exact one before it is rounded to float32:
// the stored results equal the correctly rounded ones or differ by one unit in the last
// place (tested in float32-math.props.test.ts).

const LOG2E = 1.4426950408889634;
const LN2_HEAD = 0.6931471803691238; // ln 2 rounded to 32 significant bits
const LN2_TAIL = 1.9082149292705877e-10; // ln 2 − LN2_HEAD
const ROUNDER = 6755399441055744; // 1.5·2^52
/** |x| beyond which e^−x no longer changes a float32 sigmoid (σ(−104) < 2^−150). */
const EXP_LIMIT = 110;
const POW2_BIAS = 160;
/** 2^n for n = −160 … 160 (|n| ≤ EXP_LIMIT / ln 2 < 159). */
const POW2 = new Float64Array(2 * POW2_BIAS + 1);
for (let n = -POW2_BIAS; n <= POW2_BIAS; n++) POW2[n + POW2_BIAS] = 2 ** n;

/** e^x for |x| ≤ EXP_LIMIT (NaN stays NaN), to a relative 7e-9. */
function expFloat32(x: number): number {
  const n = x * LOG2E + ROUNDER - ROUNDER;
  const r = x - n * LN2_HEAD - n * LN2_TAIL;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  // For NaN, n | 0 is 0 and p is NaN: the result is NaN.
  return p * POW2[(n | 0) + POW2_BIAS]!;
}

/** σ(v) to float32 accuracy (the value is still a double; store it in a Float32Array). */
export function sigmoid32(v: number): number {
  // Clamping keeps the table in range; it changes no float32 result (NaN passes).
  const m = v < -EXP_LIMIT ? EXP_LIMIT : v > EXP_LIMIT ? -EXP_LIMIT : -v;
  return 1 / (1 + expFloat32(m));
}

/** `out[outOffset + i] = σ(x[xOffset + i])` for i < length (in place when the ranges coincide). */
export function sigmoidFloat32(x: Float32Array, xOffset: number, out: Float32Array, outOffset: number, length: number): void {
  for (let i = 0; i < length; i++) out[outOffset + i] = sigmoid32(x[xOffset + i]!);
}

/**
 * e^x − 1 for |x| ≤ 40, accurate near zero too: with s = 2^n, e^x − 1 = s·q + (s − 1)
 * where q = e^r − 1 is the Taylor polynomial without its leading 1 (degree 8: the first
 * term left out, r⁹/9!, stays below 6e-10 of q). For n = 0 this is q itself, exactly.
 */
function expm1Float32(x: number): number {
  const n = x * LOG2E + ROUNDER - ROUNDER;
  const r = x - n * LN2_HEAD - n * LN2_TAIL;
  const q = r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320))))))));
  const scale = POW2[(n | 0) + POW2_BIAS]!;
  return scale * q + (scale - 1);
}

/**
 * tanh(v) to float32 accuracy, as tanh|v| = −m / (2 + m) with m = e^(−2|v|) − 1 ∈ (−1, 0]:
 * no cancellation anywhere, no branch on the size of v.
 */
export function tanh32(v: number): number {
  // tanh(20) rounds to 1 even in float64; NaN fails both tests and propagates.
  const a = v < 0 ? (v < -20 ? 20 : -v) : v > 20 ? 20 : v;
  const m = expm1Float32(-2 * a);
  const t = -m / (2 + m) + 0; // + 0 turns the −0 of tanh(0) into +0
  return v < 0 ? -t : t;
}

/** `out[outOffset + i] = tanh(x[xOffset + i])` for i < length. */
export function tanhFloat32(x: Float32Array, xOffset: number, out: Float32Array, outOffset: number, length: number): void {
  for (let i = 0; i < length; i++) out[outOffset + i] = tanh32(x[xOffset + i]!);
}
