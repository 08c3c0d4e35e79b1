// Public API of @rnnkit/backend-wasm. Everything a user may import is listed here by name.
export { type WasmBackend, type WasmBackendOptions, createWasmBackend, useWasmBackend, wasmSimdSupported } from './backend.js';
