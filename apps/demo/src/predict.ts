import { DemoError } from './errors.js';

/** Loads a saved model and predicts for a JSON input. Wired up with the model format (issue 7). */
export async function runPredict(modelPath: string, inputPath: string): Promise<unknown> {
  throw new DemoError(`predict is not available yet (model ${modelPath}, input ${inputPath}): saving and loading models lands with the TF.js format work`);
}
