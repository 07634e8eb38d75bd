/**
 * The DynamoDB client, built once per process with bounded timeouts and attempts so that a slow
 * or absent table fails fast (the sign-in trigger must answer inside Cognito's 5 s).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../config.ts';

export interface DynamoClientOptions {
  /** @default 500 */
  readonly connectionTimeoutMs?: number;
  /** @default 1000 */
  readonly requestTimeoutMs?: number;
  /** @default 2 */
  readonly maxAttempts?: number;
}

/** A document client for the table's region (or the local stack's endpoint). */
export function createDynamoClient(
  config: Pick<Config, 'region' | 'dynamodbEndpoint'>,
  options: DynamoClientOptions = {},
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 500,
      requestTimeout: options.requestTimeoutMs ?? 1000,
    },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
