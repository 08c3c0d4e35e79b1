// Public API of @rnnkit/backend-wasm. Everything a user may import is listed here by name.
export { type WasmBackend, createWasmBackend, useWasmBackend } from './backend.js';
export { relaxedSimdSupported, wasmSimdSupported } from './module.js';
export { type WasmBackendOptions } from './options.js';
export { type Blocking, type CacheSizes, measuredCacheSizes } from './blocking.js';
