import {
  Random,
  RnnkitError,
  type Shape,
  type Tensor,
  type TypedArray,
  checkOptionKeys,
  formatShape,
  sameShape,
  shapeSize,
} from '@rnnkit/tensor';
import type { GradientSubject } from './subject.js';

const API = 'checkGradients';

/** Options of {@link checkGradients}. */
export interface CheckGradientsOptions {
  /**
   * Step of the central difference `(L(θ + ε) − L(θ − ε)) / 2ε`. Its truncation error grows
   * with ε² and its rounding error with (machine epsilon)/ε, so 1e-6 balances the two in
   * float64 for losses of order one.
   * @defaultValue 1e-6
   */
  readonly eps?: number;
  /** Relative tolerance of the comparison (as numpy's `isclose`). @defaultValue 1e-5 */
  readonly rtol?: number;
  /** Absolute tolerance of the comparison (as numpy's `isclose`). @defaultValue 1e-8 */
  readonly atol?: number;
  /**
   * Check at most this many elements of each parameter (and of the input), chosen at random
   * from `seed`; every element when omitted. Large layers are checked in seconds this way.
   * @defaultValue undefined (every element)
   */
  readonly sample?: number;
  /** Seed of the {@link Random} that picks the sampled elements. @defaultValue 0 */
  readonly seed?: number;
  /**
   * Check float32 parameters or inputs anyway. Off by default because central differences
   * in float32 are dominated by rounding: a correct gradient can fail and a wrong one pass.
   * @defaultValue false
   */
  readonly allowFloat32?: boolean;
}

/**
 * The tolerances of the reference gradient check of experiment 4 (docs/experiments.md): central
 * differences with ε = 1e-7, compared under numpy's `isclose` defaults rtol = 1e-5,
 * atol = 1e-8. Use it as `checkGradients(subject, experiment4Preset)` or spread it:
 * `{ ...experiment4Preset, sample: 20 }`.
 */
export const experiment4Preset: Readonly<Required<Pick<CheckGradientsOptions, 'eps' | 'rtol' | 'atol'>>> =
  Object.freeze({ eps: 1e-7, rtol: 1e-5, atol: 1e-8 });

/** The result of checking one parameter (or the input). */
export interface GradientEntry {
  /** The parameter's name, or `"input"`. */
  readonly name: string;
  /** Whether this entry is a parameter or the subject's input. */
  readonly kind: 'param' | 'input';
  readonly shape: Shape;
  /** Number of elements compared (all of them unless `sample` was given). */
  readonly checked: number;
  /** Number of compared elements outside the tolerance. */
  readonly failures: number;
  /** Largest `|analytic − numeric|` over the compared elements. */
  readonly maxAbsError: number;
  /** Largest `|analytic − numeric| / max(|analytic|, |numeric|)` (0 where both are 0). */
  readonly maxRelError: number;
  /**
   * Multi-index of the worst element: the one furthest outside (or closest to leaving) the
   * tolerance, i.e. with the largest `|analytic − numeric| / (atol + rtol·|numeric|)`.
   * Empty when no element was compared.
   */
  readonly worstIndex: readonly number[];
  /** Analytic (backprop) gradient at `worstIndex` (NaN when nothing was compared). */
  readonly worstAnalytic: number;
  /** Central-difference gradient at `worstIndex` (NaN when nothing was compared). */
  readonly worstNumeric: number;
  /** True when every compared element is within tolerance. */
  readonly passed: boolean;
}

/** What {@link checkGradients} found: one entry per parameter and for the input. */
export interface GradientReport {
  /** True when every entry passed. */
  readonly passed: boolean;
  readonly entries: readonly GradientEntry[];
  /** Largest absolute error over all entries. */
  readonly maxAbsError: number;
  /** Largest relative error over all entries. */
  readonly maxRelError: number;
  /** The loss at the unperturbed parameters, as `gradients()` returned it. */
  readonly loss: number;
  /** The options the check ran with, defaults filled in. */
  readonly options: Readonly<Required<Omit<CheckGradientsOptions, 'sample'>>> & { readonly sample?: number };
  /** An aligned table, one row per entry with PASS/FAIL, and a summary line. */
  format(): string;
  /** Same as {@link GradientReport.format}. */
  toString(): string;
}

const KNOWN_OPTIONS = ['eps', 'rtol', 'atol', 'sample', 'seed', 'allowFloat32'] as const;

/**
 * Compares a subject's backprop gradients with central differences.
 *
 * For every element θ of every parameter (or a seeded sample of them) and of the input, the
 * numeric gradient is `(L(θ + ε) − L(θ − ε)) / (θ₊ − θ₋)`, where θ₊ and θ₋ are the values
 * actually stored (so rounding of the step itself does not count as error); each element is
 * restored to its exact original value afterwards. An element passes when
 * `|analytic − numeric| ≤ atol + rtol·|numeric|` (numpy's `isclose`).
 *
 * The subject's `loss()` must recompute everything from the current values of its
 * parameters and input each time it is called.
 *
 * @example
 * const report = checkGradients(subject, { sample: 50 });
 * console.log(report.format());
 * if (!report.passed) throw new Error('wrong gradients');
 */
