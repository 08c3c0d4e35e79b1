// Recreating an optimizer from saved state: the plugin found by the saved name (among the
// plugins passed, the built-in ones by default), the saved options, then the state.
import { type Param, RnnkitError, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import { type BuiltInOptimizer, type BuiltInOptimizerName, BUILT_IN_OPTIMIZERS } from './built-in.js';
import { type Optimizer, createOptimizer } from './optimizer.js';
import { type AnyOptimizerPlugin, type OptionsOf, type StateOf, RUNNER_OPTION_KEYS } from './plugin.js';
import type { ParamCollection, RunnerOptions } from './runner-options.js';
import { builtInSchedule } from './schedules.js';
import { type OptimizerSnapshot, checkSnapshot } from './snapshot.js';

/** Options of {@link loadOptimizer}: the plugins to resolve the saved name with, and overrides. */
export interface LoadOptimizerOptions extends RunnerOptions {
  /**
   * The plugins the saved state may name: pass the ones of other packages you use (`lion`).
   * @defaultValue the built-in ones ({@link BUILT_IN_OPTIMIZERS})
   */
  readonly plugins?: readonly AnyOptimizerPlugin[];
}

const LOAD_KEYS = ['plugins', ...RUNNER_OPTION_KEYS] as const;
const BUILT_IN_PLUGINS: readonly AnyOptimizerPlugin[] = Object.values(BUILT_IN_OPTIMIZERS);

/**
 * Recreates an optimizer from `getState()` output: finds its plugin by name among
 * `plugins`, restores the saved options, learning rate (built-in schedules), clipping and
 * the set of updated parameters, then loads the state. Any {@link RunnerOptions} given
 * replace the saved ones (a custom schedule must be passed again as `learningRate`).
 */
export function loadOptimizer<Plugin extends AnyOptimizerPlugin = BuiltInOptimizer<BuiltInOptimizerName>>(
  snapshot: OptimizerSnapshot,
  params: ParamCollection,
  options: LoadOptimizerOptions & { readonly plugins?: readonly Plugin[] } = {},
): Optimizer<OptionsOf<Plugin>, StateOf<Plugin>> {
  const api = 'loadOptimizer';
  checkSnapshot(api, snapshot);
  checkOptionKeys(api, options, LOAD_KEYS);
  const { plugins = BUILT_IN_PLUGINS, ...overrides } = options;
  if (!Array.isArray(plugins)) {
    throw new RnnkitError(api, `plugins must be an array of optimizer plugins (e.g. [adam, lion]), got ${describeValue(plugins)}`);
  }
  const plugin = plugins.find((p) => p?.name === snapshot.optimizer);
  if (plugin === undefined) {
    const names = plugins.map((p) => `"${String(p?.name)}"`).join(', ');
    throw new RnnkitError(
      api,
      `saved state is for optimizer "${snapshot.optimizer}", which is not among the plugins passed (${
        names || 'none'
      }); pass its plugin in options.plugins`,
    );
  }
  let learningRate = overrides.learningRate;
  if (learningRate === undefined) {
    const saved = snapshot.learningRate;
    if (typeof saved === 'number') {
      learningRate = saved;
    } else {
      const schedule =
        typeof saved === 'object' && saved !== null ? builtInSchedule(saved.schedule, saved.config) : undefined;
      if (schedule === undefined) {
        throw new RnnkitError(
          api,
          `saved learning rate schedule ${JSON.stringify(
            (saved as { schedule?: unknown })?.schedule,
          )} is not built in; pass it again as options.learningRate`,
        );
      }
      learningRate = schedule;
    }
  }
  const savedKeys = new Set(Object.keys(snapshot.params));
  const runnerOptions: RunnerOptions = {
    learningRate,
    decay: overrides.decay ?? snapshot.decay,
    clipValue: overrides.clipValue ?? snapshot.clipValue ?? undefined,
    clipNorm: overrides.clipNorm ?? snapshot.clipNorm ?? undefined,
    globalClipNorm: overrides.globalClipNorm ?? snapshot.globalClipNorm ?? undefined,
    include: overrides.include ?? ((_param: Param, key: string) => savedKeys.has(key)),
    kernels: overrides.kernels,
  };
  const optimizer = createOptimizer(plugin, params, { ...snapshot.options, ...runnerOptions });
  optimizer.loadState(snapshot);
  return optimizer as Optimizer<OptionsOf<Plugin>, StateOf<Plugin>>;
}
