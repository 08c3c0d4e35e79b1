// The trained model as files to download: TensorFlow.js' layers-model format (model.json and
// its weight file, from @rnnkit/model's in-memory saveModel) and ONNX (exportOnnx of
// @rnnkit/onnx). Free of DOM globals; the page turns each file into a download.
import type { Sequential } from '@rnnkit/layers';
import { saveModel } from '@rnnkit/model';
import { exportOnnx } from '@rnnkit/onnx';

/** One file to download. */
export interface ModelFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

/**
 * model.json and the weight file its manifest names (`saveModel` writes one group with one
 * path, whose bytes are `weights`): put both in one folder and TF.js' `tf.loadLayersModel`,
 * or rnnkit's `loadModelFromDirectory`, reads them.
 */
export function tfjsFiles(model: Sequential): ModelFile[] {
  const { modelJson, weights } = saveModel(model);
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths);
  if (paths.length !== 1) throw new Error(`playground: expected one weight file in the manifest, got ${paths.length}`);
  return [
    { name: 'model.json', type: 'application/json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
    { name: paths[0]!, type: 'application/octet-stream', bytes: new Uint8Array(weights) },
  ];
}

/** The model as `model.onnx`; throws the exporter's one-line error for a layer ONNX cannot express. */
export function onnxFile(model: Sequential): ModelFile {
  return { name: 'model.onnx', type: 'application/octet-stream', bytes: exportOnnx(model) };
}
