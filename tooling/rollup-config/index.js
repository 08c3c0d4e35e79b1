// One rollup configuration for every rnnkit package.
//
// Entries come from the package's own `exports` map: each subpath's `source` condition names
// the TypeScript entry, its `import`/`require` conditions name the ESM (.js) and CJS (.cjs)
// files, and `types` name the declarations (.d.ts for ESM, .d.cts for CJS). Keeping the
// package.json the single source of truth means an entry cannot be built but not exported,
// or exported but not built.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';

/** @param {string} file @param {string} ext */
function stem(file, ext) {
  const name = basename(file);
  if (!name.endsWith(ext)) {
    throw new Error(`@rnnkit/rollup-config: expected "${file}" to end with "${ext}"`);
  }
  return join(dirname(file), name.slice(0, -ext.length)).replace(/^(\.\/)?dist\//, '');
}

/**
 * Reads `exports` of a package.json and returns one record per subpath.
 * @param {any} pkg
 */
export function entriesOf(pkg) {
  if (!pkg.exports || typeof pkg.exports !== 'object') {
    throw new Error(`@rnnkit/rollup-config: ${pkg.name} has no "exports" map`);
  }
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue; // e.g. "./package.json"
    const source = target.source;
    const esm = target.import?.default;
    const cjs = target.require?.default;
    if (!source || !esm || !cjs) {
      throw new Error(
        `@rnnkit/rollup-config: ${pkg.name} exports "${subpath}" needs "source", "import.default" and "require.default"`,
      );
    }
    const name = stem(esm, '.js');
    if (stem(cjs, '.cjs') !== name) {
      throw new Error(`@rnnkit/rollup-config: ${pkg.name} "${subpath}": ESM and CJS files must share a name`);
    }
    entries.push({ subpath, source, name });
  }
  return entries;
}

/**
 * Rollup config for the package whose directory holds `rollup.config.js`.
 * @param {string} configUrl `import.meta.url` of the package's rollup.config.js
 */
export function packageConfig(configUrl) {
  const dir = dirname(fileURLToPath(configUrl));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const input = Object.fromEntries(entriesOf(pkg).map((e) => [e.name, join(dir, e.source)]));
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules);
  /** @param {string} id */
  const external = (id) => {
    if (id.startsWith('node:') || builtins.has(id)) return true;
    const bare = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
    return declared.has(bare);
  };
  const onwarn = (warning, warn) => {
    // A circular import inside one package is a bug we want to see, everything else too.
    if (warning.code === 'UNRESOLVED_IMPORT') {
      throw new Error(`${pkg.name}: "${warning.exporter}" is imported but not a declared dependency`);
    }
    warn(warning);
  };
  const out = join(dir, 'dist');
  return [
    {
      input,
      external,
      onwarn,
      plugins: [esbuild({ target: 'es2022', tsconfig: join(dir, 'tsconfig.json'), sourceMap: true })],
      output: [
        { dir: out, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
        { dir: out, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named' },
      ],
    },
    {
      input,
      external,
      onwarn,
      plugins: [dts({ tsconfig: join(dir, 'tsconfig.json'), compilerOptions: { noEmit: false } })],
      output: [
        { dir: out, format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
        { dir: out, format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
      ],
    },
  ];
}
