// Finding NaN and infinities fast. Training checks every gradient and every updated weight
// on every step, so the check runs at the speed of a copy: `x * 0` is 0 for every finite x
// and NaN otherwise, summed in four independent accumulators (one chain of dependent adds
// would wait on the adder's latency at each element); only a sum that is not 0 pays for
// the element-by-element search.

/** Whether every element is finite (no NaN, no ±Infinity). */
export function allFinite(data: ArrayLike<number>): boolean {
  const n = data.length;
  const whole = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i < whole; i += 4) {
    s0 += data[i]! * 0;
    s1 += data[i + 1]! * 0;
    s2 += data[i + 2]! * 0;
    s3 += data[i + 3]! * 0;
  }
  for (; i < n; i++) s0 += data[i]! * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/** The offset of the first NaN or infinite element, or -1 when every element is finite. */
export function firstNonFinite(data: ArrayLike<number>): number {
  if (allFinite(data)) return -1;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}
