/**
 * Writes the rendered OpenAPI document to docs/openapi.json:
 * `npx tsx shared/admin/http/render-openapi.ts`. A unit test fails when the copy is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from './openapi.ts';

/** Where the rendered copy lives. */
export const OPENAPI_COPY = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

/** The copy's exact text. */
export const renderOpenApi = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(OPENAPI_COPY, renderOpenApi());
  process.stdout.write(`wrote ${OPENAPI_COPY}\n`);
}
