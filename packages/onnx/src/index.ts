// Public API of @rnnkit/onnx. Everything a user may import is listed here by name.
export { type LoadOnnxOptions, type OnnxLimits, DEFAULT_ONNX_LIMITS, loadOnnx } from './import.js';
export { type ExportOnnxOptions, ONNX_EXPORT_OPSET, exportOnnx } from './export.js';
export { type OnnxLayerConverter, type OnnxValue, type OnnxAttributeValue, OnnxGraphBuilder } from './export-graph.js';
export { type OnnxRunner, type OnnxRunnerOptions, onnxRunner } from './runner.js';
