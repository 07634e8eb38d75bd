import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lock = JSON.parse(
  readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8'),
) as {
  packages: Record<string, { optionalDependencies?: Record<string, string> }>;
};

describe('package-lock.json', () => {
  it('lists every platform package of Biome, so that `npm ci` accepts it on any OS', () => {
    const missing: string[] = [];
    for (const [where, meta] of Object.entries(lock.packages)) {
      if (!where.includes('@biomejs/biome')) continue;
      for (const name of Object.keys(meta.optionalDependencies ?? {})) {
        const key = `${where.slice(0, where.lastIndexOf('@biomejs/biome'))}${name}`;
        if (!lock.packages[key]) missing.push(key);
      }
    }
    expect(missing, 'run `node scripts/complete-lock.mjs` after `npm install`').toEqual([]);
  });
});
