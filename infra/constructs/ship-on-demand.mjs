/**
 * Run by `ProvisioFunction` after esbuild, in the project root:
 * `node infra/constructs/ship-on-demand.mjs <bundle dir> <package>...`.
 *
 * The packages are those handlers load only with `import()` (`ON_DEMAND_PACKAGES`), which esbuild
 * left out of `index.mjs`. Each one the bundle names is bundled on its own into
 * `node_modules/<package>/` beside it, where Node resolves the handler's `import()`; a bundle
 * that does not name it gets nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const [dir, ...packages] = process.argv.slice(2);
if (!dir) throw new Error('usage: ship-on-demand.mjs <bundle dir> <package>...');
const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
for (const name of packages) {
  // An external import keeps its specifier as a string literal, whatever its form.
  if (!bundle.includes(`"${name}"`)) continue;
  const out = join(dir, 'node_modules', name);
  buildSync({
    entryPoints: [name],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // As the handler's bundle: a package's ES module build, with its named exports.
    mainFields: ['module', 'main'],
    minify: true,
    outfile: join(out, 'index.mjs'),
    logLevel: 'warning',
  });
  writeFileSync(
    join(out, 'package.json'),
    `${JSON.stringify({ name, private: true, type: 'module', exports: './index.mjs' })}\n`,
  );
}
