// Optimizer updates of float32 parameters: SGD (momentum, Nesterov), RMSprop (centred,
// momentum), Adam and AdamW (AMSGrad), Adamax, Adagrad and Adadelta, compiled as a module of their own (this file is its entry
// point; scripts/compile-wasm.mjs builds it apart from assembly/index.ts), so that each
// optimizer gets a small instance whose memory holds its state and never grows after setup.
//
// Each kernel is the JavaScript update of @rnnkit/optimizers written again, operation for
// operation: the float32 values are widened to float64, every sum, product, quotient and
// square root is taken in float64 in the same order (two lanes at a time with f64x2, which
// rounds each operation exactly as the scalar one does: IEEE 754, no fused multiply–add),
// and results are rounded to float32 only where the JavaScript stores them in a
// Float32Array. So the values and state they leave are bit for bit those of the JS update
// (see optimizerKernelLaws in @rnnkit/testing).
//
// Every kernel writes the new values over `value` and returns 1 when all of them are
// finite in float32, 0 otherwise (x·0 is 0 for a finite x and NaN otherwise; the sums of
// those products are NaN once one is).

/** First byte after the module's static data (16-byte aligned): where the JavaScript side lays out the buffers. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(15 as usize);
}

// Four float32 lanes widened to two pairs of float64 lanes, and back (rounding to nearest).
function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1));
}
function narrow(lo: v128, hi: v128): v128 {
  return v128.shuffle<u32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
function loadF64(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}
function storeF32(p: usize, i: i32, x: f64): f32 {
  const y = <f32>x;
  store<f32>(p + (<usize>i << 2), y);
  return y;
}
/** 1 when no lane of the sum of x·0 products is NaN (every value was finite), else 0. */
function finite(lanes: v128, tail: f32): i32 {
  return v128.any_true(f32x4.ne(lanes, lanes)) || tail != tail ? 0 : 1;
}

/**
 * SGD, as the `update` of `sgd`: `s = lr·g`, `v = μ·velocity − s`, velocity ← v (float32);
 * the change is v, or with Nesterov `μ·velocity − s` with the velocity just stored (rounded);
 * value ← value + change.
 */
