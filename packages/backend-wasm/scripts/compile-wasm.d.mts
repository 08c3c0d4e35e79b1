/** Path of the generated module, src/generated/kernels-wasm.ts. */
export const GENERATED: string;
/** Compiler flags passed to asc. */
export const ASC_FLAGS: readonly string[];
/** Flags added for the threaded build (imported shared memory). */
export const SHARED_FLAGS: readonly string[];
/** Flags added for the relaxed-SIMD builds. */
export const RELAXED_FLAGS: readonly string[];
/** The entry point of the optimizer updates' module, assembly/optimizers.ts. */
export const OPTIMIZERS_ENTRY: string;
/** Compiles `entry` (default assembly/index.ts) and the files it imports; resolves with the WebAssembly binary (`shared`: the threaded build; `relaxed`: with relaxed SIMD). */
export function compileKernels(shared?: boolean, relaxed?: boolean, entry?: string): Promise<Uint8Array>;
/** The four builds of the kernels (own or shared memory, plain or relaxed SIMD) and the optimizer updates. */
export interface KernelBinaries {
  readonly own: Uint8Array;
  readonly shared: Uint8Array;
  readonly relaxedOwn: Uint8Array;
  readonly relaxedShared: Uint8Array;
  readonly optimizers: Uint8Array;
}
/** Compiles all five binaries. */
export function compileAll(): Promise<KernelBinaries>;
/** The text of the generated TypeScript module for the five binaries. */
export function generatedModule(binaries: KernelBinaries): string;
