// The machine's WebAssembly f32 ceiling, for bench/gemm.ts: independent multiply–add chains
// held in registers, no memory traffic. Compiled by the bench itself (plain and relaxed SIMD,
// the kernels' flags), not part of the package's module.
//
// Each chain is acc = acc·a + b, so every operation depends on the one before it in its chain
// and on nothing else: 12 chains keep the multiply and add units busy while one waits
// (12 accumulators and 2 constants fit the 15 registers V8 gives WebAssembly on x64).
// One call runs `count` rounds of 12 chains × 4 lanes × 2 flops.

function step(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(acc, a, b);
  return f32x4.add(f32x4.mul(acc, a), b);
}

export function peak(count: i32, seed: f32): f32 {
  const a = f32x4.splat(0.999);
  const b = f32x4.splat(seed);
  let c0 = f32x4.splat(seed), c1 = f32x4.splat(seed + 1), c2 = f32x4.splat(seed + 2), c3 = f32x4.splat(seed + 3);
  let c4 = f32x4.splat(seed + 4), c5 = f32x4.splat(seed + 5), c6 = f32x4.splat(seed + 6), c7 = f32x4.splat(seed + 7);
  let c8 = f32x4.splat(seed + 8), c9 = f32x4.splat(seed + 9), c10 = f32x4.splat(seed + 10), c11 = f32x4.splat(seed + 11);
  for (let r = 0; r < count; r++) {
    c0 = step(c0, a, b);
    c1 = step(c1, a, b);
    c2 = step(c2, a, b);
    c3 = step(c3, a, b);
    c4 = step(c4, a, b);
    c5 = step(c5, a, b);
    c6 = step(c6, a, b);
    c7 = step(c7, a, b);
    c8 = step(c8, a, b);
    c9 = step(c9, a, b);
    c10 = step(c10, a, b);
    c11 = step(c11, a, b);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1) + f32x4.extract_lane(t, 2) + f32x4.extract_lane(t, 3);
}
