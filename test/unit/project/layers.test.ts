/**
 * The layers (docs/architecture.md), read from the import statements of the source: the core
 * never imports an adapter; no two folders of shared/ import each other, directly or through
 * others; the SCIM protocol code imports nothing of Provisio but the error hierarchy and the HTTP
 * helpers; shipped and benchmark code never imports the tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** Each relative import of a file, as a path from the project root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    normalize(join(dirname(file), m[1]!)),
  );
}

/** A file's node in the folder graph: its folder under shared/ (adapters by system), or itself at the top. */
function nodeOf(file: string): string {
  const parts = relative('shared', file).split('/');
  if (parts.length === 1) return file;
  if (parts[0] === 'adapters') return `shared/adapters/${parts[1]}`;
  if (parts[0] === 'scim' && parts[1] === 'protocol') return 'shared/scim/protocol';
  if (parts[0] === 'admin' && parts[1] === 'http') return 'shared/admin/http';
  return `shared/${parts[0]}`;
}

const shared = sources('shared');
const edges = new Map<string, Map<string, string>>();
for (const file of shared) {
  for (const target of importsOf(file)) {
    if (!target.startsWith('shared/')) continue;
    const [a, b] = [nodeOf(file), nodeOf(target)];
    if (a === b) continue;
    if (!edges.has(a)) edges.set(a, new Map());
    edges.get(a)!.set(b, `${file} → ${target}`);
  }
}

describe('the layers', () => {
  it('the core never imports an adapter', () => {
    const offending = shared
      .filter((f) => !f.startsWith('shared/adapters/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => t.startsWith('shared/adapters/'))
          .map((t) => `${f} → ${t}`),
      );
    expect(offending).toEqual([]);
  });

  it('no folder of shared/ depends on itself through others (no cycles)', () => {
    // The scan sees the folders at all (a glob gone wrong would pass vacuously).
    expect(edges.size).toBeGreaterThan(10);
    const cycles: string[] = [];
    const reach = (from: string, to: string, seen = new Set<string>()): string[] | undefined => {
      for (const [next, why] of edges.get(from) ?? []) {
        if (next === to) return [why];
        if (seen.has(next)) continue;
        seen.add(next);
        const rest = reach(next, to, seen);
        if (rest) return [why, ...rest];
      }
      return undefined;
    };
    for (const node of edges.keys()) {
      const path = reach(node, node);
      if (path) cycles.push(`${node}: ${path.join(', ')}`);
    }
    expect(cycles).toEqual([]);
  });

  it('the SCIM protocol code imports nothing of Provisio but the errors and HTTP helpers', () => {
    const offending = shared
      .filter((f) => f.startsWith('shared/scim/protocol/'))
      .flatMap((f) =>
        importsOf(f)
          .filter(
            (t) =>
              !t.startsWith('shared/scim/protocol/') &&
              t !== 'shared/errors.ts' &&
              !t.startsWith('shared/http/'),
          )
          .map((t) => `${f} → ${t}`),
      );
    expect(offending).toEqual([]);
  });

  it('shipped, local and benchmark code never imports the tests', () => {
    const offending = ['shared', 'functions', 'infra', 'local', 'bench', 'scripts', 'console/src']
      .flatMap((d) => sources(d))
      .flatMap((f) =>
        importsOf(f)
          .filter((t) => t.startsWith('test/'))
          .map((t) => `${f} → ${t}`),
      );
    expect(offending).toEqual([]);
  });
});
