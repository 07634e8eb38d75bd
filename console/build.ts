/**
 * Builds the admin console (a static single-page app) with Vite.
 *
 * - `buildConsole(outDir)`: always builds into `outDir` (the CDK construct bundles it this way).
 * - `ensureConsoleBuilt()`: builds into `console/dist` only when the sources changed since the
 *   last build (a hash of them is kept in `dist/.source-hash`), so `npm start` pays for a build
 *   once per change, not on every start. A finished build replaces `dist` in one rename, so a
 *   server reading it never sees a half-written tree.
 *
 * CLI: `tsx console/build.ts [--out-dir <dir>] [--if-stale]`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `console/`. */
export const CONSOLE_ROOT = fileURLToPath(new URL('./', import.meta.url));
/** Where `npm start` and the tests serve the console from. */
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

const HASH_FILE = '.source-hash';
/** What the build reads: a change to any of these makes `dist` stale. */
const SOURCES = ['index.html', 'src', 'build.ts', 'tsconfig.json'];
const LOCKFILE = join(CONSOLE_ROOT, '..', 'package-lock.json');

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** A hash of every source file's path and content, and of the lockfile (tool versions). */
export async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await Promise.all(SOURCES.map((s) => filesUnder(join(CONSOLE_ROOT, s))))).flat();
  for (const file of [...files, LOCKFILE]) {
    hash.update(relative(CONSOLE_ROOT, file));
    hash.update('\0');
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** What one build produced: file → bytes. */
export interface BuildResult {
  readonly outDir: string;
  readonly files: Readonly<Record<string, number>>;
}

/** Builds the console into `outDir` (emptied first). */
export async function buildConsole(outDir: string): Promise<BuildResult> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: CONSOLE_ROOT,
    // Always a production build, also when the caller runs with NODE_ENV=test (the tests'
    // globalSetup): Vite would otherwise emit development JSX and keep development branches.
    mode: 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    // Relative asset URLs: the console works under any path prefix (`/console/` here).
    base: './',
    logLevel: 'warn',
    clearScreen: false,
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: false,
      // Keep every asset a file: the served Content-Security-Policy allows no inline data.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
    },
  });
  const files: Record<string, number> = {};
  for (const file of await filesUnder(outDir)) {
    files[relative(outDir, file)] = (await stat(file)).size;
  }
  return { outDir, files };
}

/**
 * Builds `console/dist` when its sources changed since the last build; resolves to whether it
 * built. Concurrent callers (a developer's `npm start` and a test run) may both build; the last
 * rename wins and both trees are complete.
 */
export async function ensureConsoleBuilt(dist = CONSOLE_DIST): Promise<boolean> {
  const hash = await sourceHash();
  const current = await readFile(join(dist, HASH_FILE), 'utf8').catch(() => '');
  if (current.trim() === hash) return false;
  const staging = `${dist}.${process.pid}.${Date.now()}`;
  try {
    await buildConsole(staging);
    await writeFile(join(staging, HASH_FILE), `${hash}\n`);
    const old = `${staging}.old`;
    await rename(dist, old).catch(() => undefined);
    await rename(staging, dist).catch((error: NodeJS.ErrnoException) => {
      // Another process put its build there first: it built the same sources.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return true;
}

async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--out-dir');
  const outDir = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && !outDir) throw new Error('--out-dir needs a directory');
  if (args.includes('--if-stale') && !outDir) {
    const built = await ensureConsoleBuilt();
    process.stdout.write(built ? `console built in ${CONSOLE_DIST}\n` : 'console up to date\n');
    return;
  }
  const target = outDir ?? CONSOLE_DIST;
  await mkdir(target, { recursive: true });
  const { files } = await buildConsole(target);
  for (const [file, size] of Object.entries(files)) {
    process.stdout.write(`${file.padEnd(40)} ${(size / 1024).toFixed(1).padStart(7)} kB\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`console build failed: ${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  });
}
