// An optimizer's state as plain data: the snapshot's format, the check that something looks
// like one, and the per-parameter part — plugin state encoded to JSON-safe values on save, and
// on load matched to the parameters by name and shape, decoded and checked against a fresh state.
import { type Param, RnnkitError, describeValue, formatShape } from '@rnnkit/tensor';
import type { OptionValue, StateValue } from './plugin.js';
import { type JsonValue, checkSameStructure, decodeState, encodeState } from './state.js';

/** The saved learning rate: a number, or a schedule by name and configuration. */
export type SavedLearningRate =
  | number
  | { readonly schedule: string; readonly config: Readonly<Record<string, number | boolean>> };

/** An optimizer's complete state as plain JSON-safe data (`JSON.stringify` it as it is). */
export interface OptimizerSnapshot {
  readonly format: 'rnnkit.optimizer';
  readonly version: 1;
  /** The plugin's `name`. */
  readonly optimizer: string;
  /** Steps taken. */
  readonly iterations: number;
  /** True when `beforeGradient()` moved the values and `step()` has not run yet. */
  readonly lookaheadApplied: boolean;
  /** The plugin's options in effect. */
  readonly options: Readonly<Record<string, OptionValue>>;
  readonly learningRate: SavedLearningRate;
  readonly decay: number;
  readonly clipValue: number | null;
  readonly clipNorm: number | null;
  readonly globalClipNorm: number | null;
  /** Per included parameter, keyed by name: its shape and the plugin's encoded state. */
  readonly params: Readonly<Record<string, { readonly shape: readonly number[]; readonly state: JsonValue }>>;
}

/** Throws unless `snapshot` looks like `getState()` output (its parameters are checked on load). */
export function checkSnapshot(api: string, snapshot: OptimizerSnapshot): void {
  if (typeof snapshot !== 'object' || snapshot === null || snapshot.format !== 'rnnkit.optimizer') {
    throw new RnnkitError(api, `expected a saved optimizer state (format "rnnkit.optimizer"), got ${describeValue(snapshot)}`);
  }
  if (snapshot.version !== 1) {
    throw new RnnkitError(api, `saved optimizer state has version ${String(snapshot.version)}; this version reads 1`);
  }
  if (!Number.isInteger(snapshot.iterations) || snapshot.iterations < 0) {
    throw new RnnkitError(api, `iterations must be an integer ≥ 0, got ${describeValue(snapshot.iterations)}`);
  }
  if (typeof snapshot.lookaheadApplied !== 'boolean') {
    throw new RnnkitError(api, `lookaheadApplied must be a boolean, got ${describeValue(snapshot.lookaheadApplied)}`);
  }
  if (typeof snapshot.params !== 'object' || snapshot.params === null) {
    throw new RnnkitError(api, `params must be an object keyed by parameter name, got ${describeValue(snapshot.params)}`);
  }
}

/** The part of the runner's per-parameter record that saving and loading read. */
export interface SnapshotSlot {
  readonly key: string;
  readonly param: Param;
  readonly state: unknown;
}

/** Each slot's plugin state, encoded as JSON-safe data, with its parameter's shape, keyed by name. */
export function encodeParamStates(
  api: string,
  slots: readonly SnapshotSlot[],
): Record<string, { shape: number[]; state: JsonValue }> {
  const params: Record<string, { shape: number[]; state: JsonValue }> = {};
  for (const slot of slots) {
    params[slot.key] = {
      shape: [...slot.param.value.shape],
      state: encodeState(api, slot.state as StateValue, `state of "${slot.key}"`),
    };
  }
  return params;
}

/**
 * Checks a snapshot against this optimizer (the plugin's name, the included parameters'
 * names and shapes, each state's structure against a fresh one from `template`) and returns
 * the decoded states in the order of `included`. Changes nothing, so a bad snapshot leaves the
 * optimizer untouched.
 */
export function decodeParamStates(
  api: string,
  snapshot: OptimizerSnapshot,
  pluginName: string,
  included: readonly SnapshotSlot[],
  template: (param: Param) => StateValue,
): StateValue[] {
  checkSnapshot(api, snapshot);
  if (snapshot.optimizer !== pluginName) {
    throw new RnnkitError(api, `saved state is for optimizer "${snapshot.optimizer}", this optimizer is "${pluginName}"`);
  }
  const savedKeys = Object.keys(snapshot.params);
  const missing = included.filter((slot) => !(slot.key in snapshot.params)).map((slot) => slot.key);
  const unexpected = savedKeys.filter((key) => !included.some((slot) => slot.key === key));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new RnnkitError(
      api,
      `saved state has parameters [${savedKeys.join(', ')}] but this optimizer updates [${included
        .map((slot) => slot.key)
        .join(', ')}]${missing.length ? `; missing: ${missing.join(', ')}` : ''}${
        unexpected.length ? `; not in this optimizer: ${unexpected.join(', ')}` : ''
      }`,
    );
  }
  return included.map((slot) => {
    const saved = snapshot.params[slot.key]!;
    const shape = slot.param.value.shape;
    if (
      !Array.isArray(saved.shape) ||
      saved.shape.length !== shape.length ||
      saved.shape.some((d, i) => d !== shape[i])
    ) {
      throw new RnnkitError(
        api,
        `parameter "${slot.key}" has shape ${formatShape(shape)}, the saved state is for ${
          Array.isArray(saved.shape) ? formatShape(saved.shape) : describeValue(saved.shape)
        }`,
      );
    }
    const state = decodeState(api, saved.state, `params["${slot.key}"].state`);
    checkSameStructure(api, template(slot.param), state, `params["${slot.key}"].state`);
    return state;
  });
}
