// Vite reads the workspace packages straight from their TypeScript sources: each package
// exports a `source` condition (see its package.json), so the page builds and runs in a
// clean clone without building the packages first.
import { defaultClientConditions, defineConfig } from 'vite';

const conditions = ['source', ...defaultClientConditions];

// Cross-origin isolation gives the page SharedArrayBuffer, which the WebAssembly kernels
// need to run on worker threads (a host serving dist/ should send the same two headers).
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  resolve: { conditions },
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: {
    // Module workers, so the worker can share chunks (and the `source` resolution) with the page.
    format: 'es',
  },
  build: {
    target: 'es2022',
    // Vega and Vega-Lite (the charts) are most of the bundle; they get a chunk of their own
    // so the page's code stays small and both cache separately.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // The page, and the worker-equivalence check the end-to-end test opens (worker-check.html).
      input: { main: 'index.html', 'worker-check': 'worker-check.html' },
      output: {
        codeSplitting: {
          groups: [{ name: 'vega', test: /node_modules[\\/].*vega/ }],
        },
      },
    },
  },
});
