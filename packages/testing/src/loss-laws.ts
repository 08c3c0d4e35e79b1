import fc from 'fast-check';
import { type CheckGradientsOptions, checkGradients } from '@rnnkit/gradcheck';
import type { Tensor } from '@rnnkit/tensor';
import { type Law, identicalTensors, sameData, show } from './law-runner.js';

/**
 * The part of the loss contract the laws exercise — structurally the `Loss` of
 * `@rnnkit/losses`, so built-in losses and a user's own fit without importing that package.
 */
export interface LossUnderTest {
  readonly name: string;
  compute(predictions: Tensor, targets: Tensor): { readonly value: number; readonly grad: Tensor };
  value?(predictions: Tensor, targets: Tensor): number;
  getConfig?(): { readonly name: string };
}

/** Predictions and targets a loss accepts. */
export interface LossSample {
  readonly predictions: Tensor;
  readonly targets: Tensor;
}

/** What {@link lossLaws} needs to know about a loss. */
export interface LossLawsOptions<Config> {
  /** Names the loss in failure messages. */
  readonly name: string;
  /** Makes a loss of a configuration. */
  make(config: Config): LossUnderTest;
  /** Configurations to try. @defaultValue `fc.constant(undefined)` */
  readonly configArb?: fc.Arbitrary<Config>;
  /**
   * Valid samples for a configuration (or for every configuration). Keep them where the
   * loss is differentiable: probabilities away from 0 and 1, predictions away from the
   * targets for absolute errors. Predictions are converted to float64 for the gradient law.
   */
  readonly sampleArb: fc.Arbitrary<LossSample> | ((config: Config) => fc.Arbitrary<LossSample>);
  /** Rebuilds a loss from `getConfig()`; when given, the config round-trip law is included. */
  fromConfig?(config: { readonly name: string }): LossUnderTest;
  /** Options of the gradient check. @defaultValue checkGradients' defaults (eps 1e-6, rtol 1e-5, atol 1e-8) */
  readonly gradcheck?: CheckGradientsOptions;
}

interface LossCase<Config> {
  readonly config: Config;
  readonly sample: LossSample;
}

/**
 * Reusable laws every loss should obey, as fast-check properties over random
 * configurations and samples:
 *
 * - the gradient check: `grad` matches central differences of `value` in float64;
 * - the shape contract: `grad` has the predictions' shape and dtype, value and gradient
 *   are finite on valid samples;
 * - consistency: `value()` (when present) equals `compute().value`;
 * - purity: the inputs are left unchanged and a second call gives identical results;
 * - the config round-trip (with `fromConfig`): equal config, identical value and gradient.
 *
 * @example
 * runLaws(lossLaws({
 *   name: 'mse',
 *   make: () => meanSquaredError(),
 *   sampleArb: fc.integer().map((seed) => { … return { predictions, targets }; }),
 *   fromConfig: (config) => getLoss(config),
 * }), { numRuns: 30 });
 */
export function lossLaws<Config = undefined>(options: LossLawsOptions<Config>): Law[] {
  const { name, make, sampleArb, fromConfig, gradcheck = {} } = options;
  const configArb = options.configArb ?? (fc.constant(undefined) as unknown as fc.Arbitrary<Config>);
  const samples = typeof sampleArb === 'function' ? sampleArb : () => sampleArb;
  const cases: fc.Arbitrary<LossCase<Config>> = configArb.chain((config) =>
    samples(config).map((sample) => ({ config, sample })),
  );
  const where = (c: LossCase<Config>): string =>
    `${name} with config ${show(c.config)}, predictions ${show(c.sample.predictions)}, targets ${show(c.sample.targets)}`;

  const laws: Law[] = [
    {
      name: 'should match central differences in float64',
      property: fc.property(cases, (c) => {
        const loss = make(c.config);
        const predictions = c.sample.predictions.astype('float64');
        const { targets } = c.sample;
        const report = checkGradients(
          {
            params: [],
            input: predictions,
            loss: () => loss.compute(predictions, targets).value,
            gradients: () => {
              const { value, grad } = loss.compute(predictions, targets);
              return { loss: value, inputGrad: grad };
            },
          },
          gradcheck,
        );
        if (!report.passed) throw new Error(`${where(c)}:\n${report.format()}`);
      }),
    },
    {
      name: 'should return a finite value and a finite gradient shaped like the predictions',
      property: fc.property(cases, (c) => {
        const { predictions, targets } = c.sample;
        const { value, grad } = make(c.config).compute(predictions, targets);
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${where(c)}: value is ${value}`);
        const fits =
          grad.dtype === predictions.dtype &&
          grad.shape.length === predictions.shape.length &&
          grad.shape.every((d, i) => d === predictions.shape[i]);
        if (!fits) throw new Error(`${where(c)}: grad is ${show(grad)}`);
        for (let i = 0; i < grad.size; i++) {
          if (!Number.isFinite(grad.data[i])) throw new Error(`${where(c)}: grad[${i}] is ${grad.data[i]}`);
        }
      }),
    },
    {
      name: 'should return from value() what compute() returns as value',
      property: fc.property(cases, (c) => {
        const loss = make(c.config);
        if (loss.value === undefined) return;
        const { predictions, targets } = c.sample;
        const a = loss.value(predictions, targets);
        const b = loss.compute(predictions, targets).value;
        if (!(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)))) {
          throw new Error(`${where(c)}: value() ${a}, compute().value ${b}`);
        }
      }),
    },
    {
      name: 'should leave its inputs unchanged and give identical results when called again',
      property: fc.property(cases, (c) => {
        const loss = make(c.config);
        const { predictions, targets } = c.sample;
        const p = predictions.clone();
        const t = targets.clone();
        const first = loss.compute(predictions, targets);
        const second = loss.compute(predictions, targets);
        if (!identicalTensors(predictions, p) || !identicalTensors(targets, t)) {
          throw new Error(`${where(c)}: compute modified its inputs`);
        }
        if (!Object.is(first.value, second.value) || !identicalTensors(first.grad, second.grad)) {
          throw new Error(`${where(c)}: a second call gave another result`);
        }
      }),
    },
  ];

  if (fromConfig !== undefined) {
    laws.push({
      name: 'should rebuild an equal loss from its config',
      property: fc.property(cases, (c) => {
        const loss = make(c.config);
        if (loss.getConfig === undefined) throw new Error(`${where(c)}: fromConfig was given but the loss has no getConfig`);
        const config = loss.getConfig();
        const copy = fromConfig(JSON.parse(JSON.stringify(config)) as typeof config);
        const copyConfig = copy.getConfig?.();
        if (!sameData(copyConfig, config)) {
          throw new Error(`${where(c)}: config ${show(config)} came back as ${show(copyConfig)}`);
        }
        const { predictions, targets } = c.sample;
        const a = loss.compute(predictions, targets);
        const b = copy.compute(predictions, targets);
        if (!Object.is(a.value, b.value) || !identicalTensors(a.grad, b.grad)) {
          throw new Error(`${where(c)}: the rebuilt loss computes another result`);
        }
      }),
    });
  }
  return laws;
}
