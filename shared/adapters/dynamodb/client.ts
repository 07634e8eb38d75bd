/**
 * The DynamoDB client, built once per process with bounded timeouts and attempts so that a slow
 * or absent table fails fast: the sign-in trigger must answer inside Cognito's 5 s, and its
 * password path must let the sign-in through rather than be cut off by the Lambda timeout.
 *
 * With the defaults, a table that accepts connections but never answers fails a request after
 * about 2 × 500 ms (two attempts), which test/integration/faults.test.ts holds to 1.5 s per
 * sign-in; a refused connection fails at once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../config.ts';

export interface DynamoClientOptions {
  /** Time to establish the TCP connection. @default 500 */
  readonly connectionTimeoutMs?: number;
  /**
   * Time for one attempt, from sending the request to the end of the response. DynamoDB answers
   * in single-digit milliseconds; a transaction in tens. @default 500
   */
  readonly requestTimeoutMs?: number;
  /** Attempts per call, the first included; the SDK's standard retry strategy spaces them. @default 2 */
  readonly maxAttempts?: number;
}

/** A document client for the table's region (or the local stack's endpoint). */
export function createDynamoClient(
  config: Pick<Config, 'region' | 'dynamodbEndpoint'> & Partial<Pick<Config, 'dynamodbTimeoutMs'>>,
  options: DynamoClientOptions = {},
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 500,
      requestTimeout: options.requestTimeoutMs ?? config.dynamodbTimeoutMs ?? 500,
      // Without it, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes
      // and the request waits on for ever: a hung table then holds the sign-in until the Lambda
      // timeout, which fails it even on the password path (found by the fault tests).
      // https://github.com/smithy-lang/smithy-typescript/blob/main/packages/types/src/http/httpHandlerInitialization.ts
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