export function checkGradients(subject: GradientSubject, options: CheckGradientsOptions = {}): GradientReport {
  const resolved = resolveOptions(options);
  checkSubject(subject, resolved.allowFloat32);

  // Analytic gradients first, copied: the loss evaluations below must not be able to change them.
  const result = subject.gradients();
  if (result === null || typeof result !== 'object' || typeof result.loss !== 'number') {
    throw new RnnkitError(API, 'subject.gradients() must return { loss: number, inputGrad? }');
  }
  const analytic = subject.params.map((p) => Float64Array.from(p.grad.data));
  let inputAnalytic: Float64Array | undefined;
  if (subject.input !== undefined) {
    const inputGrad = result.inputGrad;
    if (inputGrad === undefined) {
      throw new RnnkitError(API, 'the subject has an input but gradients() returned no inputGrad');
    }
    if (!sameShape(inputGrad.shape, subject.input.shape)) {
      throw new RnnkitError(
        API,
        `inputGrad has shape ${formatShape(inputGrad.shape)}, expected the input's shape ${formatShape(subject.input.shape)}`,
      );
    }
    inputAnalytic = Float64Array.from(inputGrad.data);
  }

  const random = new Random(resolved.seed);
  const loss = (): number => {
    const value = subject.loss();
    if (typeof value !== 'number') {
      throw new RnnkitError(API, `subject.loss() must return a number, got ${typeof value}`);
    }
    return value;
  };

  const entries: GradientEntry[] = subject.params.map((p, k) =>
    checkTensor(p.name, 'param', p.value, analytic[k]!, loss, random, resolved),
  );
  if (subject.input !== undefined && inputAnalytic !== undefined) {
    entries.push(checkTensor('input', 'input', subject.input, inputAnalytic, loss, random, resolved));
  }
  return makeReport(entries, result.loss, resolved);
}

type ResolvedOptions = GradientReport['options'];

function resolveOptions(options: CheckGradientsOptions): ResolvedOptions {
  checkOptionKeys(API, options, KNOWN_OPTIONS);
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-8, sample, seed = 0, allowFloat32 = false } = options;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new RnnkitError(API, `eps must be a finite number > 0, got ${String(eps)}`);
  }
  for (const [name, value] of [['rtol', rtol], ['atol', atol]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RnnkitError(API, `${name} must be a finite number ≥ 0, got ${String(value)}`);
    }
  }
  if (sample !== undefined && (!Number.isInteger(sample) || sample < 1)) {
    throw new RnnkitError(API, `sample must be a positive integer, got ${String(sample)}`);
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RnnkitError(API, `seed must be a finite number, got ${String(seed)}`);
  }
  if (typeof allowFloat32 !== 'boolean') {
    throw new RnnkitError(API, `allowFloat32 must be a boolean, got ${typeof allowFloat32}`);
  }
  return sample === undefined
    ? { eps, rtol, atol, seed, allowFloat32 }
    : { eps, rtol, atol, sample, seed, allowFloat32 };
}

function checkSubject(subject: GradientSubject, allowFloat32: boolean): void {
  if (
    subject === null ||
    typeof subject !== 'object' ||
    !Array.isArray(subject.params) ||
    typeof subject.loss !== 'function' ||
    typeof subject.gradients !== 'function'
  ) {
    throw new RnnkitError(API, 'expected a subject with params (an array), loss() and gradients()');
  }
  const refuse = (what: string): never => {
    throw new RnnkitError(
      API,
      `${what} is float32. Central differences in float32 are dominated by rounding ` +
        '(about 1e-7 relative per value, divided by eps), so a correct gradient can fail and a ' +
        'wrong one pass. Build the subject in float64 (dtype: "float64"), or pass ' +
        '{ allowFloat32: true } with looser tolerances to check it anyway.',
    );
  };
  for (const p of subject.params) {
    if (!allowFloat32 && p.value.dtype === 'float32') refuse(`parameter "${p.name}"`);
  }
  if (subject.input !== undefined && !allowFloat32 && subject.input.dtype === 'float32') refuse('the input');
}

