// Shared helpers for the repository scripts: find the publishable packages and pack them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  return ['pnpm', []];
}

/**
 * Packs every publishable package with `pnpm pack` (which applies `publishConfig` and
 * rewrites `workspace:` ranges) and returns a map from package name to tarball path.
 */
export function packAll(packages = publishablePackages()) {
  const dest = mkdtempSync(join(tmpdir(), 'rnnkit-pack-'));
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
