// Public API of @rnnkit/onnx. Everything a user may import is listed here by name.
export { type LoadOnnxOptions, type OnnxLimits, DEFAULT_ONNX_LIMITS, loadOnnx } from './import.js';
