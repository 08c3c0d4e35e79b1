import { describe, expectTypeOf, it } from 'vitest';
import { Param, zeros } from '@rnnkit/tensor';
import {
  type AdamOptions,
  type AdamState,
  type Optimizer,
  type SgdState,
  adam,
  createOptimizer,
  cosineDecay,
  defineOptimizer,
  loadOptimizer,
  sgd,
} from './index.js';

const params = [new Param('w', zeros([2, 2]))];

describe('createOptimizer options', () => {
  it('should accept the plugin options and the runner options', () => {
    const optimizer = createOptimizer(adam, params, {
      beta1: 0.8,
      amsgrad: true,
      learningRate: cosineDecay({ initialLearningRate: 0.01, decaySteps: 100 }),
      clipNorm: 1,
      include: (param) => param.value.rank === 2,
    });
    expectTypeOf(optimizer).toEqualTypeOf<Optimizer<AdamOptions, AdamState>>();
    expectTypeOf(optimizer.options.beta1).toEqualTypeOf<number>();
    expectTypeOf(optimizer.paramState('w')).toEqualTypeOf<AdamState | undefined>();
  });

  it('should not compile an unknown option', () => {
    createOptimizer(adam, params, {
      // @ts-expect-error beta3 is no option of adam
      beta3: 0.5,
    });
  });

  it("should not compile another optimizer's option", () => {
    createOptimizer(adam, params, {
      // @ts-expect-error momentum belongs to sgd, not adam
      momentum: 0.9,
    });
  });

  it('should not compile an option of the wrong type', () => {
    createOptimizer(sgd, params, {
      // @ts-expect-error nesterov is a boolean
      nesterov: 'yes',
    });
  });

  it('should not compile a learning rate that is neither a number nor a schedule', () => {
    createOptimizer(sgd, params, {
      // @ts-expect-error a string is no learning rate
      learningRate: '0.1',
    });
  });
});

describe('defineOptimizer', () => {
  it('should infer options from defaults and state from init', () => {
    const plugin = defineOptimizer({
      name: 'scaledSgd',
      defaults: { scale: 1 },
      init: (param) => ({ calls: 0, buffer: new Float64Array(param.value.size) }),
      update: ({ grad, lr, options, state, out }) => {
        expectTypeOf(options.scale).toEqualTypeOf<number>();
        expectTypeOf(state.buffer).toEqualTypeOf<Float64Array<ArrayBuffer>>();
        for (let i = 0; i < grad.length; i++) out[i] = -lr * options.scale * grad[i]!;
        return { update: out, state: { calls: state.calls + 1, buffer: state.buffer } };
      },
    });
    const optimizer = createOptimizer(plugin, params, { scale: 2 });
    expectTypeOf(optimizer.paramState('w')).toEqualTypeOf<{ calls: number; buffer: Float64Array<ArrayBuffer> } | undefined>();
  });

  it('should not compile an update that returns a state of the wrong type', () => {
    defineOptimizer({
      name: 'broken',
      defaults: {},
      init: (param): SgdState => ({ velocity: new Float32Array(param.value.size) }),
      update: ({ out }) => ({
        update: out,
        // @ts-expect-error the state must stay an SgdState
        state: { velocity: 1 },
      }),
    });
  });

  it('should not compile state that is not plain data', () => {
    defineOptimizer({
      name: 'mapState',
      defaults: {},
      // @ts-expect-error a Map cannot be saved as JSON
      init: () => ({ cache: new Map<string, number>() }),
      update: ({ out, state }) => ({ update: out, state }),
    });
  });

  it('should not compile reading an option the plugin does not define', () => {
    defineOptimizer({
      name: 'typo',
      defaults: { momentum: 0.9 },
      init: () => ({}),
      update: ({ out, state, options }) => {
        // @ts-expect-error momentun is a typo
        void options.momentun;
        return { update: out, state };
      },
    });
  });

  it('should not compile options that are not plain values', () => {
    defineOptimizer({
      name: 'functionOption',
      // @ts-expect-error an option must be a number, boolean or string
      defaults: { schedule: (t: number) => t },
      init: () => ({}),
      update: ({ out, state }) => ({ update: out, state }),
    });
  });
});

describe('loadOptimizer', () => {
  it('should type the optimizer by the plugins passed', () => {
    const saved = createOptimizer(adam, params).getState();
    const optimizer = loadOptimizer(saved, params, { plugins: [adam, sgd] });
    expectTypeOf(optimizer.name).toEqualTypeOf<string>();
    // Without plugins the built-in ones are searched.
    expectTypeOf(loadOptimizer(saved, params).name).toEqualTypeOf<string>();
    // @ts-expect-error learningrate is a typo of learningRate
    loadOptimizer(saved, params, { learningrate: 0.1 });
  });
});

describe('kernel declarations', () => {
  it("should only name the state's typed arrays as kernel slots, and type the scalars' options", () => {
    defineOptimizer({
      name: 'scaled',
      defaults: { scale: 1 },
      init: (param) => ({ buffer: new Float32Array(param.value.size), count: 0 }),
      update: ({ out, state }) => ({ update: out, state }),
      kernel: {
        name: 'scaled',
        slots: ['buffer'],
        scalarCount: 1,
        scalars: (options, _step, lr, out) => {
          expectTypeOf(options.scale).toEqualTypeOf<number>();
          out[0] = lr * options.scale;
        },
      },
    });
    defineOptimizer({
      name: 'scaled',
      defaults: { scale: 1 },
      init: (param) => ({ buffer: new Float32Array(param.value.size), count: 0 }),
      update: ({ out, state }) => ({ update: out, state }),
      kernel: {
        name: 'scaled',
        // @ts-expect-error count is a number, not an array a kernel could keep
        slots: ['count'],
        scalarCount: 0,
        scalars: () => undefined,
      },
    });
  });

  it('should give every optimizer its kernel name or null', () => {
    expectTypeOf(createOptimizer(sgd, params).kernel).toEqualTypeOf<string | null>();
  });
});