function checkTensor(
  name: string,
  kind: 'param' | 'input',
  value: Tensor,
  analytic: Float64Array,
  loss: () => number,
  random: Random,
  options: ResolvedOptions,
): GradientEntry {
  const { eps, rtol, atol } = options;
  const data: TypedArray = value.data;
  const indices = chooseIndices(data.length, options.sample, random);
  let maxAbsError = 0;
  let maxRelError = 0;
  let failures = 0;
  let worst = -1;
  let worstScore = -1;
  let worstNumeric = NaN;
  for (const i of indices) {
    const original = data[i]!;
    let plus: number;
    let minus: number;
    let lossPlus: number;
    let lossMinus: number;
    try {
      data[i] = original + eps;
      plus = data[i]!; // the value actually stored (rounded to the dtype)
      lossPlus = loss();
      data[i] = original - eps;
      minus = data[i]!;
      lossMinus = loss();
    } finally {
      data[i] = original; // exactly representable: it was read from this array
    }
    if (plus === minus) {
      throw new RnnkitError(
        API,
        `eps ${eps} is too small to change element ${formatShape(unravel(i, value.shape))} of "${name}" ` +
          `(value ${original}, ${value.dtype})`,
      );
    }
    const numeric = (lossPlus - lossMinus) / (plus - minus);
    const a = analytic[i]!;
    const absError = Math.abs(a - numeric);
    const scale = Math.max(Math.abs(a), Math.abs(numeric));
    const relError = scale === 0 ? absError : absError / scale;
    const close = absError <= atol + rtol * Math.abs(numeric); // false for NaN, as in numpy
    if (!close) failures++;
    const score = violation(absError, atol + rtol * Math.abs(numeric));
    if (score > worstScore) {
      worstScore = score;
      worst = i;
      worstNumeric = numeric;
    }
    maxAbsError = Math.max(maxAbsError, absError); // Math.max keeps a NaN, which must show
    maxRelError = Math.max(maxRelError, relError);
  }
  return {
    name,
    kind,
    shape: value.shape,
    checked: indices.length,
    failures,
    maxAbsError,
    maxRelError,
    worstIndex: worst < 0 ? [] : unravel(worst, value.shape),
    worstAnalytic: worst < 0 ? NaN : analytic[worst]!,
    worstNumeric,
    passed: failures === 0,
  };
}

/** Every flat index, or `sample` distinct ones (partial Fisher–Yates), in increasing order. */
function chooseIndices(size: number, sample: number | undefined, random: Random): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (sample === undefined || sample >= size) return all;
  for (let k = 0; k < sample; k++) {
    const j = random.integer(k, size);
    const tmp = all[k]!;
    all[k] = all[j]!;
    all[j] = tmp;
  }
  return all.slice(0, sample).sort((a, b) => a - b);
}

function unravel(flat: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const length = shape[axis]!;
    index[axis] = flat % length;
    flat = Math.floor(flat / length);
  }
  return index;
}

/** How far an error is from its tolerance (> 1 fails); NaN errors count as infinitely bad. */
function violation(absError: number, tolerance: number): number {
  if (Number.isNaN(absError)) return Infinity;
  if (tolerance === 0) return absError === 0 ? 0 : Infinity;
  const score = absError / tolerance;
  return Number.isNaN(score) ? Infinity : score;
}

function makeReport(entries: GradientEntry[], loss: number, options: ResolvedOptions): GradientReport {
  let maxAbsError = 0;
  let maxRelError = 0;
  for (const e of entries) {
    maxAbsError = Math.max(maxAbsError, e.maxAbsError);
    maxRelError = Math.max(maxRelError, e.maxRelError);
  }
  const report: GradientReport = {
    passed: entries.every((e) => e.passed),
    entries,
    maxAbsError,
    maxRelError,
    loss,
    options,
    format: () => formatReport(report),
    toString: () => formatReport(report),
  };
  return report;
}

function formatError(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === 0) return '0';
  return v.toExponential(2);
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return v.toExponential(6);
}

/** A setting as a person writes it: `1e-6`, `0.5`. */
function formatSetting(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** Renders the report as an aligned text table with a summary line. */
function formatReport(report: GradientReport): string {
  const { eps, rtol, atol, sample, seed } = report.options;
  const header = ['name', 'shape', 'checked', 'max abs err', 'max rel err', 'worst index', 'analytic', 'numeric', 'result'];
  const rows = report.entries.map((e) => [
    e.name,
    formatShape(e.shape),
    `${e.checked}/${shapeSize(e.shape)}`,
    formatError(e.maxAbsError),
    formatError(e.maxRelError),
    e.worstIndex.length === 0 && e.checked === 0 ? '-' : formatShape(e.worstIndex),
    e.checked === 0 ? '-' : formatValue(e.worstAnalytic),
    e.checked === 0 ? '-' : formatValue(e.worstNumeric),
    e.passed ? 'PASS' : `FAIL (${e.failures})`,
  ]);
  const numeric = new Set([2, 3, 4, 6, 7]); // right-aligned columns
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const passedCount = report.entries.filter((e) => e.passed).length;
  const checked = report.entries.reduce((n, e) => n + e.checked, 0);
  const settings = `eps ${formatSetting(eps)}, rtol ${formatSetting(rtol)}, atol ${formatSetting(atol)}${sample === undefined ? '' : `, sample ${sample} (seed ${seed})`}`;
  return [
    `Gradient check (${settings})`,
    line(header),
    ...rows.map(line),
    `${report.passed ? 'PASSED' : 'FAILED'}: ${passedCount} of ${report.entries.length} entries passed, ` +
      `${checked} elements checked; max abs error ${formatError(report.maxAbsError)}, ` +
      `max rel error ${formatError(report.maxRelError)}`,
  ].join('\n');
}
