#!/usr/bin/env node
// Scaffolds packages/<name> with the layout every rnnkit package shares.
// Usage: node tooling/scripts/new-package.mjs <name> "<description>" [dep ...]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './workspace.mjs';

const [name, description, ...deps] = process.argv.slice(2);
if (!name || !description) {
  console.error('new-package: usage: new-package.mjs <name> "<description>" [dependency ...]');
  process.exit(2);
}
const dir = join('packages', name);
if (existsSync(dir)) {
  console.error(`new-package: ${dir} already exists; not overwriting it`);
  process.exit(2);
}
mkdirSync(join(dir, 'src'), { recursive: true });
const conditions = {
  import: { types: './dist/index.d.ts', default: './dist/index.js' },
  require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
};
// The repository's address comes from the root package.json, so it is written down once.
const { repository, bugs } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repositoryUrl = repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const pkg = {
  name: `@rnnkit/${name}`,
  version: '0.0.0', // unreleased: its first changeset (a minor one) makes it 0.1.0
  description,
  license: 'MIT',
  repository: { ...repository, directory: `packages/${name}` },
  homepage: `${repositoryUrl}/tree/main/packages/${name}#readme`,
  bugs,
  type: 'module',
  sideEffects: false,
  keywords: ['rnnkit', 'rnn', 'neural-network'], // add what the package is about
  exports: { '.': { source: './src/index.ts', ...conditions }, './package.json': './package.json' },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  files: ['dist', 'README.md', 'CHANGELOG.md', 'LICENSE'],
  engines: { node: '>=20' },
  publishConfig: { access: 'public', exports: { '.': conditions, './package.json': './package.json' } },
  scripts: {
    build: 'rollup -c',
    typecheck: 'tsc -p tsconfig.json',
    test: `vitest run --root ../.. packages/${name}/`,
    clean: 'rm -rf dist .turbo',
  },
  dependencies: Object.fromEntries(deps.map((d) => [d, d.startsWith('@rnnkit/') ? 'workspace:^' : 'catalog:'])),
  devDependencies: { '@rnnkit/rollup-config': 'workspace:*' },
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'bench'] }, null, 2) + '\n',
);
writeFileSync(
  join(dir, 'rollup.config.js'),
  "import { packageConfig } from '@rnnkit/rollup-config';\n\nexport default packageConfig(import.meta.url);\n",
);
writeFileSync(join(dir, 'CHANGELOG.md'), `# @rnnkit/${name}\n`);
console.log(`new-package: created ${dir}`);
