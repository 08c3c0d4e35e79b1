#!/usr/bin/env node
// `pnpm release:pack` (after `turbo run build`): every publishable package as the tarball npm
// would publish, in release/ at the repository root. `pnpm pack` resolves the `workspace:`
// and `catalog:` ranges, so the tarballs install together anywhere, without a registry:
//   npm install /path/to/rnnkit/release/*.tgz
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packAll, publishablePackages, root } from './workspace.mjs';

const dest = join(root, 'release');
mkdirSync(dest, { recursive: true });
// Tarballs of an earlier version would install alongside the new ones: start empty.
for (const file of readdirSync(dest)) if (file.endsWith('.tgz')) rmSync(join(dest, file));

const { tarballs } = packAll(publishablePackages(), dest);
for (const [name, file] of tarballs) console.log(`${name.padEnd(24)} ${relative(root, file)}`);
console.log(`\nrelease:pack: ${tarballs.size} tarballs in release/. In your project:\n  npm install ${dest}/*.tgz`);
