// Elementwise sums in memory: how the threads' partial gradients and products are added up.

/** target[0 … count) += source[0 … count) (f32): sums the threads' partial gradients and products. */
export function addF32(target: usize, source: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(target + o, f32x4.add(v128.load(target + o), v128.load(source + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(target + o, load<f32>(target + o) + load<f32>(source + o));
  }
}

/** target[0 … count) += source[0 … count) (f64): sums the threads' partial products. */
export function addF64(target: usize, source: usize, count: i32): void {
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    const o = <usize>i << 3;
    v128.store(target + o, f64x2.add(v128.load(target + o), v128.load(source + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 3;
    store<f64>(target + o, load<f64>(target + o) + load<f64>(source + o));
  }
}
