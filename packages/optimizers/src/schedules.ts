import { RnnkitError, checkOptionKeys } from '@rnnkit/tensor';

/**
 * A learning rate that depends on how many steps have been taken.
 *
 * `valueAt(iteration)` receives the number of steps completed *before* the current one
 * (0 for the first step), as Keras' schedules receive `optimizer.iterations`. `name` and
 * `config` are plain data so the schedule can be saved with the optimizer state; the
 * built-in ones are restored from them by `loadOptimizer`.
 */
export interface LearningRateSchedule {
  readonly name: string;
  readonly config: Readonly<Record<string, number | boolean>>;
  valueAt(iteration: number): number;
}

function checkPositive(api: string, key: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RnnkitError(api, `${key} must be a finite number ${allowZero ? '≥' : '>'} 0, got ${String(value)}`);
  }
  return value;
}

function checkBoolean(api: string, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RnnkitError(api, `${key} must be a boolean, got ${String(value)}`);
  return value;
}

/** Checks a schedule's option keys (`initialLearningRate` and `keys`); returns its initial learning rate. */
function initialLearningRate(api: string, options: { readonly initialLearningRate: number }, keys: readonly string[]): number {
  checkOptionKeys(api, options, ['initialLearningRate', ...keys]);
  return checkPositive(api, 'initialLearningRate', options.initialLearningRate, true);
}

/** A built-in schedule: its saved form (name and config, frozen) and its rule. */
function builtIn(name: string, config: Record<string, number | boolean>, valueAt: (iteration: number) => number): LearningRateSchedule {
  return Object.freeze({ name, config: Object.freeze(config), valueAt });
}

/** Decay intervals of `decaySteps` completed after `iteration` steps: whole ones with `staircase`. */
function intervals(iteration: number, decaySteps: number, staircase: boolean): number {
  return staircase ? Math.floor(iteration / decaySteps) : iteration / decaySteps;
}

/** A learning rate that never changes. */
export function constantLearningRate(learningRate: number): LearningRateSchedule {
  const lr = checkPositive('constantLearningRate', 'learningRate', learningRate, true);
  return builtIn('constant', { learningRate: lr }, () => lr);
}

/** Options of {@link inverseTimeDecay}. */
export interface InverseTimeDecayOptions {
  /** The learning rate of the first step. */
  readonly initialLearningRate: number;
  /** How many steps one unit of `decayRate` takes. @defaultValue 1 */
  readonly decaySteps?: number;
  /** @defaultValue 1 */
  readonly decayRate?: number;
  /** Decay in whole intervals of `decaySteps` (`floor(t / decaySteps)`). @defaultValue false */
  readonly staircase?: boolean;
}

/**
 * `lr / (1 + decayRate · t / decaySteps)` (Keras' `InverseTimeDecay`). With `decaySteps` 1 it
 * is the `decay` of Keras' legacy optimizers, `lr / (1 + decay·t)`, which is also what the
 * runner's `decay` option applies.
 */
export function inverseTimeDecay(options: InverseTimeDecayOptions): LearningRateSchedule {
  const api = 'inverseTimeDecay';
  const lr = initialLearningRate(api, options, ['decaySteps', 'decayRate', 'staircase']);
  const decaySteps = checkPositive(api, 'decaySteps', options.decaySteps ?? 1);
  const decayRate = checkPositive(api, 'decayRate', options.decayRate ?? 1, true);
  const staircase = checkBoolean(api, 'staircase', options.staircase ?? false);
  return builtIn(api, { initialLearningRate: lr, decaySteps, decayRate, staircase }, (iteration) => lr / (1 + decayRate * intervals(iteration, decaySteps, staircase)));
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** The learning rate of the first step. */
  readonly initialLearningRate: number;
  /** Steps over which the rate is multiplied by `decayRate` once. */
  readonly decaySteps: number;
  /** The factor per `decaySteps` steps, e.g. 0.96. */
  readonly decayRate: number;
  /** Decay in whole intervals of `decaySteps`. @defaultValue false */
  readonly staircase?: boolean;
}

/** `lr · decayRate^(t / decaySteps)` (Keras' `ExponentialDecay`). */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  const api = 'exponentialDecay';
  const lr = initialLearningRate(api, options, ['decaySteps', 'decayRate', 'staircase']);
  const decaySteps = checkPositive(api, 'decaySteps', options.decaySteps);
  const decayRate = checkPositive(api, 'decayRate', options.decayRate);
  const staircase = checkBoolean(api, 'staircase', options.staircase ?? false);
  return builtIn(api, { initialLearningRate: lr, decaySteps, decayRate, staircase }, (iteration) => lr * decayRate ** intervals(iteration, decaySteps, staircase));
}

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** The learning rate of the first `stepSize` steps. */
  readonly initialLearningRate: number;
  /** After every `stepSize` steps the rate is multiplied by `factor`. */
  readonly stepSize: number;
  /** @defaultValue 0.1 */
  readonly factor?: number;
}

/** `lr · factor^floor(t / stepSize)`: drops by `factor` every `stepSize` steps (PyTorch's `StepLR`). */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  const api = 'stepDecay';
  const lr = initialLearningRate(api, options, ['stepSize', 'factor']);
  const stepSize = checkPositive(api, 'stepSize', options.stepSize);
  if (!Number.isInteger(stepSize)) throw new RnnkitError(api, `stepSize must be an integer, got ${stepSize}`);
  const factor = checkPositive(api, 'factor', options.factor ?? 0.1, true);
  return builtIn(api, { initialLearningRate: lr, stepSize, factor }, (iteration) => lr * factor ** Math.floor(iteration / stepSize));
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** The learning rate of the first step. */
  readonly initialLearningRate: number;
  /** Steps over which the rate falls along half a cosine to `alpha · initialLearningRate`. */
  readonly decaySteps: number;
  /** The final rate as a fraction of the initial one. @defaultValue 0 */
  readonly alpha?: number;
}

/**
 * `lr · ((1 − α) · ½(1 + cos(π · min(t, decaySteps) / decaySteps)) + α)` (Keras' `CosineDecay`,
 * Loshchilov & Hutter 2017 without restarts).
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const api = 'cosineDecay';
  const lr = initialLearningRate(api, options, ['decaySteps', 'alpha']);
  const decaySteps = checkPositive(api, 'decaySteps', options.decaySteps);
  const alpha = checkPositive(api, 'alpha', options.alpha ?? 0, true);
  if (alpha > 1) throw new RnnkitError(api, `alpha must be in [0, 1], got ${alpha}`);
  return builtIn(api, { initialLearningRate: lr, decaySteps, alpha }, (iteration) => {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * Math.min(iteration, decaySteps)) / decaySteps));
    return lr * ((1 - alpha) * cosine + alpha);
  });
}

/** Rebuilds a built-in schedule from its saved `name` and `config`, or undefined for others. */
export function builtInSchedule(name: string, config: Readonly<Record<string, unknown>>): LearningRateSchedule | undefined {
  switch (name) {
    case 'constant':
      return constantLearningRate(config.learningRate as number);
    case 'inverseTimeDecay':
      return inverseTimeDecay(config as unknown as InverseTimeDecayOptions);
    case 'exponentialDecay':
      return exponentialDecay(config as unknown as ExponentialDecayOptions);
    case 'stepDecay':
      return stepDecay(config as unknown as StepDecayOptions);
    case 'cosineDecay':
      return cosineDecay(config as unknown as CosineDecayOptions);
    default:
      return undefined;
  }
}
