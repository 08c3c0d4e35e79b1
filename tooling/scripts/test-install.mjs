#!/usr/bin/env node
// Proves each package installs alone (`pnpm test:install`, after `turbo run build`).
//
// For every publishable package: pack it with pnpm, create a fresh npm project in the
// system temp directory (outside the workspace, so nothing leaks in from it), install the
// tarball with only the dependencies it declares (sibling @rnnkit packages come from their
// tarballs, everything else from the registry), then run the first ```ts example of the
// package's README against the installed package. A README example that does not run as
// written fails this check.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAll, publishablePackages, root } from './workspace.mjs';

const only = process.argv.slice(2);
const all = publishablePackages();
const packages = only.length ? all.filter(({ pkg }) => only.includes(pkg.name) || only.includes(pkg.name.split('/')[1])) : all;
const { tarballs } = packAll(all);
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const failures = [];

/** The first fenced ```ts / ```typescript block of a README. */
function firstExample(readme) {
  const match = /```(?:ts|typescript)\n([\s\S]*?)```/.exec(readme);
  return match?.[1];
}

// Each package's README, and the repository's own README (whose example installs only the
// packages it imports, as a new user would).
const subjects = [
  ...packages.map(({ dir, pkg }) => ({ label: pkg.name, readme: join(dir, 'README.md'), own: [pkg.name] })),
  ...(only.length === 0 ? [{ label: 'README.md (repository)', readme: join(root, 'README.md'), own: [] }] : []),
];

for (const { label, readme, own } of subjects) {
  const pkg = { name: label };
  const example = firstExample(readFileSync(readme, 'utf8'));
  if (!example) {
    failures.push(`${pkg.name}: README.md has no \`\`\`ts example`);
    continue;
  }
  // The example may import other rnnkit packages, as a user would install them alongside.
  const imported = new Set(own);
  for (const m of example.matchAll(/from\s+['"](@rnnkit\/[a-z0-9-]+)/g)) imported.add(m[1]);
  const project = mkdtempSync(join(tmpdir(), `rnnkit-install-${label.replace(/[^a-z0-9]+/gi, '-')}-`));
  const overrides = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  const dependencies = Object.fromEntries(
    [...imported].map((name) => {
      if (!tarballs.has(name)) throw new Error(`test:install: ${pkg.name}'s README imports unknown ${name}`);
      return [name, `file:${tarballs.get(name)}`];
    }),
  );
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'rnnkit-install-check', private: true, type: 'module', dependencies, overrides }, null, 2),
  );
  process.stdout.write(`${pkg.name}: npm install (${[...imported].join(', ')}) … `);
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
    writeFileSync(join(project, 'example.ts'), example);
    const out = execFileSync(tsx, ['example.ts'], { cwd: project, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
    console.log(`README example ran (${out.trim().split('\n').length} lines of output)`);
    rmSync(project, { recursive: true, force: true });
  } catch (error) {
    console.log('FAILED');
    console.error(`${error.stdout ?? ''}${error.stderr ?? ''}`.trim().replace(/^/gm, '    '));
    failures.push(`${pkg.name}: installing alone or running its README example failed (project kept at ${project})`);
  }
}

if (failures.length > 0) {
  console.error(`\ntest:install: ${failures.length} problem(s):\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\ntest:install: ${subjects.length} READMEs: every package installed alone and every example ran`);
