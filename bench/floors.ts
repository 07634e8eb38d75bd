/**
 * Each function's cold-start floor: a bare handler that imports exactly the AWS SDK the function's
 * bundle imports, in the same way, and builds the same clients at module scope, with nothing of
 * Provisio. Import time against it is what Provisio's own code (and the libraries it chose, such
 * as Powertools or zod) adds to a cold start; the SDK's loading and client construction are the
 * floor's.
 *
 * Nothing is declared by hand: `sdkUseOf` reads it from esbuild's metafile of the function's
 * deployed bundle (SDK bundled), so a handler that starts using another client gets a floor with
 * that client in the next run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';

/** One SDK package (`@aws-sdk/…`) a function imports, and what of it lands in its bundle. */
export interface SdkPackageUse {
  readonly name: string;
  /** Client classes in the bundle (`dist-es/<Name>Client.js`), e.g. `SESv2Client`. */
  readonly clients: readonly string[];
  /** Command classes in the bundle (`dist-es/commands/<Name>Command.js`). */
  readonly commands: readonly string[];
}

/** The SDK a function's bundle imports, by when a cold start pays for it. */
export interface SdkUse {
  /**
   * Reached from the handler by static imports: loaded at cold start, their clients built at
   * module scope (every handler builds its clients once per execution environment).
   */
  readonly atInit: readonly SdkPackageUse[];
  /**
   * Reached only through a dynamic `import()` (the hook's Secrets Manager, through Powertools
   * Parameters; the admin's Cognito): in a chunk of the bundle that the first request needing
   * it reads. The floor imports them the same way, from a module of its own.
   */
  readonly onFirstUse: readonly SdkPackageUse[];
}

/** The package a bundled input belongs to (`node_modules/<name>/…`), if any. */
export function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const [scope, name] = path.slice(at + 'node_modules/'.length).split('/');
  if (!scope) return undefined;
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

const isSdkPackage = (name: string | undefined) =>
  !!name && (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'));

/** The package an import names: its specifier when external, else the file it resolved to. */
function importedPackage(imp: Metafile['inputs'][string]['imports'][number]): string | undefined {
  if (!imp.external) return packageOf(imp.path);
  const [scope, name] = imp.path.split('/');
  return scope?.startsWith('@') ? `${scope}/${name}` : scope;
}

/**
 * What of the AWS SDK a bundle imports, read from its metafile (esbuild `--metafile`, written by
 * `ProvisioFunction` with `metafile: true`). Best read from the SDK-bundled build, whose metafile
 * lists the SDK's files, hence the clients and commands the bundle keeps.
 *
 * Only imports made by code outside the SDK count (Provisio's, or a library's such as
 * Powertools): the SDK's own packages (`@aws-sdk/core`, `@smithy/*`, …) come with those.
 */
export function sdkUseOf(metafile: Metafile): SdkUse {
  // The handler's own output; the others are the chunks its `import()`s read.
  const [output, ...others] = Object.entries(metafile.outputs)
    .filter(([file, o]) => o.entryPoint && /(^|\/)index\.mjs$/.test(file))
    .map(([, o]) => o);
  if (!output?.entryPoint || others.length) throw new Error('expected a metafile of one handler');
  const inputs = metafile.inputs;

  // Modules a cold start initialises: the entry's static imports, transitively.
  const atInit = new Set<string>([output.entryPoint]);
  const reached = new Set<string>([output.entryPoint]);
  const queue = [output.entryPoint];
  while (queue.length) {
    const path = queue.shift()!;
    for (const imp of inputs[path]?.imports ?? []) {
      if (imp.external || !inputs[imp.path]) continue;
      const eager = atInit.has(path) && imp.kind !== 'dynamic-import';
      if (eager && !atInit.has(imp.path)) {
        atInit.add(imp.path);
        queue.push(imp.path);
      } else if (!reached.has(imp.path)) queue.push(imp.path);
      reached.add(imp.path);
    }
  }

  const eagerPackages = new Set<string>();
  const lazyPackages = new Set<string>();
  for (const path of reached) {
    if (isSdkPackage(packageOf(path))) continue;
    for (const imp of inputs[path]?.imports ?? []) {
      const name = importedPackage(imp);
      if (!name?.startsWith('@aws-sdk/')) continue;
      if (atInit.has(path) && imp.kind !== 'dynamic-import') eagerPackages.add(name);
      else lazyPackages.add(name);
    }
  }

  // Every output's: an SDK package's files may sit in the handler's file or in a chunk.
  const inBundle = [
    ...new Set(Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs))),
  ];
  const use = (name: string): SdkPackageUse => {
    const dist = `node_modules/${name}/dist-es/`;
    const files = inBundle
      .filter((p) => p.includes(dist))
      .map((p) => p.slice(p.indexOf(dist) + dist.length));
    const names = (pattern: RegExp) =>
      files.flatMap((f) => pattern.exec(f)?.[1] ?? []).sort((a, b) => a.localeCompare(b));
    return {
      name,
      clients: names(/^(\w+Client)\.js$/),
      commands: names(/^commands\/(\w+Command)\.js$/),
    };
  };
  const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b));
  return {
    atInit: sorted(eagerPackages).map(use),
    onFirstUse: sorted([...lazyPackages].filter((n) => !eagerPackages.has(n))).map(use),
  };
}

