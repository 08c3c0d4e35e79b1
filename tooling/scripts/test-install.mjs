#!/usr/bin/env node
// Proves the packages install and their READMEs run as written (`pnpm test:install`, after
// `turbo run build`).
//
// Every publishable package is packed with pnpm, as `pnpm release:pack` does. Then, for each
// package's README and for the repository's README, a fresh npm project in the system temp
// directory (outside the workspace, so nothing leaks in from it) installs what the README's
// own `npm install` lines name:
//  - package names: @rnnkit packages from their tarballs (standing in for the registry through
//    `overrides`, so their @rnnkit dependencies come from tarballs too), anything else (such as
//    fast-check) from the registry, as a user's install would;
//  - a tarball path (`…/release/*.tgz`): every tarball in one plain `npm install`, with no
//    overrides, exactly as "Use rnnkit in your own project" in the repository README says.
// Every ```ts block of the README is then type-checked with tsc (strict, Node's ESM
// resolution, so against the published .d.ts) and run with tsx. A block may import only what
// the install lines install (and Node's own modules). A block directly preceded by
// `<!-- not-run: reason -->` is a fragment, not a program: it is skipped and its reason printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { npmInstallArguments, packAll, publishablePackages, root, typescriptBlocks } from './workspace.mjs';

const only = process.argv.slice(2); // optional package names, e.g. `testing`
const all = publishablePackages();
const packages = only.length ? all.filter(({ pkg }) => only.includes(pkg.name) || only.includes(pkg.name.split('/')[1])) : all;
const { tarballs } = packAll(all);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const failures = [];

const subjects = [
  ...packages.map(({ dir, pkg }) => ({ label: pkg.name, readme: join(dir, 'README.md') })),
  ...(only.length === 0 ? [{ label: 'README.md (repository)', readme: join(root, 'README.md') }] : []),
];

/** The packages a block of code imports (bare specifiers, Node's own modules left out). */
function importedPackages(code) {
  const names = new Set();
  for (const m of code.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)['"]([^'"./][^'"]*)['"]/g)) {
    const specifier = m[1];
    if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
    names.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
  }
  return names;
}

// --ignore-scripts: rnnkit's packages have no install scripts, and a third-party one may need
// the network beyond the npm registry (onnxruntime-node's fetches optional GPU binaries from
// NuGet; its CPU binaries are in the npm package).
function npmInstall(project, args) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', ...args], { cwd: project, stdio: 'pipe' });
}

/** Installs what the README's install lines name; returns the names of what it installed. */
function installFor(project, label, installArguments) {
  const tarballPaths = installArguments.filter((a) => a.endsWith('.tgz'));
  const names = installArguments.filter((a) => !a.endsWith('.tgz'));
  const manifest = { name: 'rnnkit-install-check', private: true, type: 'module' };
  if (tarballPaths.length > 0) {
    // The documented way to use rnnkit before it is on a registry: all tarballs, one plain
    // install. (The @rnnkit names of the "once published" line are the same packages.)
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    const registryNames = names.filter((n) => !n.startsWith('@rnnkit/'));
    npmInstall(project, [...tarballs.values(), ...registryNames]);
    return new Set([...tarballs.keys(), ...registryNames]);
  }
  const dependencies = {};
  for (const name of names) {
    if (name.startsWith('@rnnkit/')) {
      if (!tarballs.has(name)) throw new Error(`${label}: its README installs unknown ${name}`);
      dependencies[name] = `file:${tarballs.get(name)}`;
    } else {
      dependencies[name] = 'latest';
    }
  }
  const overrides = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ ...manifest, dependencies, overrides }, null, 2));
  npmInstall(project, []);
  return new Set(names);
}

const tsconfig = (files) => ({
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    noEmit: true,
    // Node's types are tooling, as the tsx that runs the blocks: taken from the repository.
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  },
  files,
});

for (const { label, readme } of subjects) {
  const name = relative(root, readme);
  const markdown = readFileSync(readme, 'utf8');
  const blocks = typescriptBlocks(markdown);
  const runnable = blocks.filter((b) => b.notRun === null);
  if (runnable.length === 0) {
    failures.push(`${label}: ${name} has no \`\`\`ts example to run`);
    continue;
  }
  const installArguments = npmInstallArguments(markdown);
  process.stdout.write(`${label}: npm install ${installArguments.join(' ')} … `);
  const project = mkdtempSync(join(tmpdir(), `rnnkit-install-${label.replace(/[^a-z0-9]+/gi, '-')}-`));
  try {
    const installed = installFor(project, label, installArguments);
    const files = [];
    for (const block of runnable) {
      const missing = [...importedPackages(block.code)].filter((p) => !installed.has(p));
      if (missing.length > 0) {
        throw new Error(`${name}:${block.line} imports ${missing.join(', ')}, which its npm install lines do not install`);
      }
      const file = `readme-line-${block.line}.ts`;
      writeFileSync(join(project, file), block.code);
      files.push(file);
    }
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig(files), null, 2));
    try {
      execFileSync(bin('tsc'), ['-p', join(project, 'tsconfig.json')], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      throw new Error(`tsc rejected ${name}'s examples (readme-line-N.ts: N is the line of the block's fence):\n${error.stdout ?? ''}${error.stderr ?? ''}`, { cause: error });
    }
    for (const file of files) {
      try {
        execFileSync(bin('tsx'), [file], { cwd: project, encoding: 'utf8', stdio: 'pipe', timeout: 180_000 });
      } catch (error) {
        throw new Error(`${name}: the block at line ${file.match(/\d+/)[0]} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, { cause: error });
      }
    }
    console.log(`${files.length} block(s) type-checked and ran`);
    for (const block of blocks) if (block.notRun !== null) console.log(`  not run: ${name}:${block.line} (${block.notRun})`);
    rmSync(project, { recursive: true, force: true });
  } catch (error) {
    console.log('FAILED');
    console.error(String(error.message ?? error).trim().replace(/^/gm, '    '));
    failures.push(`${label}: installing or running its README examples failed (project kept at ${project})`);
  }
}

if (failures.length > 0) {
  console.error(`\ntest:install: ${failures.length} problem(s):\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\ntest:install: ${subjects.length} READMEs: installed as they say, every \`\`\`ts block type-checked and run`);
