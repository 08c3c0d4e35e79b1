// σ and tanh in f32, vectorised (four lanes) and scalar, for the LSTM and GRU kernels.
//
// exp is Cephes' expf (S. Moshier): n = round(x·log₂e), r = x − n·ln 2 in two parts, a
// degree-5 polynomial for e^r − 1 − r, and 2^n built in the exponent bits; about one unit
// in the last place. tanh uses Cephes' odd polynomial below |x| = 0.625 (where 1 − 2/(e^{2x}+1)
// would cancel) and that formula above it. Scalar tails use the same operations in f32.

const LOG2EF: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_MAX: f32 = 88.0;

function expv(x: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2EF)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

function exps(x: f32): f32 {
  const n = nearest<f32>(x * LOG2EF);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p: f32 = 1.9875691500e-4;
  p = p * r + <f32>1.3981999507e-3;
  p = p * r + <f32>8.3334519073e-3;
  p = p * r + <f32>4.1665795894e-2;
  p = p * r + <f32>1.6666665459e-1;
  p = p * r + <f32>5.0000001201e-1;
  p = p * (r * r) + r + <f32>1;
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

/** σ(x) = 1 / (1 + e^(−x)), the exponent's argument clamped to ±88 (NaN propagates). */
export function sigmoidv(x: v128): v128 {
  const m = f32x4.min(f32x4.max(f32x4.neg(x), f32x4.splat(-EXP_MAX)), f32x4.splat(EXP_MAX));
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expv(m)));
}

export function sigmoids(x: f32): f32 {
  const m = min<f32>(max<f32>(-x, -EXP_MAX), EXP_MAX);
  return <f32>1 / (<f32>1 + exps(m));
}

export function tanhv(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = expv(f32x4.min(f32x4.add(a, a), f32x4.splat(EXP_MAX)));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  // Give the large-|x| branch the sign of x (its formula is of |x|).
  const signed = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(0.625)));
}

export function tanhs(x: f32): f32 {
  const a = abs<f32>(x);
  if (a < <f32>0.625) {
    const z = x * x;
    let p: f32 = -5.70498872745e-3;
    p = p * z + <f32>2.06390887954e-2;
    p = p * z + <f32>-5.37397155531e-2;
    p = p * z + <f32>1.33314422036e-1;
    p = p * z + <f32>-3.33332819422e-1;
    return p * z * x + x;
  }
  const e = exps(min<f32>(a + a, EXP_MAX));
  return copysign<f32>(<f32>1 - <f32>2 / (e + <f32>1), x);
}