/**
 * Clients a handler builds by wrapping another one (`DynamoDBDocumentClient.from(client)`, as
 * shared/adapters/dynamodb/client.ts does), with the options it passes.
 */
const WRAPPERS: Record<string, { readonly wraps: string; readonly options: string }> = {
  DynamoDBDocumentClient: {
    wraps: 'DynamoDBClient',
    options: '{ marshallOptions: { removeUndefinedValues: true } }',
  },
};

/**
 * The options every Provisio client is built with (shared/adapters/*): region, attempts and a
 * request handler with bounded timeouts.
 */
const CLIENT_OPTIONS =
  '{ region: process.env.AWS_REGION, maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: 500, throwOnRequestTimeout: true } }';

/**
 * The import of a package's clients and commands, or of the whole package if it has neither;
 * each name local to the package (`p0_QueryCommand`), as two packages may share one.
 */
function importOf(pkg: SdkPackageUse, prefix: string): { line: string; locals: string[] } {
  const names = [...pkg.clients, ...pkg.commands];
  if (!names.length) return { line: `import * as ${prefix} from '${pkg.name}';`, locals: [prefix] };
  const local = (n: string) => `${prefix}_${n}`;
  return {
    line: `import { ${names.map((n) => `${n} as ${local(n)}`).join(', ')} } from '${pkg.name}';`,
    locals: names.map(local),
  };
}

/** The floor's modules: `index.mjs` (the handler) and, if needed, `first-use.mjs`. */
export function floorSources(fn: string, use: SdkUse): Record<string, string> {
  const header = `// Generated by bench/floors.ts: the cold-start floor of ${fn}, its AWS SDK and nothing of Provisio.\n`;
  const imports = use.atInit.map((p, i) => importOf(p, `p${i}`));
  const clients = use.atInit.flatMap((p, i) =>
    p.clients.map((name) => ({ name, local: `p${i}_${name}` })),
  );
  /** Client class name → the variable holding the one built. */
  const built = new Map<string, string>();
  const construct: string[] = [];
  const usedLocals = new Set<string>();
  // Plain clients first, then those that wrap one.
  for (const { name, local } of [
    ...clients.filter((c) => !WRAPPERS[c.name]),
    ...clients.filter((c) => WRAPPERS[c.name]),
  ]) {
    const id = `client${built.size}`;
    const wrapper = WRAPPERS[name];
    const base = wrapper && built.get(wrapper.wraps);
    if (wrapper && !base) continue;
    construct.push(
      wrapper
        ? `const ${id} = ${local}.from(${base}, ${wrapper.options});`
        : `const ${id} = new ${local}(${CLIENT_OPTIONS});`,
    );
    built.set(name, id);
    usedLocals.add(local);
  }
  const kept = imports.flatMap((i) => i.locals).filter((n) => !usedLocals.has(n));
  const lazy = use.onFirstUse.length ? [`() => import('./first-use.mjs')`] : [];
  const index = [
    header,
    ...imports.map((i) => i.line),
    '',
    '// Built once per execution environment, as the handler builds them.',
    ...construct,
    `const clients = [${[...built.values()].join(', ')}];`,
    '// Kept in the bundle as in the handler, not run at cold start.',
    `const kept = [${kept.join(', ')}];`,
    `const lazy = [${lazy.join(', ')}];`,
    '',
    'export const handler = async () => ({ clients: clients.length, kept: kept.length, lazy: lazy.length });',
    '',
  ].join('\n');
  const sources: Record<string, string> = { 'index.mjs': index };
  if (use.onFirstUse.length) {
    sources['first-use.mjs'] = [
      header,
      ...use.onFirstUse.map((p, i) => {
        const names = [...p.clients, ...p.commands];
        return names.length
          ? `export { ${names.join(', ')} } from '${p.name}';`
          : `export * as lazy${i} from '${p.name}';`;
      }),
      '',
    ].join('\n');
  }
  return sources;
}

/** Writes the floor's modules into `dir` (under the project root) and returns its entry. */
export function writeFloor(dir: string, fn: string, use: SdkUse): string {
  for (const [file, source] of Object.entries(floorSources(fn, use))) {
    writeFileSync(join(dir, file), source);
  }
  return join(dir, 'index.mjs');
}
