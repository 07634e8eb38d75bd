/**
 * `npm run check:consistency -- [--repair] [--max-people N] [--from CURSOR]`: finds people
 * whose person summary or org-owner entries drifted from their items, and with `--repair`
 * rewrites them (docs/data-model.md, "Copies and their repair").
 *
 * The table: `TABLE_NAME` (and `DYNAMODB_ENDPOINT`, `AWS_REGION`) as the functions read them;
 * without `TABLE_NAME`, the running local stack's (`.provisio/local.json`, or `PROVISIO_DIR`).
 * A run stops after `--max-people` (default 1000) and prints the `--from` of the next one.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import { checkConsistency } from '../shared/adapters/dynamodb/consistency.ts';
import { ENV, readConfig } from '../shared/config.ts';

async function tableOf(): Promise<{
  tableName: string;
  endpoint: string | undefined;
  region: string;
}> {
  if (process.env[ENV.tableName]?.trim()) {
    const config = readConfig();
    return {
      tableName: config.tableName,
      endpoint: config.dynamodbEndpoint,
      region: config.region,
    };
  }
  const file = join(resolve(process.env.PROVISIO_DIR?.trim() || '.provisio'), 'local.json');
  const local = JSON.parse(
    await readFile(file, 'utf8').catch(() => {
      throw new Error(
        `Set ${ENV.tableName}, or start the local stack (npm start): ${file} not found`,
      );
    }),
  ) as { dynamodb: { endpoint: string; tableName: string } };
  // DynamoDB Local takes any credentials made of letters and digits.
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIAPROVISIOLOCAL';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return {
    tableName: local.dynamodb.tableName,
    endpoint: local.dynamodb.endpoint,
    region: 'us-east-1',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repair: { type: 'boolean', default: false },
      'max-people': { type: 'string', default: '1000' },
      from: { type: 'string' },
    },
  });
  const maxPeople = Number(values['max-people']);
  if (!Number.isInteger(maxPeople) || maxPeople < 1) {
    throw new Error(
      `--max-people must be a whole number of 1 or more, got ${values['max-people']}`,
    );
  }
  const table = await tableOf();
  const db = createDynamoClient(
    { region: table.region, dynamodbEndpoint: table.endpoint },
    { requestTimeoutMs: 5000, maxAttempts: 3 },
  );
  const report = await checkConsistency(db, table.tableName, {
    repair: values.repair,
    maxPeople,
    from: values.from,
    onDrift: (drift, repaired) =>
      console.log(
        `${repaired === true ? 'repaired' : repaired === 'conflict' ? 'changed meanwhile, not repaired' : 'drifted'}: ${JSON.stringify(drift)}`,
      ),
  });
  console.log(
    `checked ${report.checked} people in ${table.tableName}: ${report.drifted} drifted, ${report.repaired} repaired, ${report.conflicts} changed meanwhile`,
  );
  if (report.next) console.log(`more to check: --from ${report.next}`);
  db.destroy();
  // Drift left unrepaired fails the command, so that a scheduled check can alarm on it.
  if (report.drifted > report.repaired) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
