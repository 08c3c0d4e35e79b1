// Step-by-step inference (streaming): the shared argument checks of every layer's `stepper`
// and the chain of a stack of layers' steppers, with the buffers between them made once.
import { type DType, RnnkitError, type TypedArray } from '@rnnkit/tensor';
import { allocateBlocks, describeValue, positiveInteger } from './common.js';
import type { Layer, LayerStepper } from './layer.js';

/** Checks `stepper(batch, features)`'s arguments; `expected` is the layer's known feature count, if any. */
export function checkStepperArguments(api: string, batch: unknown, features: unknown, expected?: number): number {
  const rows = positiveInteger(api, 'stepper batch', batch);
  positiveInteger(api, 'stepper features', features);
  if (expected !== undefined && features !== expected) {
    throw new RnnkitError(api, `stepper: the layer takes ${expected} input features per step, got ${String(features)}`);
  }
  return rows;
}

/** The stepper of a layer without state whose step is a function of the rows alone (Dense, Activation, Dropout). */
export function statelessStepper(inputSize: number, outputSize: number, step: LayerStepper['step']): LayerStepper {
  return { inputSize, outputSize, step, reset: () => undefined };
}

/**
 * The steppers of `layers` in order, each feeding the next through a buffer made here, as
 * one stepper. A layer without `stepper` is an error naming it (`api` speaking).
 */
export function chainSteppers(api: string, layers: readonly Layer[], names: readonly string[], dtype: DType, batch: number, features: number): LayerStepper {
  const steppers: LayerStepper[] = [];
  let width = features;
  layers.forEach((layer, i) => {
    if (typeof layer.stepper !== 'function') {
      throw new RnnkitError(
        api,
        `layer ${i} "${names[i] ?? layer.name}" (${layer.className}) cannot run step by step: it has no stepper(batch, features) method ` +
          '(the Layer contract\'s optional streaming hook)',
      );
    }
    const stepper = layer.stepper(batch, width);
    if (stepper === null || typeof stepper !== 'object' || typeof stepper.step !== 'function' || !(stepper.outputSize >= 1)) {
      throw new RnnkitError(api, `layer ${i} "${names[i] ?? layer.name}" (${layer.className}): stepper() returned ${describeValue(stepper)}, not a LayerStepper`);
    }
    steppers.push(stepper);
    width = stepper.outputSize;
  });
  // Buffers between consecutive layers (none after the last: the caller's output).
  const between: TypedArray[] = allocateBlocks(dtype, steppers.slice(0, -1).map((s) => batch * s.outputSize));
  const last = steppers.length - 1;
  return {
    inputSize: features,
    outputSize: width,
    step(input, inputOffset, output, outputOffset) {
      let source = input;
      let at = inputOffset;
      for (let i = 0; i < last; i++) {
        steppers[i]!.step(source, at, between[i]!, 0);
        source = between[i]!;
        at = 0;
      }
      steppers[last]!.step(source, at, output, outputOffset);
    },
    reset() {
      for (let i = 0; i < steppers.length; i++) steppers[i]!.reset();
    },
  };
}
