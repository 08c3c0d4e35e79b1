/** Path of the generated module, src/generated/kernels-wasm.ts. */
export const GENERATED: string;
/** Compiler flags passed to asc. */
export const ASC_FLAGS: readonly string[];
/** Flags added for the threaded build (imported shared memory). */
export const SHARED_FLAGS: readonly string[];
/** Flags added for the relaxed-SIMD builds. */
export const RELAXED_FLAGS: readonly string[];
/** Compiles assembly/index.ts and the files it imports; resolves with the WebAssembly binary (`shared`: the threaded build; `relaxed`: with relaxed SIMD). */
export function compileKernels(shared?: boolean, relaxed?: boolean): Promise<Uint8Array>;
/** The four builds: own or shared memory, plain or relaxed SIMD. */
export interface KernelBinaries {
  readonly own: Uint8Array;
  readonly shared: Uint8Array;
  readonly relaxedOwn: Uint8Array;
  readonly relaxedShared: Uint8Array;
}
/** Compiles all four builds. */
export function compileAll(): Promise<KernelBinaries>;
/** The text of the generated TypeScript module for the four binaries. */
export function generatedModule(binaries: KernelBinaries): string;
