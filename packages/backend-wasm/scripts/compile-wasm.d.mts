/** Path of the generated module, src/generated/kernels-wasm.ts. */
export const GENERATED: string;
/** Compiler flags passed to asc. */
export const ASC_FLAGS: readonly string[];
/** Compiles assembly/index.ts; resolves with the WebAssembly binary. */
export function compileKernels(): Promise<Uint8Array>;
/** The text of the generated TypeScript module for a binary. */
export function generatedModule(binary: Uint8Array): string;