export function sgdF32(value: usize, grad: usize, velocity: usize, n: i32, momentum: f64, lr: f64, nesterov: i32): i32 {
  const vm = f64x2.splat(momentum);
  const vlr = f64x2.splat(lr);
  let check = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const old = v128.load(velocity + o);
    const sL = f64x2.mul(vlr, low(g));
    const sH = f64x2.mul(vlr, high(g));
    const vL = f64x2.sub(f64x2.mul(vm, low(old)), sL);
    const vH = f64x2.sub(f64x2.mul(vm, high(old)), sH);
    const stored = narrow(vL, vH);
    v128.store(velocity + o, stored);
    let cL = vL;
    let cH = vH;
    if (nesterov) {
      cL = f64x2.sub(f64x2.mul(vm, low(stored)), sL);
      cH = f64x2.sub(f64x2.mul(vm, high(stored)), sH);
    }
    const p = v128.load(value + o);
    const next = narrow(f64x2.add(low(p), cL), f64x2.add(high(p), cH));
    v128.store(value + o, next);
    check = f32x4.add(check, f32x4.mul(next, zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const s = lr * loadF64(grad, i);
    const v = momentum * loadF64(velocity, i) - s;
    const stored = <f64>storeF32(velocity, i, v);
    const change = nesterov ? momentum * stored - s : v;
    tail += storeF32(value, i, loadF64(value, i) + change) * 0;
  }
  return finite(check, tail);
}

/**
 * RMSprop without centring or momentum, as `rmsprop`'s default loop:
 * `ms = ρ·ms + keep·g·g` (stored), value ← value − lr·g/√(ms + ε).
 */
function rmspropPlain(value: usize, grad: usize, meanSquare: usize, n: i32, rho: f64, keep: f64, epsilon: f64, lr: f64): i32 {
  const vrho = f64x2.splat(rho);
  const vkeep = f64x2.splat(keep);
  const veps = f64x2.splat(epsilon);
  const vlr = f64x2.splat(lr);
  let check = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const ms = v128.load(meanSquare + o);
    const p = v128.load(value + o);
    const gL = low(g);
    const gH = high(g);
    const sL = f64x2.add(f64x2.mul(vrho, low(ms)), f64x2.mul(f64x2.mul(vkeep, gL), gL));
    const sH = f64x2.add(f64x2.mul(vrho, high(ms)), f64x2.mul(f64x2.mul(vkeep, gH), gH));
    v128.store(meanSquare + o, narrow(sL, sH));
    const nL = f64x2.sub(low(p), f64x2.div(f64x2.mul(vlr, gL), f64x2.sqrt(f64x2.add(sL, veps))));
    const nH = f64x2.sub(high(p), f64x2.div(f64x2.mul(vlr, gH), f64x2.sqrt(f64x2.add(sH, veps))));
    const next = narrow(nL, nH);
    v128.store(value + o, next);
    check = f32x4.add(check, f32x4.mul(next, zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const g = loadF64(grad, i);
    const ms = rho * loadF64(meanSquare, i) + keep * g * g;
    storeF32(meanSquare, i, ms);
    tail += storeF32(value, i, loadF64(value, i) - (lr * g) / Math.sqrt(ms + epsilon)) * 0;
  }
  return finite(check, tail);
}

/**
 * RMSprop, as `rmsprop`'s update: `ms = ρ·ms + keep·g·g` (stored), `d = ms + ε`; centred:
 * `mg = ρ·mg + keep·g` (stored), `d = d − mg·mg`; `Δ = lr·g/√d`; with momentum μ > 0:
 * `b = μ·b + Δ` (stored), value ← value − b, else value ← value − Δ.
 */
export function rmspropF32(
  value: usize,
  grad: usize,
  meanSquare: usize,
  meanGradient: usize,
  buffer: usize,
  n: i32,
  rho: f64,
  keep: f64,
  momentum: f64,
  epsilon: f64,
  centered: i32,
  lr: f64,
): i32 {
  const withMomentum = momentum > 0;
  if (!centered && !withMomentum) return rmspropPlain(value, grad, meanSquare, n, rho, keep, epsilon, lr);
  const vrho = f64x2.splat(rho);
  const vkeep = f64x2.splat(keep);
  const veps = f64x2.splat(epsilon);
  const vlr = f64x2.splat(lr);
  const vm = f64x2.splat(momentum);
  let check = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const ms = v128.load(meanSquare + o);
    const gL = low(g);
    const gH = high(g);
    const sL = f64x2.add(f64x2.mul(vrho, low(ms)), f64x2.mul(f64x2.mul(vkeep, gL), gL));
    const sH = f64x2.add(f64x2.mul(vrho, high(ms)), f64x2.mul(f64x2.mul(vkeep, gH), gH));
    v128.store(meanSquare + o, narrow(sL, sH));
    let dL = f64x2.add(sL, veps);
    let dH = f64x2.add(sH, veps);
    if (centered) {
      const mg = v128.load(meanGradient + o);
      const mL = f64x2.add(f64x2.mul(vrho, low(mg)), f64x2.mul(vkeep, gL));
      const mH = f64x2.add(f64x2.mul(vrho, high(mg)), f64x2.mul(vkeep, gH));
      v128.store(meanGradient + o, narrow(mL, mH));
      dL = f64x2.sub(dL, f64x2.mul(mL, mL));
      dH = f64x2.sub(dH, f64x2.mul(mH, mH));
    }
    let cL = f64x2.div(f64x2.mul(vlr, gL), f64x2.sqrt(dL));
    let cH = f64x2.div(f64x2.mul(vlr, gH), f64x2.sqrt(dH));
    if (withMomentum) {
      const b = v128.load(buffer + o);
      cL = f64x2.add(f64x2.mul(vm, low(b)), cL);
      cH = f64x2.add(f64x2.mul(vm, high(b)), cH);
      v128.store(buffer + o, narrow(cL, cH));
    }
    const p = v128.load(value + o);
    const next = narrow(f64x2.sub(low(p), cL), f64x2.sub(high(p), cH));
    v128.store(value + o, next);
    check = f32x4.add(check, f32x4.mul(next, zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const g = loadF64(grad, i);
    const ms = rho * loadF64(meanSquare, i) + keep * g * g;
    storeF32(meanSquare, i, ms);
    let d = ms + epsilon;
    if (centered) {
      const mg = rho * loadF64(meanGradient, i) + keep * g;
      storeF32(meanGradient, i, mg);
      d -= mg * mg;
    }
    let change = (lr * g) / Math.sqrt(d);
    if (withMomentum) {
      change = momentum * loadF64(buffer, i) + change;
      storeF32(buffer, i, change);
    }
    tail += storeF32(value, i, loadF64(value, i) - change) * 0;
  }
  return finite(check, tail);
}

/**
 * Adam and AdamW, as the updates of `adam` and `adamw`: `m = β1·m + keep1·g`,
 * `v = β2·v + keep2·g·g` (both stored); AMSGrad: `d = max(vMax, v)` (stored), else `d = v`;
 * the change `c = scale·m/(√d + ε)` with `scale = −lr_t` computed on the JavaScript side;
 * AdamW, when its decay `lr·λ` (computed there too) is not 0: `c = c − decay·value` with the
 * value before the step (Adam passes 0: no decay term, as `adamw` skips it then);
 * value ← value + c.
 */
export function adamF32(
  value: usize,
  grad: usize,
  m: usize,
  v: usize,
  vMax: usize,
  n: i32,
  beta1: f64,
  beta2: f64,
  keep1: f64,
  keep2: f64,
  scale: f64,
  epsilon: f64,
  amsgrad: i32,
  decay: f64,
): i32 {
  const decays = decay != 0;
  const vb1 = f64x2.splat(beta1);
  const vb2 = f64x2.splat(beta2);
  const vk1 = f64x2.splat(keep1);
  const vk2 = f64x2.splat(keep2);
  const vscale = f64x2.splat(scale);
  const veps = f64x2.splat(epsilon);
  const vdecay = f64x2.splat(decay);
  let check = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const gL = low(g);
    const gH = high(g);
    const m4 = v128.load(m + o);
    const v4 = v128.load(v + o);
    const mL = f64x2.add(f64x2.mul(vb1, low(m4)), f64x2.mul(vk1, gL));
    const mH = f64x2.add(f64x2.mul(vb1, high(m4)), f64x2.mul(vk1, gH));
    let dL = f64x2.add(f64x2.mul(vb2, low(v4)), f64x2.mul(f64x2.mul(vk2, gL), gL));
    let dH = f64x2.add(f64x2.mul(vb2, high(v4)), f64x2.mul(f64x2.mul(vk2, gH), gH));
    v128.store(m + o, narrow(mL, mH));
    v128.store(v + o, narrow(dL, dH));
    if (amsgrad) {
      const x4 = v128.load(vMax + o);
      dL = f64x2.max(low(x4), dL);
      dH = f64x2.max(high(x4), dH);
      v128.store(vMax + o, narrow(dL, dH));
    }
    let cL = f64x2.div(f64x2.mul(vscale, mL), f64x2.add(f64x2.sqrt(dL), veps));
    let cH = f64x2.div(f64x2.mul(vscale, mH), f64x2.add(f64x2.sqrt(dH), veps));
    const p = v128.load(value + o);
    const pL = low(p);
    const pH = high(p);
    if (decays) {
      cL = f64x2.sub(cL, f64x2.mul(vdecay, pL));
      cH = f64x2.sub(cH, f64x2.mul(vdecay, pH));
    }
    const next = narrow(f64x2.add(pL, cL), f64x2.add(pH, cH));
    v128.store(value + o, next);
    check = f32x4.add(check, f32x4.mul(next, zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const g = loadF64(grad, i);
    const mi = beta1 * loadF64(m, i) + keep1 * g;
    let d = beta2 * loadF64(v, i) + keep2 * g * g;
    storeF32(m, i, mi);
    storeF32(v, i, d);
    if (amsgrad) {
      d = Math.max(loadF64(vMax, i), d);
      storeF32(vMax, i, d);
    }
    const p = loadF64(value, i);
    let change = (scale * mi) / (Math.sqrt(d) + epsilon);
    if (decays) change = change - decay * p;
    tail += storeF32(value, i, p + change) * 0;
  }
  return finite(check, tail);
}

/**
 * Adamax, as `adamax`'s update: `m = β1·m + keep1·g`, `u = max(β2·u, |g|)` (both stored);
 * value ← value + scale·m/(u + ε) with `scale = −lr/(1−β1^t)` computed on the JavaScript side.
 */
export function adamaxF32(
  value: usize,
  grad: usize,
  m: usize,
  u: usize,
  n: i32,
  beta1: f64,
  keep1: f64,
  beta2: f64,
  scale: f64,
  epsilon: f64,
): i32 {
  const vb1 = f64x2.splat(beta1);
  const vk1 = f64x2.splat(keep1);
  const vb2 = f64x2.splat(beta2);
  const vscale = f64x2.splat(scale);
  const veps = f64x2.splat(epsilon);
  let check = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const gL = low(g);
    const gH = high(g);
    const m4 = v128.load(m + o);
    const u4 = v128.load(u + o);
    const mL = f64x2.add(f64x2.mul(vb1, low(m4)), f64x2.mul(vk1, gL));
    const mH = f64x2.add(f64x2.mul(vb1, high(m4)), f64x2.mul(vk1, gH));
    const uL = f64x2.max(f64x2.mul(vb2, low(u4)), f64x2.abs(gL));
    const uH = f64x2.max(f64x2.mul(vb2, high(u4)), f64x2.abs(gH));
    v128.store(m + o, narrow(mL, mH));
    v128.store(u + o, narrow(uL, uH));
    const cL = f64x2.div(f64x2.mul(vscale, mL), f64x2.add(uL, veps));
    const cH = f64x2.div(f64x2.mul(vscale, mH), f64x2.add(uH, veps));
    const p = v128.load(value + o);
    const next = narrow(f64x2.add(low(p), cL), f64x2.add(high(p), cH));
    v128.store(value + o, next);
    check = f32x4.add(check, f32x4.mul(next, zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const g = loadF64(grad, i);
    const mi = beta1 * loadF64(m, i) + keep1 * g;
    const ui = Math.max(beta2 * loadF64(u, i), Math.abs(g));
    storeF32(m, i, mi);
    storeF32(u, i, ui);
    tail += storeF32(value, i, loadF64(value, i) + (scale * mi) / (ui + epsilon)) * 0;
  }
  return finite(check, tail);
}

/**
 * Adagrad, as `adagrad`'s update: `a = a + g·g` (stored); value ← value + (−lr·g)/√(a + ε)
 * with `−lr` negated on the JavaScript side (exactly).
 */
export function adagradF32(value: usize, grad: usize, accumulator: usize, n: i32, negLr: f64, epsilon: f64): i32 {
  const vlr = f64x2.splat(negLr);
  const veps = f64x2.splat(epsilon);
  let check = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const gL = low(g);
    const gH = high(g);
    const a4 = v128.load(accumulator + o);
    const aL = f64x2.add(low(a4), f64x2.mul(gL, gL));
    const aH = f64x2.add(high(a4), f64x2.mul(gH, gH));
    v128.store(accumulator + o, narrow(aL, aH));
    const cL = f64x2.div(f64x2.mul(vlr, gL), f64x2.sqrt(f64x2.add(aL, veps)));
    const cH = f64x2.div(f64x2.mul(vlr, gH), f64x2.sqrt(f64x2.add(aH, veps)));
    const p = v128.load(value + o);
    const next = narrow(f64x2.add(low(p), cL), f64x2.add(high(p), cH));
    v128.store(value + o, next);
    check = f32x4.add(check, f32x4.mul(next, zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const g = loadF64(grad, i);
    const a = loadF64(accumulator, i) + g * g;
    storeF32(accumulator, i, a);
    tail += storeF32(value, i, loadF64(value, i) + (negLr * g) / Math.sqrt(a + epsilon)) * 0;
  }
  return finite(check, tail);
}

/**
 * Adadelta, as `adadelta`'s update: `msg = ρ·msg + keep·g·g` (stored),
 * `Δ = (−√(msd + ε)/√(msg + ε))·g` with the stored msd, `msd = ρ·msd + keep·Δ·Δ` (stored);
 * value ← value + lr·Δ.
 */
export function adadeltaF32(
  value: usize,
  grad: usize,
  meanSquareGradient: usize,
  meanSquareDelta: usize,
  n: i32,
  rho: f64,
  keep: f64,
  epsilon: f64,
  lr: f64,
): i32 {
  const vrho = f64x2.splat(rho);
  const vkeep = f64x2.splat(keep);
  const veps = f64x2.splat(epsilon);
  const vlr = f64x2.splat(lr);
  let check = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const gL = low(g);
    const gH = high(g);
    const s4 = v128.load(meanSquareGradient + o);
    const sL = f64x2.add(f64x2.mul(vrho, low(s4)), f64x2.mul(f64x2.mul(vkeep, gL), gL));
    const sH = f64x2.add(f64x2.mul(vrho, high(s4)), f64x2.mul(f64x2.mul(vkeep, gH), gH));
    v128.store(meanSquareGradient + o, narrow(sL, sH));
    const d4 = v128.load(meanSquareDelta + o);
    const xL = low(d4);
    const xH = high(d4);
    const deltaL = f64x2.mul(f64x2.div(f64x2.neg(f64x2.sqrt(f64x2.add(xL, veps))), f64x2.sqrt(f64x2.add(sL, veps))), gL);
    const deltaH = f64x2.mul(f64x2.div(f64x2.neg(f64x2.sqrt(f64x2.add(xH, veps))), f64x2.sqrt(f64x2.add(sH, veps))), gH);
    const yL = f64x2.add(f64x2.mul(vrho, xL), f64x2.mul(f64x2.mul(vkeep, deltaL), deltaL));
    const yH = f64x2.add(f64x2.mul(vrho, xH), f64x2.mul(f64x2.mul(vkeep, deltaH), deltaH));
    v128.store(meanSquareDelta + o, narrow(yL, yH));
    const p = v128.load(value + o);
    const next = narrow(f64x2.add(low(p), f64x2.mul(vlr, deltaL)), f64x2.add(high(p), f64x2.mul(vlr, deltaH)));
    v128.store(value + o, next);
    check = f32x4.add(check, f32x4.mul(next, zero));
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const g = loadF64(grad, i);
    const msg = rho * loadF64(meanSquareGradient, i) + keep * g * g;
    storeF32(meanSquareGradient, i, msg);
    const msd = loadF64(meanSquareDelta, i);
    const delta = (-Math.sqrt(msd + epsilon) / Math.sqrt(msg + epsilon)) * g;
    storeF32(meanSquareDelta, i, rho * msd + keep * delta * delta);
    tail += storeF32(value, i, loadF64(value, i) + lr * delta) * 0;
  }
  return finite(check, tail);
}
