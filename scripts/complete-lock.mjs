#!/usr/bin/env node
/**
 * Keeps package-lock.json complete for every platform Biome ships a binary for, so that
 * `npm ci` accepts the lock on any OS. npm only records the platform packages it could resolve
 * where the lock was written; `npm ci` then refuses the lock for the missing ones. npm skips
 * entries for other platforms by their `os`/`cpu`/`libc`, so they are never downloaded here.
 *
 * Usage: node scripts/complete-lock.mjs [package-lock.json]   (after `npm install`)
 */
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const BIOME = '@biomejs/biome';
let added = 0;
for (const [where, meta] of Object.entries(packages)) {
  if (!where.endsWith(`node_modules/${BIOME}`)) continue;
  const base = where.slice(0, -BIOME.length);
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `${base}${name}`;
    if (packages[key]) continue;
    const match = /cli-([a-z0-9]+)-([a-z0-9]+)(?:-(musl))?$/.exec(name);
    if (!match) throw new Error(`Unexpected platform package name ${name}`);
    const [, os, cpu, musl] = match;
    packages[key] = {
      version,
      cpu: [cpu],
      ...(meta.dev ? { dev: true } : {}),
      ...(os === 'linux' ? { libc: [musl ? 'musl' : 'glibc'] } : {}),
      license: 'MIT OR Apache-2.0',
      optional: true,
      os: [os],
      engines: { node: '>=14.21.3' },
    };
    added++;
  }
}
const sorted = Object.entries(packages).sort(([a], [b]) =>
  a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
);
lock.packages = Object.fromEntries(sorted);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${path}: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);
