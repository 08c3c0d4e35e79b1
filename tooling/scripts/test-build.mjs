#!/usr/bin/env node
// Tests what ships (`pnpm test:build`, after `turbo run build`): for every publishable package,
//  1. publint on the packed tarball (errors and warnings fail),
//  2. arethetypeswrong on the packed tarball: node16 (CJS and ESM) and bundler resolution must
//     find the types (node10 predates `exports` and is out of scope: engines say Node ≥ 20),
//  3. the built ESM entry imported and the CJS entry required, with the same named exports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packAll, publishablePackages, root } from './workspace.mjs';

const only = process.argv.slice(2); // optional package names to check, e.g. `tensor`
const packages = publishablePackages().filter(
  ({ pkg }) => only.length === 0 || only.includes(pkg.name) || only.includes(pkg.name.split('/')[1]),
);
const { tarballs } = packAll(packages);
const failures = [];
const attw = join(root, 'node_modules', '.bin', 'attw');

for (const { dir, pkg } of packages) {
  const tarball = tarballs.get(pkg.name);
  console.log(`\n== ${pkg.name}`);

  // 1. publint
  const bytes = readFileSync(tarball);
  const { messages, pkg: packedPkg } = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    level: 'suggestion',
  });
  for (const m of messages) {
    const text = `publint ${m.type}: ${formatMessage(m, packedPkg) ?? m.code}`;
    console.log(`  ${text}`);
    if (m.type !== 'suggestion') failures.push(`${pkg.name}: ${text}`);
  }
  if (messages.length === 0) console.log('  publint: no problems');

  // 2. arethetypeswrong
  try {
    execFileSync(attw, [tarball, '--format', 'table-flipped', '--profile', 'node16'], { encoding: 'utf8', stdio: 'pipe' });
    console.log('  attw: no problems');
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    console.log(out.replace(/^/gm, '  '));
    failures.push(`${pkg.name}: arethetypeswrong reported problems`);
  }

  // 3. ESM import and CJS require of every exported entry.
  const require = createRequire(join(dir, 'package.json'));
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const esm = await import(pathToFileURL(join(dir, target.import.default)).href);
    const cjs = require(join(dir, target.require.default));
    const esmNames = Object.keys(esm).filter((n) => n !== 'default').sort();
    const cjsNames = Object.keys(cjs).filter((n) => n !== 'default' && n !== '__esModule').sort();
    const label = `${pkg.name}${subpath === '.' ? '' : subpath.slice(1)}`;
    if (esmNames.length === 0) failures.push(`${label}: the ESM build exports nothing`);
    if (esmNames.join() !== cjsNames.join()) {
      failures.push(`${label}: ESM exports [${esmNames}] but CJS exports [${cjsNames}]`);
    }
    for (const name of esmNames) {
      if (typeof esm[name] !== typeof cjs[name]) failures.push(`${label}: "${name}" differs between ESM and CJS`);
    }
    console.log(`  import + require ${label}: ${esmNames.length} exports, identical`);
  }
}

if (failures.length > 0) {
  console.error(`\ntest:build: ${failures.length} problem(s):\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\ntest:build: ${packages.length} packages checked: published files, types and both module formats are sound`);
