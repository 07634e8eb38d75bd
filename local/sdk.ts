/**
 * The AWS SDK clients the local stack itself uses, loaded with `require` on first use. Under
 * vitest's globalSetup an `import` goes through Vite's module runner, which picks the packages'
 * `module` (ESM, hundreds of files) build; `require` loads the one-file CommonJS bundle, which
 * is seconds faster on a small machine. Types come from the same packages.
 */
import { createRequire } from 'node:module';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './options.ts';

const require = createRequire(import.meta.url);

type DynamoDbSdk = typeof import('@aws-sdk/client-dynamodb');
type CognitoSdk = typeof import('@aws-sdk/client-cognito-identity-provider');

/** `@aws-sdk/client-dynamodb`. */
export const dynamoDbSdk = (): DynamoDbSdk => require('@aws-sdk/client-dynamodb') as DynamoDbSdk;

/** `@aws-sdk/client-cognito-identity-provider`. */
export const cognitoSdk = (): CognitoSdk =>
  require('@aws-sdk/client-cognito-identity-provider') as CognitoSdk;

/** Client settings for a local endpoint: its URL, the local region and credentials. */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
    // A local service that is down should fail fast, not after the SDK's retries.
    maxAttempts: 2,
  };
}
