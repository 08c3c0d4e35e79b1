// Lane helpers: one spelling of the SIMD operations for both element types (f32: 4 lanes,
// f64: 2), and element addresses of the operands of a product.

export function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

export function splatAt<T>(ptr: usize): v128 {
  if (sizeof<T>() == 4) return v128.load32_splat(ptr);
  return v128.load64_splat(ptr);
}

export function splatOf<T>(value: T): v128 {
  if (sizeof<T>() == 4) return f32x4.splat(<f32>value);
  return f64x2.splat(<f64>value);
}

export function vadd<T>(x: v128, y: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.add(x, y);
  return f64x2.add(x, y);
}

/**
 * acc + x·y. The relaxed-SIMD build (`--enable relaxed-simd`) uses `relaxed_madd`, which the
 * engine may fuse into one multiply–add with a single rounding (it does on x86 with FMA and
 * on ARM); the plain build multiplies and adds, rounding twice. Either way the result of a
 * given build on a given machine is always the same.
 */
export function vmad<T>(acc: v128, x: v128, y: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (sizeof<T>() == 4) return f32x4.relaxed_madd(x, y, acc);
    return f64x2.relaxed_madd(x, y, acc);
  }
  if (sizeof<T>() == 4) return f32x4.add(acc, f32x4.mul(x, y));
  return f64x2.add(acc, f64x2.mul(x, y));
}

export function hsum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return <T>(f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
  }
  return <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
}

export function at<T>(base: usize, index: i32): usize {
  return base + (<usize>index << alignof<T>());
}

/** op(A)[i, p] */
export function elementA<T>(transA: bool, m: i32, k: i32, a: usize, i: i32, p: i32): T {
  return load<T>(at<T>(a, transA ? p * m + i : i * k + p));
}

/** op(B)[p, j] */
export function elementB<T>(transB: bool, n: i32, k: i32, b: usize, p: i32, j: i32): T {
  return load<T>(at<T>(b, transB ? j * k + p : p * n + j));
}
