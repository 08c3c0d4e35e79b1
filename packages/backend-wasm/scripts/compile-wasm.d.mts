/** Path of the generated module, src/generated/kernels-wasm.ts. */
export const GENERATED: string;
/** Compiler flags passed to asc. */
export const ASC_FLAGS: readonly string[];
/** Flags added for the threaded build (imported shared memory). */
export const SHARED_FLAGS: readonly string[];
/** Compiles assembly/index.ts and the files it imports; resolves with the WebAssembly binary (`shared`: the threaded build). */
export function compileKernels(shared?: boolean): Promise<Uint8Array>;
/** The text of the generated TypeScript module for the two binaries. */
export function generatedModule(binary: Uint8Array, sharedBinary: Uint8Array): string;
