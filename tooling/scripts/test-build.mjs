#!/usr/bin/env node
// Tests what ships (`pnpm test:build`, after `turbo run build`): for every publishable package,
//  0. the registry page: repository (with the package's directory), homepage, bugs, keywords
//     of its own, a CHANGELOG.md section for its version, and a README whose links work on
//     the registry too (absolute: relative links point at files that do not ship),
//  1. publint on the packed tarball (errors and warnings fail),
//  2. arethetypeswrong on the packed tarball: node16 (CJS and ESM) and bundler resolution must
//     find the types (node10 predates `exports` and is out of scope: engines say Node ≥ 20),
//  3. the built ESM entry imported and the CJS entry required, with the same named exports,
//  4. the release dry-run: `pnpm publish --dry-run`, the command `changeset publish` runs in
//     each package, offline. The registry is pointed at a closed local port, so nothing can
//     be written anywhere; what this cannot check is whether the version is already taken,
//     which needs the real registry (changeset publish asks it first).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packAll, pnpmCommand, publishablePackages, root } from './workspace.mjs';

const only = process.argv.slice(2); // optional package names to check, e.g. `tensor`
const packages = publishablePackages().filter(
  ({ pkg }) => only.length === 0 || only.includes(pkg.name) || only.includes(pkg.name.split('/')[1]),
);
const { tarballs } = packAll(packages);
const failures = [];
const attw = join(root, 'node_modules', '.bin', 'attw');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repositoryUrl = rootPkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
/** The keywords the package scaffold starts with: a package must add its own. */
const scaffoldKeywords = new Set(['rnnkit', 'rnn', 'lstm', 'gru', 'neural-network', 'machine-learning']);

/** Packages named by a pending changeset (.changeset/*.md front matter): their next version is described there. */
const pendingChangesets = new Set();
for (const file of readdirSync(join(root, '.changeset'))) {
  if (!file.endsWith('.md') || file === 'README.md') continue;
  const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(root, '.changeset', file), 'utf8'))?.[1] ?? '';
  for (const m of front.matchAll(/^\s*['"]?(@rnnkit\/[a-z0-9-]+)['"]?\s*:/gm)) pendingChangesets.add(m[1]);
}

/** Problems of what the registry shows for a package: its metadata, changelog and README. */
function registryPageProblems(dir, pkg) {
  const problems = [];
  const directory = relative(root, dir).split('\\').join('/');
  if (pkg.repository?.url !== rootPkg.repository.url || pkg.repository?.directory !== directory) {
    problems.push(`repository should be { url: "${rootPkg.repository.url}", directory: "${directory}" }`);
  }
  if (!pkg.homepage?.startsWith(repositoryUrl)) problems.push(`homepage should be under ${repositoryUrl}`);
  if (pkg.bugs?.url !== rootPkg.bugs.url) problems.push(`bugs.url should be ${rootPkg.bugs.url}`);
  if (!(pkg.keywords ?? []).some((k) => !scaffoldKeywords.has(k))) problems.push('keywords: none of its own');
  const changelog = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
  const described = new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}$`, 'm').test(changelog);
  if (!described && !pendingChangesets.has(pkg.name)) {
    problems.push(`CHANGELOG.md has no "## ${pkg.version}" section and no pending changeset names the package`);
  }
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (!/^(https?:|mailto:|#)/.test(target)) problems.push(`README.md links to "${target}", which is not on the registry page; use a ${repositoryUrl}/… address`);
  }
  return problems;
}

for (const { dir, pkg } of packages) {
  const tarball = tarballs.get(pkg.name);
  console.log(`\n== ${pkg.name}`);

  // 0. metadata, changelog and README links
  const pageProblems = registryPageProblems(dir, pkg);
  for (const p of pageProblems) failures.push(`${pkg.name}: ${p}`);
  console.log(pageProblems.length === 0 ? '  registry page: metadata, changelog and links complete' : pageProblems.map((p) => `  ${p}`).join('\n'));

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

  // 4. publish dry-run, offline
  const [pnpm, prefix] = pnpmCommand();
  const publish = spawnSync(
    pnpm,
    [...prefix, 'publish', '--dry-run', '--no-git-checks', '--access', 'public', '--registry', 'http://127.0.0.1:9/'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_fetch_retries: '0' } },
  );
  const notice = `${publish.stdout}${publish.stderr}`;
  const wouldPublish = notice.includes(`name: ${pkg.name}`) && notice.includes(`version: ${pkg.version}`) && /\bdist\/index\.js\b/.test(notice);
  if (publish.status === 0 && wouldPublish) {
    console.log(`  publish --dry-run (offline): ${pkg.name}@${pkg.version} with its dist/ would be published`);
  } else {
    console.log(notice.replace(/^/gm, '  '));
    failures.push(`${pkg.name}: pnpm publish --dry-run failed or would not publish ${pkg.name}@${pkg.version} with dist/`);
  }
}

if (failures.length > 0) {
  console.error(`\ntest:build: ${failures.length} problem(s):\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\ntest:build: ${packages.length} packages checked: published files, types and both module formats are sound`);
