// Shared helpers for the repository scripts: find the publishable packages and pack them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Every non-private package under packages/, as { dir, pkg }. */
export function publishablePackages() {
  const out = [];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', name);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (!pkg.private) out.push({ dir, pkg });
  }
  return out;
}

/** The pnpm that runs this script (npm_execpath), or `pnpm` on the PATH. */
export function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  return ['pnpm', []];
}

/**
 * Packs every publishable package with `pnpm pack` (which applies `publishConfig` and
 * rewrites `workspace:` and `catalog:` ranges) into `dest` (a new temporary directory by
 * default) and returns a map from package name to tarball path. The packages must be built.
 */
export function packAll(packages = publishablePackages(), dest = mkdtempSync(join(tmpdir(), 'rnnkit-pack-'))) {
  mkdirSync(dest, { recursive: true });
  const unbuilt = packages.filter(({ dir }) => !existsSync(join(dir, 'dist')));
  if (unbuilt.length > 0) {
    throw new Error(`pack: ${unbuilt.map(({ pkg }) => pkg.name).join(', ')} not built (no dist/); run \`pnpm build\` first`);
  }
  const [cmd, prefix] = pnpmCommand();
  const tarballs = new Map();
  for (const { dir, pkg } of packages) {
    const output = execFileSync(cmd, [...prefix, 'pack', '--pack-destination', dest], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = output.trim().split('\n').filter((l) => l.endsWith('.tgz')).pop();
    if (!line) throw new Error(`pack: pnpm pack printed no tarball for ${pkg.name}:\n${output}`);
    tarballs.set(pkg.name, line.startsWith('/') ? line : join(dest, line));
  }
  return { dest, tarballs };
}

/**
 * The programs in the fenced ```ts (or ```typescript) blocks of a Markdown text, in order, each
 * with the line of its (first) opening fence. Two markers, an HTML comment directly before a
 * fence, change that:
 *  - `<!-- continues the block above -->`: a step-by-step walkthrough; the block's code is
 *    appended to the program of the block before it (so all steps are checked together);
 *  - `<!-- not-run: reason -->`: a fragment that is not a program (such as one member of an
 *    object shown above); it comes back with `notRun` set to the reason.
 */
export function typescriptBlocks(markdown) {
  const blocks = [];
  const fence = /^```(ts|typescript)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) {
    const before = markdown.slice(0, match.index).trimEnd();
    const line = markdown.slice(0, match.index).split('\n').length; // of the opening fence
    const notRun = /<!--\s*not-run:\s*(.*?)\s*-->$/.exec(before);
    if (notRun && notRun[1] === '') throw new Error(`line ${line}: a <!-- not-run: … --> marker must give its reason`);
    if (/<!--\s*continues the block above\s*-->$/.test(before)) {
      const previous = blocks.at(-1);
      if (!previous || previous.notRun !== null) throw new Error(`line ${line}: "continues the block above" follows no runnable block`);
      previous.code += `\n${match[2]}`;
      continue;
    }
    blocks.push({ code: match[2], line, notRun: notRun ? notRun[1] : null });
  }
  return blocks;
}

/**
 * What the `npm install …` lines of a Markdown text's shell blocks install: package names
 * (`@rnnkit/layers`, `fast-check`) and tarball paths (`./release/*.tgz`); flags are dropped.
 */
export function npmInstallArguments(markdown) {
  const args = new Set();
  for (const block of markdown.matchAll(/^```(?:sh|bash|shell)[ \t]*\n([\s\S]*?)^```/gm)) {
    for (const line of block[1].split('\n')) {
      const command = /(?:^|&&|;)\s*npm (?:install|i|add)\s+([^#&;]*)/.exec(line);
      if (!command) continue;
      for (const word of command[1].trim().split(/\s+/)) if (word && !word.startsWith('-')) args.add(word);
    }
  }
  return [...args];
}
