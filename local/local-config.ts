/** Reads the running local stack's `<dataDir>/local.json` (`PROVISIO_DIR`, default `.provisio`). */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LocalStackConfig } from './stack.ts';

export async function readLocalConfig(): Promise<LocalStackConfig> {
  const file = join(resolve(process.env.PROVISIO_DIR?.trim() || '.provisio'), 'local.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new Error(`${file} not found: start the stack first (npm start)`);
  });
  return JSON.parse(text) as LocalStackConfig;
}
