#!/usr/bin/env node
// Installs the benchmark's contenders on first use (`pnpm bench`, `pnpm test:bench`).
//
// apps/bench compares rnnkit with TensorFlow.js (CPU and WASM backends) and brain.js. Those,
// with what they pull in (brain.js brings gpu.js, headless-gl and WebGPU bindings), are about
// a fifth of a full install, and nothing but the benchmark uses them — so apps/bench is not a
// workspace package: it is a project of its own, with its own lockfile
// (apps/bench/pnpm-lock.yaml), which this script installs (`pnpm install --ignore-workspace
// --frozen-lockfile`) unless apps/bench/node_modules holds exactly that lockfile's install. The
// rnnkit packages come in through `link:` ranges, so the benchmark runs the workspace's
// sources. `pnpm install` at the root does not install the contenders (ONNX Runtime, also a
// contender, is the onnxruntime-node that @rnnkit/onnx's workspace install holds).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pnpmCommand, root } from './workspace.mjs';

const bench = join(root, 'apps', 'bench');
// pnpm keeps a copy of the lockfile it installed from in node_modules/.pnpm/lock.yaml.
const installedLockfile = join(bench, 'node_modules', '.pnpm', 'lock.yaml');
const lockfile = join(bench, 'pnpm-lock.yaml');

// The contenders' TF.js must be the one the repository's TF.js oracle tests use.
const catalog = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
const benchPkg = JSON.parse(readFileSync(join(bench, 'package.json'), 'utf8'));
for (const name of ['@tensorflow/tfjs']) {
  const inCatalog = new RegExp(`^\\s+"?${name.replace(/[/.]/g, '\\$&')}"?:\\s*(\\S+)`, 'm').exec(catalog)?.[1];
  if (benchPkg.dependencies[name] !== inCatalog) {
    console.error(`bench: apps/bench/package.json has ${name} ${benchPkg.dependencies[name]}, the catalog (pnpm-workspace.yaml) ${inCatalog}; make them equal`);
    process.exit(1);
  }
}

if (!existsSync(join(root, 'packages', 'tensor', 'node_modules'))) {
  console.error('bench: the workspace is not installed; run `pnpm install` at the repository root first');
  process.exit(1);
}
const upToDate = existsSync(installedLockfile) && readFileSync(installedLockfile, 'utf8') === readFileSync(lockfile, 'utf8');
if (!upToDate) {
  console.error('bench: installing the contenders (TF.js, its WASM backend, brain.js) into apps/bench/node_modules …');
  const [pnpm, prefix] = pnpmCommand();
  execFileSync(pnpm, [...prefix, 'install', '--ignore-workspace', '--frozen-lockfile'], { cwd: bench, stdio: ['ignore', 'inherit', 'inherit'] });
}
